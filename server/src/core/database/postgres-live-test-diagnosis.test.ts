import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseSettingsInput } from '../../../../contract/database.js';
import { type PostgresServer, startPostgres } from '../../../../scripts/test-env/postgres-server.js';
import { rejectionOf } from '../../../../scripts/test-env/refusals.js';
import {
  createSelfSignedServerCert,
  createTestCa,
  type IssuedCert,
  issueServerCert,
  type TestCa,
} from '../../../../scripts/test-env/test-pki.js';
import { runDatabaseLiveTest, validateDatabaseRootCa, validateDatabaseSettings } from './index.js';

// The live test's diagnosis of what admins meet in the field, each against a real peer: a server
// certificate that expired or is self-signed, pg_hba.conf lines that reject or want a client
// certificate, an account without CONNECT, and a port where something other than PostgreSQL (or
// nothing at all) answers.
const PASSWORD = 'Diag-pass-5c1e';
let ca: TestCa;
let selfSigned: IssuedCert;
let main: PostgresServer;
let expired: PostgresServer;
let selfSignedServer: PostgresServer;
let httpListener: Server;
let silentListener: Server;

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

beforeAll(async () => {
  ca = createTestCa('HDS Diagnosis Root');
  selfSigned = createSelfSignedServerCert('localhost');
  const good = issueServerCert(ca, 'db', { dnsNames: ['localhost'] });
  const old = issueServerCert(ca, 'old', {
    dnsNames: ['localhost'],
    validity: { notBefore: '20200101000000Z', notAfter: '20200201000000Z' },
  });
  [main, expired, selfSignedServer] = await Promise.all([
    startPostgres({
      tls: { ...good, clientCaPath: ca.certPath },
      hba: [
        'hostssl all rejected 127.0.0.1/32 reject',
        'hostssl all certuser 127.0.0.1/32 scram-sha-256 clientcert=verify-ca',
        'host all all 127.0.0.1/32 scram-sha-256',
      ],
    }),
    startPostgres({ tls: old }),
    startPostgres({ tls: selfSigned }),
  ]);
  for (const server of [main, expired, selfSignedServer]) {
    for (const role of ['hds', 'rejected', 'certuser', 'noconnect'])
      await server.sql(`CREATE ROLE ${role} LOGIN PASSWORD '${PASSWORD}'`);
    await server.sql('CREATE DATABASE hds_keys OWNER hds');
    await server.sql('REVOKE CONNECT ON DATABASE hds_keys FROM PUBLIC');
    await server.sql('GRANT CONNECT ON DATABASE hds_keys TO rejected, certuser');
  }
  // An HTTP server on the port (a wrong port, or a proxy that answers every connection).
  httpListener = createServer((s) =>
    s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n')),
  );
  // Accepts the connection and never says a word.
  silentListener = createServer(() => undefined);
  await Promise.all([listen(httpListener), listen(silentListener)]);
});

afterAll(async () => {
  httpListener?.close();
  silentListener?.close();
  await Promise.all([main?.stop(), expired?.stop(), selfSignedServer?.stop()]);
});

const portOf = (s: Server) => (s.address() as { port: number }).port;

function settings(overrides: Partial<DatabaseSettingsInput> = {}, server = main) {
  return validateDatabaseSettings({
    type: 'postgresql',
    hosts: [`localhost:${server.port}`],
    name: 'hds_keys',
    username: 'hds',
    tlsMode: 'require',
    advanced: { connectTimeoutSeconds: 3 },
    ...overrides,
  });
}

async function failure(s: ReturnType<typeof settings>, rootCaPem?: string) {
  const error = await rejectionOf(runDatabaseLiveTest(s, Buffer.from(PASSWORD), rootCaPem));
  expect(error.message).not.toContain(PASSWORD);
  return error;
}

describe('the server certificate', () => {
  it('expired: DB_TLS_UNTRUSTED says when it expired and to renew it, not that the root is wrong', async () => {
    for (const tlsMode of ['verify-ca', 'verify-full'] as const) {
      const e = await failure(settings({ tlsMode }, expired), ca.certPem);
      expect(e.code).toBe('DB_TLS_UNTRUSTED');
      expect(e.message).toContain('expired on 2020-02-01');
      expect(e.message).toMatch(/renew/i);
      expect(e.message).not.toContain('does not vouch');
    }
  });

  it('self-signed, with a CA as root: DB_TLS_UNTRUSTED says it is self-signed and to upload it', async () => {
    const e = await failure(settings({ tlsMode: 'verify-full' }, selfSignedServer), ca.certPem);
    expect(e.code).toBe('DB_TLS_UNTRUSTED');
    expect(e.message).toContain('self-signed');
    expect(e.message).toContain('CN=localhost');
  });

  it('self-signed, uploaded as its own root: accepted, and the live test succeeds', async () => {
    const s = settings({ tlsMode: 'verify-full' }, selfSignedServer);
    const root = validateDatabaseRootCa(s, selfSigned.certPem);
    expect(root?.subject).toBe('CN=localhost');
    const result = await runDatabaseLiveTest(s, Buffer.from(PASSWORD), root?.pem);
    expect(result.tls.used).toBe(true);
  });
});

describe('pg_hba.conf and grants', () => {
  it('a line that wants a client certificate: DB_AUTH_FAILED naming clientcert', async () => {
    const e = await failure(settings({ username: 'certuser' }));
    expect(e.code).toBe('DB_AUTH_FAILED');
    expect(e.message).toContain('client certificate');
    expect(e.message).toContain('clientcert');
  });

  it('a reject line: DB_AUTH_FAILED saying a line rejects it and an accepting line must come first', async () => {
    const e = await failure(settings({ username: 'rejected' }));
    expect(e.code).toBe('DB_AUTH_FAILED');
    expect(e.message).toMatch(/reject/);
    expect(e.message).toMatch(/before/);
  });

  it('no CONNECT on the database: DB_PERMISSION naming the grant to give', async () => {
    const e = await failure(settings({ username: 'noconnect' }));
    expect(e.code).toBe('DB_PERMISSION');
    expect(e.message).toContain('GRANT CONNECT ON DATABASE "hds_keys" TO "noconnect"');
  });
});

describe('what answers on the port', () => {
  it('something that is not PostgreSQL: DB_UNREACHABLE saying so, in every TLS mode', async () => {
    for (const tlsMode of ['prefer', 'require'] as const) {
      const e = await failure(settings({ tlsMode, hosts: [`127.0.0.1:${portOf(httpListener)}`] }));
      expect(e.code).toBe('DB_UNREACHABLE');
      expect(e.field).toBe('database.hosts.0');
      expect(e.message).toContain('not a PostgreSQL server');
      expect(e.message).toContain(`127.0.0.1:${portOf(httpListener)}`);
    }
  });

  it('something that is not PostgreSQL is skipped as the first of two hosts', async () => {
    const s = settings({ hosts: [`127.0.0.1:${portOf(httpListener)}`, `localhost:${main.port}`] });
    const result = await runDatabaseLiveTest(s, Buffer.from(PASSWORD));
    expect(result.host).toBe(`localhost:${main.port}`);
  });

  it('a peer that never answers: DB_UNREACHABLE within the timeout, naming it', async () => {
    const started = Date.now();
    const s = settings({
      tlsMode: 'prefer',
      hosts: [`127.0.0.1:${portOf(silentListener)}`],
      advanced: { connectTimeoutSeconds: 1 },
    });
    const e = await failure(s);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(e.code).toBe('DB_UNREACHABLE');
    expect(e.message).toContain('did not answer within 1 s');
  });
});
