import { isIPv4, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';
import { HdsError } from '../../../../contract/hds-error.js';

/** Port used when the URL names none: the syslog port of RFC 5426 (UDP) and the nodes' default. */
export const DEFAULT_SYSLOG_PORT = 514;

export interface SyslogUrl {
  /** Normalised: lower-case scheme and host, port always written, IPv6 in brackets. */
  url: string;
  protocol: 'udp' | 'tcp';
  /** Host name, IPv4 address, or IPv6 address without brackets. */
  host: string;
  port: number;
}

const FORM =
  'Use udp://host:port or tcp://host:port, for example udp://10.0.0.5:514, tcp://syslog.example.com:514 or tcp://[2001:db8::5]:514 (the port defaults to 514).';
// scheme :// (bracketed IPv6 | anything without ":/[]") (: port)? optional trailing slash
const SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(\[[^\]]*\]|[^:/[\]]*)(?::([^/]*))?\/?$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Parses the syslogd URL of the System logs page. Every refusal is SYSLOG_URL_INVALID on `url`. */
export function parseSyslogUrl(text: string, field = 'url'): SyslogUrl {
  const fail = (what: string): never => {
    throw new HdsError('SYSLOG_URL_INVALID', `${what} ${FORM}`, field);
  };
  const input = text.trim();
  if (input.length === 0) fail('Enter the syslogd URL.');
  if (input.length > 300) fail('The syslogd URL is too long.');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  if (/[\s\x00-\x1f\x7f]/.test(input)) fail('The syslogd URL must not contain spaces or control characters.');
  if (!input.includes('://'))
    fail(
      `"${shown(input)}" has no scheme: write udp://${shown(input)} (or tcp://${shown(input)} for a TCP syslog server).`,
    );
  const authority = input.slice(input.indexOf('://') + 3).split(/[/?#]/)[0]!;
  // Syslog has no login; a user:password@ would only end up echoed in messages. Never repeat it.
  if (authority.includes('@'))
    fail('The syslogd URL must not contain a user name or password (user:password@): syslog has no login.');
  if (/[?#]/.test(input) || /^[^:]*:\/\/[^/]*\/./.test(input))
    fail(`"${shown(input)}" has a path, query or fragment; a syslogd URL has no path, query or fragment.`);
  const match = SHAPE.exec(input);
  if (!match) {
    if (/^[a-z]+:\/\/[^[]*:.*:/i.test(input))
      fail(`"${shown(input)}" looks like an IPv6 address without brackets: write it as [address]:port.`);
    fail(`"${shown(input)}" is not a syslogd URL.`);
  }
  const [, schemeText, hostText, portText] = match as RegExpExecArray;
  if (portText?.includes(':'))
    fail(`"${shown(input)}" looks like an IPv6 address without brackets: write it as [address]:port.`);
  const protocol = schemeText!.toLowerCase();
  if (protocol !== 'udp' && protocol !== 'tcp')
    fail(
      `The scheme "${shown(schemeText!)}" is not supported: syslog goes over udp or tcp; for TLS, use tcp:// and turn TLS on.`,
    );
  const host = parseHost(hostText!, fail);
  let port = DEFAULT_SYSLOG_PORT;
  if (portText === '')
    fail(`"${shown(input)}" names no port after the colon: add the port or drop the colon.`);
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535)
      fail(`The port "${shown(portText)}" is not a number from 1 to 65535.`);
    port = Number(portText);
  }
  const hostInUrl = isIPv6(host) ? `[${host}]` : host;
  return { url: `${protocol}://${hostInUrl}:${port}`, protocol: protocol as 'udp' | 'tcp', host, port };
}

function parseHost(text: string, fail: (what: string) => never): string {
  if (text.length === 0) return fail('The syslogd URL names no host.');
  if (text.startsWith('[')) {
    const inner = text.slice(1, -1).toLowerCase();
    if (inner.includes('%'))
      return fail('IPv6 zone ids (%interface) are not supported: give a global or unique-local address.');
    if (!isIPv6(inner)) return fail(`"${shown(inner)}" in brackets is not an IPv6 address.`);
    return inner;
  }
  const host = text.toLowerCase().replace(/\.$/, '');
  if (/^[\d.]+$/.test(host)) {
    if (!isIPv4(host)) return fail(`"${shown(text)}" is not a valid IPv4 address.`);
    return host;
  }
  // RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens, 253 octets at most.
  // An internationalised name goes in its ASCII (xn--) form, which is what the nodes' resolver looks up.
  const ascii = /[^\x20-\x7e]/.test(host) ? domainToASCII(host) : '';
  if (ascii && ascii.length <= 253 && ascii.split('.').every((label) => LABEL.test(label)))
    return fail(`"${shown(text)}" is an internationalised name: write it as ${ascii}.`);
  if (host.length > 253 || !host.split('.').every((label) => LABEL.test(label)))
    return fail(`"${shown(text)}" is not a valid host name (letters, digits, hyphens and dots).`);
  return host;
}

/** Echoes a piece of the admin's input in a message without letting it run on. */
function shown(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
