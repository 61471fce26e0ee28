import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseSettingsInput } from '../../../../contract/database.js';
import { HdsError } from '../../../../contract/hds-error.js';
import {
  freePort,
  type PostgresServer,
  startPostgres,
} from '../../../../scripts/test-env/postgres-server.js';
import { createTestCa, issueServerCert, type TestCa } from '../../../../scripts/test-env/test-pki.js';
import { connectPostgres, runDatabaseLiveTest, validateDatabaseSettings } from './index.js';

// Real PostgreSQL 15 servers: one with TLS (certificate for DNS:localhost only, so 127.0.0.1 is a
// host-name mismatch), one with TLS for IP:127.0.0.1 only (so the name localhost is the mismatch),
// one without TLS. Started once for the file.
const PASSWORD = 'Owner-pass-7f3a9c';
const READER_PASSWORD = 'Reader-pass-2b8e1d';
let ca: TestCa;
let otherCa: TestCa;
let tlsServer: PostgresServer;
let plainServer: PostgresServer;
let ipOnlyServer: PostgresServer;

beforeAll(async () => {
  ca = createTestCa('HDS Test Database Root');
  otherCa = createTestCa('Some Other Root');
  const cert = issueServerCert(ca, 'db', { dnsNames: ['localhost'] });
  const ipCert = issueServerCert(ca, 'db-ip', { ips: ['127.0.0.1'] });
  [tlsServer, plainServer, ipOnlyServer] = await Promise.all([
    startPostgres({ tls: cert }),
    startPostgres(),
    startPostgres({ tls: ipCert }),
  ]);
  for (const server of [tlsServer, plainServer, ipOnlyServer]) {
    await server.sql(`CREATE ROLE hds LOGIN PASSWORD '${PASSWORD}'`);
    await server.sql(`CREATE ROLE reader LOGIN PASSWORD '${READER_PASSWORD}'`);
    await server.sql('CREATE DATABASE hds_keys OWNER hds');
  }
});

afterAll(async () => {
  await Promise.all([tlsServer?.stop(), plainServer?.stop(), ipOnlyServer?.stop()]);
});

function settings(overrides: Partial<DatabaseSettingsInput> = {}, server = tlsServer) {
  return validateDatabaseSettings({
    type: 'postgresql',
    hosts: [`127.0.0.1:${server.port}`],
    name: 'hds_keys',
    username: 'hds',
    tlsMode: 'prefer',
    advanced: { connectTimeoutSeconds: 3 },
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<HdsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HdsError);
  const e = error as HdsError;
  // No password in any message, whatever failed.
  for (const secret of [PASSWORD, READER_PASSWORD, 'wrong-password-x1'])
    expect(e.message).not.toContain(secret);
  return e;
}

const pw = (text = PASSWORD) => Buffer.from(text);

describe('live test succeeds in each TLS mode', () => {
  it.each([
    ['prefer', '127.0.0.1'],
    ['require', '127.0.0.1'],
    ['verify-ca', '127.0.0.1'],
    ['verify-full', 'localhost'],
  ] as const)('%s (host %s)', async (tlsMode, host) => {
    const result = await runDatabaseLiveTest(
      settings({ tlsMode, hosts: [`${host}:${tlsServer.port}`] }),
      pw(),
      ca.certPem,
    );
    expect(result.ok).toBe(true);
    expect(result.serverVersion).toMatch(/^PostgreSQL 15\./);
    expect(result.tls.used).toBe(true);
    expect(result.tls.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(result.tls.cipher).toBeTruthy();
    expect(result.tls.certificateSubject).toBe('CN=localhost');
    expect(new Date(result.tls.certificateNotAfter!).getTime()).toBeGreaterThan(Date.now());
  });

  it('prefer falls back to plaintext when the server offers no TLS', async () => {
    const result = await runDatabaseLiveTest(settings({}, plainServer), pw());
    expect(result.tls).toEqual({ used: false });
  });

  it('fails over past an unreachable first host', async () => {
    const dead = await freePort();
    const result = await runDatabaseLiveTest(
      settings({ hosts: [`127.0.0.1:${dead}`, `127.0.0.1:${tlsServer.port}`] }),
      pw(),
    );
    expect(result.host).toBe(`127.0.0.1:${tlsServer.port}`);
  });
});

describe('live test names exactly what failed', () => {
  it('DB_UNREACHABLE: nothing listens on the port (names host and port)', async () => {
    const dead = await freePort();
    const e = await failure(runDatabaseLiveTest(settings({ hosts: [`127.0.0.1:${dead}`] }), pw()));
    expect(e.code).toBe('DB_UNREACHABLE');
    expect(e.message).toContain(`127.0.0.1:${dead}`);
    expect(e.field).toBe('database.hosts.0');
  });

  it('DB_HOST_UNRESOLVED: the name does not resolve', async () => {
    const e = await failure(runDatabaseLiveTest(settings({ hosts: ['no-such-host.invalid:5432'] }), pw()));
    expect(e.code).toBe('DB_HOST_UNRESOLVED');
    expect(e.message).toContain('no-such-host.invalid');
  });

  it('DB_TLS_UNAVAILABLE: require against a server without TLS', async () => {
    const e = await failure(runDatabaseLiveTest(settings({ tlsMode: 'require' }, plainServer), pw()));
    expect(e.code).toBe('DB_TLS_UNAVAILABLE');
    expect(e.field).toBe('database.tlsMode');
  });

  it('DB_TLS_UNTRUSTED: the certificate is not signed by the uploaded root (names both)', async () => {
    const e = await failure(runDatabaseLiveTest(settings({ tlsMode: 'verify-ca' }), pw(), otherCa.certPem));
    expect(e.code).toBe('DB_TLS_UNTRUSTED');
    expect(e.message).toContain('CN=HDS Test Database Root');
    expect(e.message).toContain('CN=Some Other Root');
    expect(e.field).toBe('database.rootCa');
  });

  it('DB_TLS_HOSTNAME: an IP address that the certificate does not name (names both)', async () => {
    const e = await failure(runDatabaseLiveTest(settings({ tlsMode: 'verify-full' }), pw(), ca.certPem));
    expect(e.code).toBe('DB_TLS_HOSTNAME');
    expect(e.message).toContain('DNS:localhost');
    expect(e.message).toContain('"127.0.0.1"');
    expect(e.field).toBe('database.hosts.0');
  });

  it('DB_TLS_HOSTNAME: a host name that the certificate does not name (names both), never DB_TLS_UNTRUSTED', async () => {
    // The name is checked only after the signer: a name mismatch is not a wrong root CA.
    const e = await failure(
      runDatabaseLiveTest(
        settings({ tlsMode: 'verify-full', hosts: [`localhost:${ipOnlyServer.port}`] }),
        pw(),
        ca.certPem,
      ),
    );
    expect(e.code).toBe('DB_TLS_HOSTNAME');
    expect(e.message).toContain('IP:127.0.0.1');
    expect(e.message).toContain('"localhost"');
    expect(e.field).toBe('database.hosts.0');
  });

  it('verify-ca accepts a certificate whose names do not include the host name entered', async () => {
    const result = await runDatabaseLiveTest(
      settings({ tlsMode: 'verify-ca', hosts: [`localhost:${ipOnlyServer.port}`] }),
      pw(),
      ca.certPem,
    );
    expect(result.ok).toBe(true);
    expect(result.tls.certificateSubject).toBe('CN=127.0.0.1');
  });

  it('DB_AUTH_FAILED: wrong password', async () => {
    const e = await failure(runDatabaseLiveTest(settings(), pw('wrong-password-x1')));
    expect(e.code).toBe('DB_AUTH_FAILED');
    expect(e.field).toBe('database.password');
  });

  it('DB_NOT_FOUND: the database does not exist (says to create it)', async () => {
    const e = await failure(runDatabaseLiveTest(settings({ name: 'missing_keys' }), pw()));
    expect(e.code).toBe('DB_NOT_FOUND');
    expect(e.message).toContain('CREATE DATABASE "missing_keys"');
    expect(e.field).toBe('database.name');
  });

  it('DB_PERMISSION: an account that cannot create tables', async () => {
    const e = await failure(runDatabaseLiveTest(settings({ username: 'reader' }), pw(READER_PASSWORD)));
    expect(e.code).toBe('DB_PERMISSION');
    expect(e.message).toContain('reader');
  });

  it('reports the first host when no host of a failover list answers', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const e = await failure(
      runDatabaseLiveTest(settings({ hosts: [`127.0.0.1:${a}`, `127.0.0.1:${b}`] }), pw()),
    );
    expect(e.code).toBe('DB_UNREACHABLE');
    expect(e.message).toContain(`127.0.0.1:${a}`);
  });
});

describe('connectPostgres (what the key-database code uses)', () => {
  it('opens a TLS session as the nodes would and leaves no probe table behind', async () => {
    const client = await connectPostgres(
      settings({ tlsMode: 'verify-full', hosts: [`localhost:${tlsServer.port}`] }),
      pw(),
      ca.certPem,
    );
    try {
      const ssl = await client.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      expect(ssl.rows[0].ssl).toBe(true);
      const tables = await client.query(
        "SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE 'hds_setup_probe_%'",
      );
      expect(tables.rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('refuses a verify-ca connection to a server signed by another root', async () => {
    const e = await failure(connectPostgres(settings({ tlsMode: 'verify-ca' }), pw(), otherCa.certPem));
    expect(e.code).toBe('DB_TLS_UNTRUSTED');
  });

  it('skips a read-only server (target_session_attrs=read-write)', async () => {
    await plainServer.sql('ALTER DATABASE hds_keys SET default_transaction_read_only = on');
    try {
      const e = await failure(connectPostgres(settings({}, plainServer), pw()));
      expect(e.code).toBe('DB_UNREACHABLE');
      expect(e.message).toContain('read-only');
    } finally {
      await plainServer.sql('ALTER DATABASE hds_keys SET default_transaction_read_only = off');
    }
  });
});
