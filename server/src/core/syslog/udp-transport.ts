import { createSocket } from 'node:dgram';
import type { ResolvedHost } from './resolve-syslog-host.js';
import { syslogNetworkError } from './syslog-network-error.js';

// Audit lines over UDP go out at most this fast, a few at a time: as fast as the old one-socket-per-line
// sender, at which a local rsyslog lost none of 50 000 lines (flat out it lost a quarter).
const UDP_DATAGRAMS_PER_SECOND = 5000;
const UDP_BURST = 50;

/**
 * Sends datagrams (one record each, RFC 5426 section 3.1) on one *connected* UDP socket, then
 * listens `waitMs` for an ICMP port-unreachable: Linux reports it only on a connected socket (as
 * ECONNREFUSED, also on a later send). Silence proves nothing — UDP has no delivery receipt — so
 * the caller can only say "sent".
 */
export async function sendOverUdp(
  to: ResolvedHost,
  port: number,
  datagrams: Buffer[],
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
      // Paced: UDP has no flow control, and a receiver that also writes to disk drops what overflows
      // its socket buffer. A single datagram (the test message) goes at once.
      const started = Date.now();
      const sendFrom = (index: number) => {
        if (settled) return;
        if (index === datagrams.length) {
          timer = setTimeout(() => settle(), waitMs);
          return;
        }
        const due = started + (index * 1000) / UDP_DATAGRAMS_PER_SECOND - Date.now();
        if (index % UDP_BURST === 0 && due > 0) {
          timer = setTimeout(() => sendFrom(index), due);
          return;
        }
        socket.send(datagrams[index]!, (error) => (error ? settle(error) : sendFrom(index + 1)));
      };
      socket.connect(port, to.address, () => sendFrom(0));
    });
  } finally {
    try {
      socket.close();
    } catch {
      // already closed after an error
    }
  }
}
