import { HdsError } from '../../../../contract/hds-error.js';

/** RFC 5424 section 6.2.1, Table 2. */
export const SYSLOG_SEVERITIES = {
  emergency: 0,
  alert: 1,
  critical: 2,
  error: 3,
  warning: 4,
  notice: 5,
  informational: 6,
  debug: 7,
} as const;
export type SyslogSeverity = keyof typeof SYSLOG_SEVERITIES;

/** RFC 5424 section 6.2.1, Table 1: local use 0. Every record of the product goes to local0. */
const FACILITY_LOCAL0 = 16;
export const SYSLOG_APP_NAME = 'hds-setup';

/** SD-ID → PARAM-NAME → value, e.g. `{ 'hdsAudit@32473': { org: '…' } }` (RFC 5424 section 6.3). */
export type StructuredData = Record<string, Record<string, string>>;

export interface SyslogRecord {
  msgId: string;
  message: string;
  structuredData?: StructuredData;
  severity?: SyslogSeverity;
}

export interface Rfc5424Origin {
  timestamp: Date;
  hostname: string;
  procId: string;
}

/**
 * Receivers must take 480 octets and should take 2048 (RFC 5424 section 6.1); longer messages
 * are cut by many of them. MSG is shortened to fit, at a character boundary.
 */
export const MAX_RECORD_OCTETS = 2048;

// PRINTUSASCII = %d33-126 (section 6); SD-NAME additionally excludes '=', SP, ']' and '"' (section 6.3.3).
const PRINTUSASCII = /^[\x21-\x7e]+$/;
const SD_NAME = /^[\x21-\x7e]{1,32}$/;
const SD_NAME_FORBIDDEN = /[= \]"]/;

/**
 * One SYSLOG-MSG (RFC 5424 section 6): HEADER SP STRUCTURED-DATA [SP MSG], no framing.
 * Invalid ids and names are programming errors of the caller: INVALID_INPUT.
 */
export function formatRfc5424Message(record: SyslogRecord, origin: Rfc5424Origin): Buffer {
  const severity = SYSLOG_SEVERITIES[record.severity ?? 'notice'];
  if (severity === undefined) throw invalid(`Unknown syslog severity "${record.severity}".`);
  // Section 6.2.7: MSGID is 1*32 PRINTUSASCII.
  if (!SD_NAME.test(record.msgId)) throw invalid('A syslog MSGID is 1 to 32 printable ASCII characters.');
  const header = [
    // Section 6.2.1 PRI = facility * 8 + severity; 6.2.2 VERSION = 1.
    `<${FACILITY_LOCAL0 * 8 + severity}>1`,
    // Section 6.2.3: RFC 3339 timestamp with at most 6 fractional digits; toISOString gives 3, in UTC.
    origin.timestamp.toISOString(),
    headerField(origin.hostname, 255),
    headerField(SYSLOG_APP_NAME, 48),
    headerField(origin.procId, 128),
    record.msgId,
  ].join(' ');
  const head = Buffer.from(`${header} ${formatStructuredData(record.structuredData)}`, 'ascii');
  if (head.length + 1 > MAX_RECORD_OCTETS)
    throw invalid('The syslog header and structured data exceed 2048 octets.');
  const message = printable(record.message);
  if (message === '') return head;
  // Section 6.4: MSG is MSG-UTF8 (BOM + UTF-8) or MSG-ANY. A BOM only when needed: many viewers show it.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the whole ASCII range, controls included
  const bom = /^[\x00-\x7f]*$/.test(message) ? '' : '\ufeff';
  const body = truncateUtf8(bom + message, MAX_RECORD_OCTETS - head.length - 1);
  return Buffer.concat([head, Buffer.from(' '), body]);
}

/** Section 6.2: a header field is PRINTUSASCII up to a length, or NILVALUE "-". */
function headerField(value: string, max: number): string {
  const cleaned = value.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return PRINTUSASCII.test(cleaned) ? cleaned : '-';
}

/** Section 6.3: `[SD-ID *(SP PARAM-NAME="PARAM-VALUE")]…` or NILVALUE. */
function formatStructuredData(data: StructuredData | undefined): string {
  const elements = Object.entries(data ?? {});
  if (elements.length === 0) return '-';
  return elements
    .map(([id, params]) => {
      checkSdName(id, 'SD-ID');
      const rendered = Object.entries(params).map(([name, value]) => {
        checkSdName(name, 'PARAM-NAME');
        // Section 6.3.3: '"', '\' and ']' inside PARAM-VALUE are escaped with a backslash.
        return ` ${name}="${printable(value).replace(/["\\\]]/g, (c) => `\\${c}`)}"`;
      });
      return `[${id}${rendered.join('')}]`;
    })
    .join('');
}

function checkSdName(name: string, what: string): void {
  if (!SD_NAME.test(name) || SD_NAME_FORBIDDEN.test(name))
    throw invalid(
      `The syslog ${what} "${name.slice(0, 40)}" must be 1 to 32 printable ASCII characters without =, space, ] or ".`,
    );
}

/**
 * Control characters become spaces: a LF or NUL inside MSG would end the record early under
 * non-transparent framing (RFC 6587 section 3.4.2), and CR/escape codes garble terminals.
 */
function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes
  return text.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, ' ');
}

function truncateUtf8(text: string, maxOctets: number): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxOctets) return bytes;
  let end = maxOctets;
  // Step back over continuation bytes (10xxxxxx) so no character is cut in half.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

function invalid(message: string): HdsError {
  return new HdsError('INVALID_INPUT', message);
}
