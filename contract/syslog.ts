import { z } from 'zod';
import type { ErrorCode } from './error-codes.js';

/**
 * System logs (page 6): where every node sends its syslog records. The URL's meaning (scheme,
 * host, port) is checked on the server by `parseSyslogSettings`; these schemas check the shape.
 */
export const SYSLOG_TERMINATIONS = ['null', 'newline'] as const;
export type SyslogTermination = (typeof SYSLOG_TERMINATIONS)[number];

/** The largest root CA file accepted (a PEM bundle of a few certificates is a few KB). */
export const SYSLOG_CA_MAX_BYTES = 256 * 1024;

export const syslogSettingsInputSchema = z.object({
  url: z
    .string({
      error: 'Enter the syslogd URL, for example udp://10.0.0.5:514 or tcp://syslog.example.com:514.',
    })
    .trim()
    .min(1, 'Enter the syslogd URL, for example udp://10.0.0.5:514 or tcp://syslog.example.com:514.')
    .max(300, 'The syslogd URL is too long: give udp://host:port or tcp://host:port.'),
  tls: z.boolean({ error: 'tls must be true or false.' }).default(false),
  termination: z
    .enum(SYSLOG_TERMINATIONS, { error: 'Record termination must be "null" (\\x00) or "newline" (\\n).' })
    .default('null'),
});
export type SyslogSettingsInput = z.input<typeof syslogSettingsInputSchema>;

/** PUT /api/syslog and POST /api/syslog/test: the settings, and the root CA file when TLS is on. */
export const syslogRequestSchema = syslogSettingsInputSchema.extend({
  /** The uploaded root CA file (PEM or DER), base64. Omitted: keep the one uploaded before. */
  rootCaBase64: z
    .string()
    .max(Math.ceil((SYSLOG_CA_MAX_BYTES * 4) / 3) + 4, 'The root CA file is larger than 256 KB.')
    .optional(),
});
export type SyslogRequest = z.input<typeof syslogRequestSchema>;

/** The settings as accepted: `url` normalised (lower-case scheme and host, port always written). */
export interface SyslogSettings {
  url: string;
  protocol: 'udp' | 'tcp';
  /** Host name, IPv4 address, or IPv6 address (without brackets). */
  host: string;
  port: number;
  tls: boolean;
  termination: SyslogTermination;
}

export interface SyslogRootCaView {
  /** Subject DN of each certificate in the uploaded file. */
  subjects: string[];
  notAfter: string;
}

/** What a test message could confirm. UDP can confirm only that nothing refused it. */
export interface SyslogTestReport {
  /** The RFC 5424 MSGID sent, also in the message text: what the admin searches the logs for. */
  msgId: string;
  transport: 'udp' | 'tcp' | 'tls';
  /** `host:port` as configured, and the address it resolved to. */
  target: string;
  address: string;
  /** 'sent' for UDP (delivery unknowable); 'written' when a TCP/TLS write completed. */
  delivery: 'sent' | 'written';
  /**
   * TCP/TLS: whether the server closed its side after ours, as syslog servers do. False: the
   * record was written but something other than a syslog server may hold the port.
   */
  closedByServer?: boolean;
  tls?: {
    protocol: string;
    subject: string;
    issuer: string;
    verified: boolean;
    verifiedAgainst: 'the uploaded root CA' | 'the public CAs trusted by Node.js';
  };
  /** Each thing confirmed, in order, in plain words. */
  confirmed: string[];
  summary: string;
}

export interface SyslogLastTest {
  at: string;
  msgId: string;
  ok: boolean;
  /** The failure code when `ok` is false. */
  code?: ErrorCode;
  summary: string;
}

/** GET/PUT /api/syslog answer. `settings` is absent until the page has been saved once. */
export interface SyslogView {
  ok: true;
  settings?: SyslogSettings;
  rootCa?: SyslogRootCaView;
  lastTest?: SyslogLastTest;
}

export interface SyslogTestResponse {
  ok: true;
  report: SyslogTestReport;
}
