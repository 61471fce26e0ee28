import { createSocket } from 'node:dgram';
import type { ResolvedHost } from './resolve-syslog-host.js';
import { syslogNetworkError } from './syslog-network-error.js';

/**
 * Sends one datagram on a *connected* UDP socket, then listens `waitMs` for an ICMP
 * port-unreachable: Linux reports it only on a connected socket (as ECONNREFUSED). Silence proves
 * nothing — UDP has no delivery receipt — so the caller can only say "sent".
 */
export async function sendOverUdp(
  to: ResolvedHost,
  port: number,
  datagram: Buffer,
  waitMs: number,
  target: string,
): Promise<void> {
  const socket = createSocket(to.family === 6 ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(syslogNetworkError(error, target, 'udp'));
        else resolve();
      };
      let timer: NodeJS.Timeout | undefined;
      socket.on('error', settle);
      socket.connect(port, to.address, () => {
        socket.send(datagram, (error) => {
          if (error) return settle(error);
          timer = setTimeout(() => settle(), waitMs);
        });
      });
    });
  } finally {
    try {
      socket.close();
    } catch {
      // already closed after an error
    }
  }
}
