import type { X509Certificate } from 'node:crypto';
import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import type { DatabaseHost } from '../../../../contract/database-host.js';

/** What the server showed of its TLS before any login: the live test's own view. */
export interface TlsProbe {
  offered: boolean;
  protocol?: string;
  cipher?: string;
  peer?: X509Certificate;
  /** Whether the chain leads to the given root CA (Node's verdict on the signer; not the host name). */
  authorized?: boolean;
  authorizationError?: string;
}

/** The code of the probe's error when the peer does not speak the PostgreSQL protocol. */
export const NOT_POSTGRES = 'HDS_NOT_POSTGRES';

// PostgreSQL protocol: SSLRequest is a length (8) and the code 80877103; the answer is 'S' or 'N'.
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/**
 * Asks the server for TLS as libpq does, then completes the handshake without trusting anything,
 * so signer and host name can be judged and named separately. Sends no credentials.
 */
export function probePostgresTls(
  host: DatabaseHost,
  timeoutMs: number,
  rootCaPem?: string,
): Promise<TlsProbe> {
  return new Promise((resolve, reject) => {
    let tls: TLSSocket | undefined;
    const socket: Socket = connectTcp({ host: host.host, port: host.port });
    const timer = setTimeout(
      () => fail(Object.assign(new Error('connection timed out'), { code: 'ETIMEDOUT' })),
      timeoutMs,
    );
    const done = () => {
      clearTimeout(timer);
      tls?.destroy();
      socket.destroy();
    };
    const fail = (error: Error) => {
      done();
      reject(error);
    };
    socket.once('error', fail);
    socket.once('connect', () => socket.write(SSL_REQUEST));
    socket.once('data', (answer) => {
      if (answer[0] === 0x4e /* 'N' */) {
        done();
        return resolve({ offered: false });
      }
      // Anything but 'S' or 'N' is not PostgreSQL: another service on the port, or a proxy.
      if (answer[0] !== 0x53 /* 'S' */)
        return fail(Object.assign(new Error('not a PostgreSQL server'), { code: NOT_POSTGRES, answer }));
      tls = connectTls({
        socket,
        servername: isIP(host.host) ? undefined : host.host,
        rejectUnauthorized: false,
        // `authorized` must be the signer's verdict alone: Node would also fold its host-name check
        // into it, and a name mismatch would read as a wrong root (and fail verify-ca, which accepts
        // any name). checkTls judges the name itself, for verify-full only.
        checkServerIdentity: () => undefined,
        ...(rootCaPem ? { ca: rootCaPem } : {}),
      });
      tls.once('error', fail);
      tls.once('secureConnect', () => {
        const t = tls!;
        const result: TlsProbe = {
          offered: true,
          protocol: t.getProtocol() ?? undefined,
          cipher: t.getCipher()?.name,
          peer: t.getPeerX509Certificate(),
          authorized: t.authorized,
          authorizationError: t.authorizationError ? String(t.authorizationError) : undefined,
        };
        done();
        resolve(result);
      });
    });
  });
}
