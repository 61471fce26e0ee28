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
  /** After the write, how long to watch for an answer or an early close before closing (0: none). */
  lingerMs: number;
}

export interface StreamDelivery {
  confirmed: string[];
  /** Whether the server closed its side after ours, as a syslog server does. */
  closedByServer: boolean;
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
          `${target.label} accepted the TCP connection but did not complete a TLS handshake within ${target.timeoutMs / 1000} s. Is this port a TLS listener? If the server does not use TLS, turn TLS off.`,
        ),
      ).catch((error: unknown) => {
        throw error instanceof HdsError ? error : handshakeFailure(error, target);
      });
      tlsInfo = checkServerCertificate(secure, target);
      confirmed.push(
        `TLS handshake done (${tlsInfo.protocol}); the server certificate "${tlsInfo.subject}" issued by "${tlsInfo.issuer}" is verified against ${tlsInfo.verifiedAgainst} for ${target.host}.`,
      );
    }
    // A syslog receiver never sends anything back and never closes first (RFC 6587, RFC 5425):
    // an answer or an early close says something else holds the port (an HTTP server, an SSH
    // banner, a TLS server that got plain text). rsyslog, syslog-ng and Graylog close their side
    // once ours is closed; a peer that does not may be anything that accepts connections.
    const peer = watchPeer(stream);
    // A batch of audit lines can outgrow the socket buffers: a receiver that stops reading (its
    // queue full) would leave this write pending for ever, and the change it follows unanswered.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            timeout(
              `${target.label} accepted the connection but stopped taking data: the ${record.length}-byte write was not taken within ${target.timeoutMs / 1000} s. The syslog server may be overloaded or its queue full; check its own log.`,
            ),
          ),
        target.timeoutMs,
      );
      stream.write(record, (error) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      });
    });
    await peer.until(() => peer.answered() || peer.ended || peer.error !== undefined, target.lingerMs);
    peer.check(target);
    if (peer.ended) throw closedFirst(target);
    stream.end();
    const closeWaitMs = Math.min(target.timeoutMs, 2000);
    await peer.until(() => peer.answered() || peer.closed || peer.error !== undefined, closeWaitMs);
    peer.check(target);
    const closedByServer = peer.closed;
    const how = target.tls ? 'TLS' : 'TCP';
    confirmed.push(
      closedByServer
        ? `Wrote the ${record.length}-byte record over ${how} and closed the connection cleanly.`
        : `Wrote the ${record.length}-byte record over ${how}, but the server did not close its side within ${closeWaitMs / 1000} s of ours, as syslog servers do: receipt is not confirmed.`,
    );
    return tlsInfo ? { confirmed, closedByServer, tls: tlsInfo } : { confirmed, closedByServer };
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
  const fail = (why: string, field: 'url' | 'tls' | 'rootCa'): never => {
    throw new HdsError(
      'SYSLOG_TLS_FAILED',
      `The TLS handshake with ${target.label} succeeded, but ${why}.`,
      field,
    );
  };
  const day = (text: string) => {
    const date = new Date(text);
    return Number.isNaN(date.getTime()) ? text : date.toISOString().slice(0, 10);
  };
  if (reason === 'ERR_TLS_CERT_ALTNAME_INVALID' || /altname|host/i.test(reason))
    fail(
      `its certificate "${info.subject}" is not issued for ${target.host}: it names ${certificateNames(certificate)} — use one of those names in the URL, or have the certificate reissued`,
      'url',
    );
  if (reason === 'CERT_HAS_EXPIRED')
    fail(
      `its certificate "${info.subject}" expired on ${day(certificate.valid_to)} — renew the syslog server's certificate, then test again`,
      'tls',
    );
  if (reason === 'CERT_NOT_YET_VALID')
    fail(
      `its certificate "${info.subject}" is not valid before ${day(certificate.valid_from)} — check the clock of this machine and of the CA that issued it`,
      'tls',
    );
  if (reason === 'DEPTH_ZERO_SELF_SIGNED_CERT')
    fail(
      `its certificate "${info.subject}" is self-signed${target.rootCaPem ? ' and is not the uploaded file' : ''} — upload that certificate itself as the root CA, or give the server a certificate from your CA`,
      'rootCa',
    );
  return fail(
    target.rootCaPem
      ? `its certificate "${info.subject}" (issued by "${info.issuer}") is not signed by the uploaded root CA (${reason}) — upload the CA that issued the syslog server's certificate`
      : `its certificate "${info.subject}" (issued by "${info.issuer}") is not signed by a publicly trusted CA (${reason}) — upload your syslog server's root CA`,
    'rootCa',
  );
}

/** The DNS names and addresses a certificate is for (subjectAltName, else its CN). */
function certificateNames(certificate: PeerCertificate): string {
  const names = (certificate.subjectaltname ?? '')
    .split(', ')
    .map((entry) => entry.replace(/^(DNS|IP Address):/, ''))
    .filter(Boolean);
  const cn = certificate.subject?.CN;
  if (names.length === 0) return cn ? `only ${Array.isArray(cn) ? cn.join(', ') : cn}` : 'no host name';
  return names.slice(0, 10).join(', ');
}

interface PeerWatch {
  answered(): boolean;
  ended: boolean;
  closed: boolean;
  error: unknown;
  /** Resolves when `done()` holds or after `ms`. */
  until(done: () => boolean, ms: number): Promise<void>;
  /** Throws what an answer or a broken connection means. */
  check(target: StreamTarget): void;
}

/** Records what the peer does after the connection is set up: its first bytes, its FIN, its close, an error. */
function watchPeer(stream: Socket): PeerWatch {
  const chunks: Buffer[] = [];
  let size = 0;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of waiters) waiter();
  };
  const watch: PeerWatch = {
    answered: () => size > 0,
    ended: false,
    closed: false,
    error: undefined,
    until(done, ms) {
      if (done()) return Promise.resolve();
      return new Promise((resolve) => {
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const check = () => {
          if (done()) finish();
        };
        const timer = setTimeout(finish, ms);
        waiters.add(check);
      });
    },
    check(target) {
      if (size > 0) throw notSyslog(Buffer.concat(chunks), target);
      if (watch.error !== undefined) throw afterWrite(watch.error, target);
    },
  };
  stream.on('data', (chunk: Buffer) => {
    if (size < 256) chunks.push(chunk);
    size += chunk.length;
    wake();
  });
  stream.on('end', () => {
    watch.ended = true;
    wake();
  });
  stream.on('close', () => {
    watch.closed = true;
    wake();
  });
  stream.on('error', (error) => {
    watch.error ??= error;
    wake();
  });
  return watch;
}

function closedFirst(target: StreamTarget): HdsError {
  return new HdsError(
    'SYSLOG_UNREACHABLE',
    target.tls
      ? `${target.label} closed the TLS connection right after the record was sent, before hds-setup closed its side; a syslog server keeps it open, so the record was probably dropped. Check the syslog server's own log (it may require a client certificate).`
      : `${target.label} closed the connection right after the record was sent, before hds-setup closed its side; a syslog server keeps it open, so the record was probably dropped. If that port expects TLS, turn TLS on; otherwise check the port and the syslog server's own log.`,
    'url',
  );
}

function notSyslog(answer: Buffer, target: StreamTarget): HdsError {
  // TLS record header (RFC 8446 section 5.1): content type 21 alert / 22 handshake, version 3.x.
  if (!target.tls && (answer[0] === 0x15 || answer[0] === 0x16) && answer[1] === 0x03)
    return new HdsError(
      'SYSLOG_UNREACHABLE',
      `${target.label} answered with TLS: that port expects TLS. Answer "Yes" to TLS (and upload the syslog server's root CA), or use the server's plain TCP port.`,
      'tls',
    );
  const firstLine = answer
    .toString('latin1')
    .split(/\r?\n/)[0]!
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 60);
  return new HdsError(
    'SYSLOG_UNREACHABLE',
    `Something listens on ${target.label}, but it is not a syslog server: it answered "${firstLine}" (a syslog server never answers). Check the port: syslog usually listens on 514 (6514 with TLS).`,
    'url',
  );
}

/** The connection broke after the record went out: the server dropped it, most likely unread. */
function afterWrite(error: unknown, target: StreamTarget): HdsError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (code !== 'ECONNRESET' && code !== 'EPIPE')
    return syslogNetworkError(error, target.label, target.tls ? 'tls' : 'tcp');
  return new HdsError(
    'SYSLOG_UNREACHABLE',
    target.tls
      ? `${target.label} reset the TLS connection after the record was sent (${code}), so it was probably dropped. The server may require a client certificate; check its own log.`
      : `${target.label} reset the connection after the record was sent (${code}), so it was probably dropped. If that port expects TLS, turn TLS on; otherwise check the syslog server's own log.`,
    'url',
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
    ? " The port does not seem to speak TLS: turn TLS off, or use the server's TLS port."
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
