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
 * SYSLOG_TLS_FAILED or SYSLOG_TIMEOUT; the test message uses it.
 */
export async function sendSyslogMessage(
  settings: SyslogSettings,
  record: SyslogRecord,
  rootCaPem?: string,
  options: SyslogSendOptions = {},
): Promise<SyslogDelivery> {
  return deliver(settings, [record], rootCaPem, options);
}

/**
 * Sends several records at once, as the audit trail does: one UDP socket, or one TCP/TLS connection
 * carrying every framed record — a connection (and a TLS handshake) per line would make thousands
 * of lines take minutes. Throws as `sendSyslogMessage`; on a failure, some records may have arrived.
 */
export async function sendSyslogMessages(
  settings: SyslogSettings,
  records: SyslogRecord[],
  rootCaPem?: string,
  options: SyslogSendOptions = {},
): Promise<void> {
  if (records.length > 0) await deliver(settings, records, rootCaPem, options);
}

async function deliver(
  settings: SyslogSettings,
  records: SyslogRecord[],
  rootCaPem: string | undefined,
  options: SyslogSendOptions,
): Promise<SyslogDelivery> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const origin = { hostname: options.hostname ?? hostname(), procId: String(process.pid) };
  const messages = records.map((record) =>
    formatRfc5424Message(record, { ...origin, timestamp: options.now?.() ?? new Date() }),
  );
  const size =
    messages.length === 1 ? `the ${messages[0]!.length}-byte message` : `${messages.length} messages`;
  const hostInUrl = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const target = `${hostInUrl}:${settings.port}`;
  const resolved = await resolveSyslogHost(settings.host, timeoutMs);
  const label = resolved.address === settings.host ? target : `${target} (${resolved.address})`;
  const confirmed =
    resolved.address === settings.host ? [] : [`Resolved ${settings.host} to ${resolved.address}.`];

  if (settings.protocol === 'udp') {
    const waitMs = options.udpWaitMs ?? 500;
    await sendOverUdp(resolved, settings.port, messages, waitMs, label);
    confirmed.push(
      `Sent ${size} over UDP; no "port unreachable" came back within ${waitMs} ms. UDP cannot confirm delivery.`,
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
    Buffer.concat(messages.map((message) => frameSyslogRecord(message, settings.termination))),
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
