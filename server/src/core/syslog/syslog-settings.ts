import { HdsError } from '../../../../contract/hds-error.js';
import { type InputSource, parseInput } from '../../../../contract/parse-input.js';
import { type SyslogSettings, syslogSettingsInputSchema } from '../../../../contract/syslog.js';
import { parseSyslogUrl } from './parse-syslog-url.js';

/**
 * The System logs settings as the wizard and the answers file give them ({url, tls, termination})
 * → the accepted settings. Throws SYSLOG_URL_INVALID, SYSLOG_TLS_NEEDS_TCP or INVALID_INPUT.
 */
export function parseSyslogSettings(
  input: unknown,
  fieldPrefix?: string,
  source: InputSource = 'form',
): SyslogSettings {
  const at = (field: string) => (fieldPrefix ? `${fieldPrefix}.${field}` : field);
  const { url, tls, termination } = parseInput(syslogSettingsInputSchema, input, fieldPrefix, source);
  const parsed = parseSyslogUrl(url, at('url'));
  // TLS runs over a TCP stream; the nodes have no DTLS syslog.
  if (tls && parsed.protocol !== 'tcp')
    throw new HdsError(
      'SYSLOG_TLS_NEEDS_TCP',
      `TLS works only over TCP, and ${parsed.url} is UDP. Use tcp://${parsed.url.slice('udp://'.length)} or turn TLS off.`,
      at('tls'),
    );
  return { ...parsed, tls, termination };
}
