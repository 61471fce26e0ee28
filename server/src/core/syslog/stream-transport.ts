import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { type PeerCertificate, type TLSSocket, connect as tlsConnect } from 'node:tls';
import { HdsError } from '../../../../contract/hds-error.js';
import type { SyslogTestReport } from '../../../../contract/syslog.js';
import type { ResolvedHost } from './resolve-syslog-host.js';
import { syslogNetworkError } from './syslog-network-error.js';

export interface StreamTarget {
  host: string;
  port: number;
  resolved: ResolvedHost;
  /** `host:port (address)` for messages. */
  label: string;
  tls: boolean;
  rootCaPem: string | undefined;
  timeoutMs: number;
}

export interface StreamDelivery {
  confirmed: string[];
  tls?: NonNullable<SyslogTestReport['tls']>;
}

/**
 * Connects over TCP, optionally does the TLS handshake, writes one framed record and closes.
 * Each stage has its own deadline so a silent firewall or a non-TLS port ends in SYSLOG_TIMEOUT
 * naming the stage, not a hang.
 */
export async function sendOverStream(target: StreamTarget, record: Buffer): Promise<StreamDelivery> {
  const transport = target.tls ? 'tls' : 'tcp';
  const confirmed: string[] = [];
  const socket = tcpConnect({ host: target.resolved.address, port: target.port });
  let stream: Socket = socket;
  try {
    await stage(socket, 'connect', target.timeoutMs, () =>
      timeout(
        `${target.label} did not accept a TCP connection within ${target.timeoutMs / 1000} s. A firewall may be dropping the traffic; check the address and port.`,
      ),
    );
    confirmed.push(`Connected to ${target.label} over TCP.`);
    let tlsInfo: StreamDelivery['tls'];
    if (target.tls) {
      const secure = tlsConnect({
        socket,
        // SNI only for names (RFC 6066 section 3 forbids IP literals); the identity check still runs on IPs.
        servername: isIP(target.host) ? undefined : target.host,
        host: target.host,
        ca: target.rootCaPem,
        minVersion: 'TLSv1.2',
        // Verified below, so the report can say what exactly is wrong with the certificate.
        rejectUnauthorized: false,
      });
      stream = secure;
      await stage(secure, 'secureConnect', target.timeoutMs, () =>
        timeout(
          `${target.label} accepted the TCP connection but did not complete a TLS handshake within ${target.timeoutMs / 1000} s. Is this port a TLS listener? If the server does not use TLS, answer "No" to TLS.`,
        ),
      ).catch((error: unknown) => {
        throw error instanceof HdsError ? error : handshakeFailure(error, target);
      });
      tlsInfo = checkServerCertificate(secure, target);
      confirmed.push(
        `TLS handshake done (${tlsInfo.protocol}); the server certificate "${tlsInfo.subject}" issued by "${tlsInfo.issuer}" is verified against ${tlsInfo.verifiedAgainst} for ${target.host}.`,
      );
    }
    await new Promise<void>((resolve, reject) => {
      stream.once('error', reject);
      stream.write(record, (error) => (error ? reject(error) : resolve()));
    });
    // A clean close after our FIN shows the server did not reject the connection outright.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, Math.min(target.timeoutMs, 2000));
      stream.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      stream.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      stream.end();
    });
    confirmed.push(
      `Wrote the ${record.length}-byte record over ${target.tls ? 'TLS' : 'TCP'} and closed the connection cleanly.`,
    );
    return tlsInfo ? { confirmed, tls: tlsInfo } : { confirmed };
  } catch (error) {
    throw syslogNetworkError(error, target.label, transport);
  } finally {
    stream.destroy();
    socket.destroy();
  }
}

function checkServerCertificate(secure: TLSSocket, target: StreamTarget): NonNullable<StreamDelivery['tls']> {
  const certificate = secure.getPeerCertificate();
  const info = {
    protocol: secure.getProtocol() ?? 'TLS',
    subject: distinguishedName(certificate?.subject),
    issuer: distinguishedName(certificate?.issuer),
    verified: secure.authorized,
    verifiedAgainst: target.rootCaPem
      ? ('the uploaded root CA' as const)
      : ('the public CAs trusted by Node.js' as const),
  };
  if (secure.authorized) return info;
  const reason = String(secure.authorizationError ?? 'unknown reason');
  const why =
    reason === 'ERR_TLS_CERT_ALTNAME_INVALID' || /altname|host/i.test(reason)
      ? `its certificate "${info.subject}" is not issued for ${target.host} — use the host name or address the certificate names, or have it reissued`
      : target.rootCaPem
        ? `its certificate "${info.subject}" (issued by "${info.issuer}") is not signed by the uploaded root CA (${reason}) — upload the CA that issued the syslog server's certificate`
        : `its certificate "${info.subject}" (issued by "${info.issuer}") is not signed by a publicly trusted CA (${reason}) — upload your syslog server's root CA`;
  throw new HdsError(
    'SYSLOG_TLS_FAILED',
    `The TLS handshake with ${target.label} succeeded, but ${why}.`,
    'rootCa',
  );
}

function handshakeFailure(error: unknown, target: StreamTarget): HdsError {
  const err = error as NodeJS.ErrnoException & { reason?: string };
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE')
    return new HdsError(
      'SYSLOG_TLS_FAILED',
      `${target.label} closed the connection during the TLS handshake (${err.code}). The server may require a client certificate or a TLS version or cipher this tool does not offer; check its log.`,
      'tls',
    );
  const reason = err.reason ?? err.message ?? err.code ?? 'unknown reason';
  const hint = /wrong version number|packet length too long|unexpected eof/i.test(reason)
    ? ' The port does not seem to speak TLS: answer "No" to TLS, or use the server\'s TLS port.'
    : ' Check that the syslog server is configured for TLS on this port.';
  return new HdsError(
    'SYSLOG_TLS_FAILED',
    `The TLS handshake with ${target.label} failed: ${reason}.${hint}`,
    'tls',
  );
}

function distinguishedName(name: PeerCertificate['subject'] | undefined): string {
  if (!name) return '(none)';
  const text = Object.entries(name)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : value}`)
    .join(', ');
  return text || '(empty)';
}

/** Waits for one event of the connection setup, or its error, or the deadline. */
function stage(emitter: Socket, event: string, ms: number, onTimeout: () => HdsError): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    emitter.once(event, () => {
      clearTimeout(timer);
      emitter.removeListener('error', onError);
      resolve();
    });
    const onError = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    emitter.once('error', onError);
  });
}

function timeout(message: string): HdsError {
  return new HdsError('SYSLOG_TIMEOUT', message, 'url');
}
