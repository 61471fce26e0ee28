import { HdsError } from '../../../../contract/hds-error.js';

/** Turns a socket error into what the admin can act on. `target` is `host:port (address)`. */
export function syslogNetworkError(
  error: unknown,
  target: string,
  transport: 'udp' | 'tcp' | 'tls',
): HdsError {
  if (error instanceof HdsError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const proto = transport === 'udp' ? 'UDP' : 'TCP';
  switch (code) {
    case 'ECONNREFUSED':
      return new HdsError(
        'SYSLOG_UNREACHABLE',
        transport === 'udp'
          ? `${target} answered "port unreachable" (ICMP): nothing listens for syslog on that UDP port. Check the port and that the syslog server accepts UDP.`
          : `${target} refused the connection: nothing listens on that TCP port. Check the port, and that the syslog server accepts TCP${transport === 'tls' ? ' with TLS' : ''}.`,
        'url',
      );
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return new HdsError(
        'SYSLOG_UNREACHABLE',
        `There is no network route to ${target} (${code}). Check the address and this machine's network and firewall.`,
        'url',
      );
    case 'ECONNRESET':
    case 'EPIPE':
      return new HdsError(
        'SYSLOG_UNREACHABLE',
        `${target} closed the connection before the message was written (${code}). Check the syslog server's own log for why it dropped the connection${transport === 'tls' ? ' (it may require a client certificate)' : ''}.`,
        'url',
      );
    case 'ETIMEDOUT':
      return new HdsError(
        'SYSLOG_TIMEOUT',
        `${target} did not answer (${code}). A firewall may be dropping ${proto} traffic to that port.`,
        'url',
      );
    default:
      return new HdsError(
        'SYSLOG_UNREACHABLE',
        `Sending to ${target} over ${proto} failed: ${(error as Error).message || code}. Check the address and port.`,
        'url',
      );
  }
}
