import { randomBytes, X509Certificate } from 'node:crypto';
import { checkServerIdentity } from 'node:tls';
import type pg from 'pg';
import type { DatabaseLiveTestSuccess, DatabaseSettings } from '../../../../contract/database.js';
import { type DatabaseHost, formatDatabaseHost } from '../../../../contract/database-host.js';
import { HdsError } from '../../../../contract/hds-error.js';
import { connectPostgresDetailed } from './connect-postgres.js';
import { atHost, databaseHosts, isNetworkFailure } from './database-hosts.js';
import { oneLine } from './database-root-ca.js';
import { diagnoseNetworkError } from './diagnose-network-error.js';
import { diagnosePostgresError } from './diagnose-postgres-error.js';
import { NOT_POSTGRES, probePostgresTls, type TlsProbe } from './postgres-tls-probe.js';

const MIN_VERSION_NUM = 140000;

/**
 * The PostgreSQL live test, step by step as the page lists them: reachability, TLS negotiation,
 * signer, host name, login, database exists, server version, right to create tables. Stops at
 * the first failure with its code. With several hosts, a host that cannot be reached (or is a
 * read-only standby) is skipped as the nodes' failover would; the first such failure is reported
 * when none is left.
 */
export async function runPostgresLiveTest(
  settings: DatabaseSettings,
  password: Buffer,
  rootCaPem?: string,
): Promise<DatabaseLiveTestSuccess> {
  const hosts = databaseHosts(settings);
  const skipped: HdsError[] = [];
  for (const [index, host] of hosts.entries()) {
    try {
      return await testOneHost(settings, host, index, password, rootCaPem);
    } catch (error) {
      if (!(error instanceof HdsError) || !isNetworkFailure(error) || index === hosts.length - 1) {
        if (skipped.length > 0 && error instanceof HdsError && isNetworkFailure(error)) throw skipped[0];
        throw error;
      }
      skipped.push(error);
    }
  }
  throw skipped[0];
}

async function testOneHost(
  settings: DatabaseSettings,
  host: DatabaseHost,
  index: number,
  password: Buffer,
  rootCaPem: string | undefined,
): Promise<DatabaseLiveTestSuccess> {
  const timeoutMs = settings.advanced.connectTimeoutSeconds * 1000;
  const probe = await probePostgresTls(host, timeoutMs, rootCaPem).catch((error: unknown) => {
    const e = error as { code?: string; answer?: Buffer };
    if (e.code === NOT_POSTGRES)
      throw new HdsError(
        'DB_UNREACHABLE',
        `Something answers on ${formatDatabaseHost(host)}, but it is not a PostgreSQL server (it answered ${describeAnswer(e.answer)}). Check the port (PostgreSQL listens on 5432 by default) and that no proxy or other service sits in between.`,
        `database.hosts.${index}`,
      );
    throw atHost(
      diagnoseNetworkError(error, host, settings) ?? diagnosePostgresError(error, settings, host),
      index,
    );
  });
  checkTls(settings, host, index, probe, rootCaPem);

  const { client, tls } = await connectPostgresDetailed(settings, password, rootCaPem, [{ host, index }]);
  try {
    const where = formatDatabaseHost(host);
    const version = await client.query<{ server_version: string; num: string }>(
      "SELECT current_setting('server_version') AS server_version, current_setting('server_version_num') AS num",
    );
    const serverVersion = version.rows[0]?.server_version ?? 'unknown';
    if (Number(version.rows[0]?.num) < MIN_VERSION_NUM)
      throw new HdsError(
        'DB_SERVER_TOO_OLD',
        `${where} runs PostgreSQL ${serverVersion}; HDS needs PostgreSQL 14 or later. Upgrade the server or use another one.`,
        `database.hosts.${index}`,
      );
    await checkCanCreateTables(client, settings, host);
    return {
      ok: true,
      host: where,
      serverVersion: `PostgreSQL ${serverVersion}`,
      tls: tls
        ? {
            used: true,
            protocol: probe.protocol,
            cipher: probe.cipher,
            certificateSubject: probe.peer ? oneLine(probe.peer.subject) : undefined,
            certificateNotAfter: probe.peer ? new Date(probe.peer.validTo).toISOString() : undefined,
          }
        : { used: false },
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

function checkTls(
  settings: DatabaseSettings,
  host: DatabaseHost,
  index: number,
  probe: TlsProbe,
  rootCaPem: string | undefined,
): void {
  const where = formatDatabaseHost(host);
  if (!probe.offered) {
    if (settings.tlsMode === 'prefer') return;
    throw new HdsError(
      'DB_TLS_UNAVAILABLE',
      `${where} does not offer TLS, but the TLS mode "${settings.tlsMode}" requires it. Turn TLS on at the server (ssl = on in postgresql.conf, with a certificate), or choose "Prefer TLS".`,
      'database.tlsMode',
    );
  }
  if (settings.tlsMode !== 'verify-ca' && settings.tlsMode !== 'verify-full') return;
  const peer = probe.peer!;
  if (!probe.authorized) throw untrusted(where, peer, probe.authorizationError, rootCaPem);
  if (settings.tlsMode === 'verify-full') {
    const mismatch = checkServerIdentity(host.host, peer.toLegacyObject());
    if (mismatch)
      throw new HdsError(
        'DB_TLS_HOSTNAME',
        `The certificate of ${where} is for ${certificateNames(peer)}, not for "${host.host}" as entered. Enter the host as the certificate names it, or choose "Require TLS and verify certificate signer" (verify-ca).`,
        `database.hosts.${index}`,
      );
  }
}

/** DB_TLS_UNTRUSTED worded by Node's reason: an expired or self-signed certificate is not a wrong root. */
function untrusted(
  where: string,
  peer: X509Certificate,
  reason: string | undefined,
  rootCaPem: string | undefined,
): HdsError {
  const subject = oneLine(peer.subject);
  const day = (text: string) => new Date(text).toISOString().slice(0, 10);
  const message =
    reason === 'CERT_HAS_EXPIRED'
      ? `The certificate of ${where} ("${subject}") expired on ${day(peer.validTo)}. Renew the database server’s certificate (ssl_cert_file) and reload the server.`
      : reason === 'CERT_NOT_YET_VALID'
        ? `The certificate of ${where} ("${subject}") is not valid before ${day(peer.validFrom)}. Check the clocks of this machine and of the database server, or issue a certificate valid from today.`
        : reason === 'DEPTH_ZERO_SELF_SIGNED_CERT'
          ? `The certificate of ${where} is self-signed ("${subject}"), so the uploaded root CA "${rootCaPem ? rootSubjectOf(rootCaPem) : 'none'}" cannot vouch for it. Upload that certificate itself as the root CA, or give the server a certificate signed by your CA.`
          : `The certificate of ${where} was issued by "${oneLine(peer.issuer)}", which the uploaded root CA "${rootCaPem ? rootSubjectOf(rootCaPem) : 'none'}" does not vouch for (${reason ?? 'unverified'}). Upload the root CA that signed the database server’s certificate.`;
  return new HdsError('DB_TLS_UNTRUSTED', message, 'database.rootCa');
}

function describeAnswer(answer: Buffer | undefined): string {
  const text = (answer ?? Buffer.alloc(0)).subarray(0, 40).toString('latin1');
  const printable = text.split(/[\r\n]/)[0]?.replace(/[^\x20-\x7e]/g, '?') ?? '';
  return printable.length >= 4 ? `"${printable}"` : 'with bytes PostgreSQL never sends';
}

function certificateNames(peer: { subject: string; subjectAltName?: string | undefined }): string {
  const san = peer.subjectAltName?.replace(/IP Address:/g, 'IP:');
  return san ? san : `${oneLine(peer.subject)} (it has no subjectAltName)`;
}

function rootSubjectOf(pem: string): string {
  const match = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(pem);
  try {
    return match ? oneLine(new X509Certificate(match[0]).subject) : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

/** Creates and drops a table inside a transaction that is rolled back: nothing is left behind. */
async function checkCanCreateTables(
  client: pg.Client,
  settings: DatabaseSettings,
  host: DatabaseHost,
): Promise<void> {
  const where = formatDatabaseHost(host);
  const table = `hds_setup_probe_${randomBytes(6).toString('hex')}`;
  try {
    await client.query('BEGIN');
    await client.query(`CREATE TABLE ${table} (id integer)`);
  } catch (error) {
    const e = error as { code?: string; message?: string };
    if (e.code === '42501')
      throw new HdsError(
        'DB_PERMISSION',
        `"${settings.username}" cannot create tables in "${settings.name}" on ${where} (the server said: "${e.message}"). Make it the database's owner, or grant it all privileges on the database and CREATE on its schema (GRANT ALL ON SCHEMA public TO "${settings.username}";).`,
        'database.username',
      );
    throw diagnosePostgresError(error, settings, host);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}
