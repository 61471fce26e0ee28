import { hostname } from 'node:os';
import type { SyslogSettings, SyslogTestReport } from '../../../../contract/syslog.js';
import { frameSyslogRecord } from './record-framing.js';
import { resolveSyslogHost } from './resolve-syslog-host.js';
import { formatRfc5424Message, type SyslogRecord } from './rfc5424-message.js';
import { sendOverStream } from './stream-transport.js';
import { sendOverUdp } from './udp-transport.js';

export interface SyslogSendOptions {
  /** Deadline for each stage: name lookup, TCP connect, TLS handshake (default 5 s). */
  timeoutMs?: number;
  /** How long to listen for an ICMP port-unreachable after a UDP send (default 500 ms). */
  udpWaitMs?: number;
  /**
   * TCP/TLS: after the write, how long to watch for an answer or an early close, which show the
   * port is not a syslog server (default 0; the test message waits 300 ms, bulk audit lines do not).
   */
  lingerMs?: number;
  now?: () => Date;
  /** HOSTNAME field; default this machine's name (RFC 5424 section 6.2.4). */
  hostname?: string;
}

/** What one send could confirm; the test-message report adds the message id and a summary. */
export type SyslogDelivery = Omit<SyslogTestReport, 'msgId' | 'summary'>;

/**
 * Sends one RFC 5424 record (facility local0, app-name hds-setup) to the configured syslog
 * server over UDP, TCP or TLS. Throws SYSLOG_HOST_UNRESOLVED, SYSLOG_UNREACHABLE,
 * SYSLOG_TLS_FAILED or SYSLOG_TIMEOUT; the audit trail reuses it for its lines.
 */
export async function sendSyslogMessage(
  settings: SyslogSettings,
  record: SyslogRecord,
  rootCaPem?: string,
  options: SyslogSendOptions = {},
): Promise<SyslogDelivery> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const message = formatRfc5424Message(record, {
    timestamp: options.now?.() ?? new Date(),
    hostname: options.hostname ?? hostname(),
    procId: String(process.pid),
  });
  const hostInUrl = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const target = `${hostInUrl}:${settings.port}`;
  const resolved = await resolveSyslogHost(settings.host, timeoutMs);
  const label = resolved.address === settings.host ? target : `${target} (${resolved.address})`;
  const confirmed =
    resolved.address === settings.host ? [] : [`Resolved ${settings.host} to ${resolved.address}.`];

  if (settings.protocol === 'udp') {
    const waitMs = options.udpWaitMs ?? 500;
    await sendOverUdp(resolved, settings.port, message, waitMs, label);
    confirmed.push(
      `Sent the ${message.length}-byte message over UDP; no "port unreachable" came back within ${waitMs} ms. UDP cannot confirm delivery.`,
    );
    return { transport: 'udp', target, address: resolved.address, delivery: 'sent', confirmed };
  }

  const stream = await sendOverStream(
    {
      host: settings.host,
      port: settings.port,
      resolved,
      label,
      tls: settings.tls,
      rootCaPem: settings.tls ? rootCaPem : undefined,
      timeoutMs,
      lingerMs: options.lingerMs ?? 0,
    },
    frameSyslogRecord(message, settings.termination),
  );
  return {
    transport: settings.tls ? 'tls' : 'tcp',
    target,
    address: resolved.address,
    delivery: 'written',
    closedByServer: stream.closedByServer,
    confirmed: [...confirmed, ...stream.confirmed],
    ...(stream.tls ? { tls: stream.tls } : {}),
  };
}
