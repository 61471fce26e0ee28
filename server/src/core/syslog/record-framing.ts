import type { SyslogTermination } from '../../../../contract/syslog.js';

const TRAILERS: Record<SyslogTermination, number> = { null: 0x00, newline: 0x0a };

/**
 * One record on a TCP or TLS stream: non-transparent framing, SYSLOG-MSG followed by the chosen
 * TRAILER — LF, or NUL as some receivers expect (RFC 6587 section 3.4.2). RFC 5425 section 4.3
 * asks for octet counting over TLS, but the nodes use the configured trailer there too, and
 * rsyslog, syslog-ng and Graylog accept it; the test message must look like the nodes' records.
 * UDP needs no framing: one message per datagram (RFC 5426 section 3.1).
 */
export function frameSyslogRecord(message: Buffer, termination: SyslogTermination): Buffer {
  return Buffer.concat([message, Buffer.of(TRAILERS[termination])]);
}
