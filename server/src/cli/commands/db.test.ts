import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresServer, startPostgres } from '../../../../scripts/test-env/postgres-server.js';
import { runCli } from '../../../../scripts/test-env/run-cli.js';
import { createTestCa, issueServerCert, type TestCa } from '../../../../scripts/test-env/test-pki.js';

const PASSWORD = 'Cli-owner-pass-3e91';
let server: PostgresServer;
let ca: TestCa;
let dir: string;

beforeAll(async () => {
  ca = createTestCa('CLI Test DB Root');
  server = await startPostgres({ tls: issueServerCert(ca, 'db', { dnsNames: ['localhost'] }) });
  await server.sql(`CREATE ROLE hds LOGIN PASSWORD '${PASSWORD}'`);
  await server.sql('CREATE DATABASE hds_keys OWNER hds');
  dir = mkdtempSync(join(tmpdir(), 'hds-db-cli-'));
  writeFileSync(join(dir, 'db.pass'), `${PASSWORD}\n`);
  writeFileSync(join(dir, 'wrong.pass'), 'not-the-password-77');
  writeFileSync(join(dir, 'db-root.pem'), ca.certPem);
});
afterAll(() => server?.stop());

function answers(name: string, database: string): string {
  const path = join(dir, name);
  writeFileSync(path, `database:\n${database.replace(/^/gm, '  ')}\n`);
  return path;
}

const dbCheck = (...args: string[]) => runCli('db', 'check', ...args);

const good = () => `type: postgresql
hosts: ["localhost:${server.port}"]
name: hds_keys
username: hds
passwordFile: ./db.pass
tls: verify-full
rootCa: ./db-root.pem
advanced: { app_datasource_connection_pool_maxSize: 20, connectTimeoutSeconds: 5 }`;

describe('hds-setup db check', () => {
  it('exits 0 and reports the server, TLS and certificate (--json)', async () => {
    const r = await dbCheck('--answers', answers('good.yaml', good()), '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(true);
    expect(out.database.settings).toMatchObject({
      tlsMode: 'verify-full',
      advanced: { app_datasource_connection_pool_maxSize: 20 },
    });
    expect(out.database.liveTest).toMatchObject({
      ok: true,
      tls: { used: true, certificateSubject: 'CN=localhost' },
    });
    expect(out.database.rootCa.subject).toBe('CN=CLI Test DB Root');
    expect(r.stdout).not.toContain(PASSWORD);
  });

  it('prints a readable summary without --json', async () => {
    const r = await dbCheck('--answers', answers('good2.yaml', good()));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Database OK: hds_keys on localhost:\d+ as hds/);
    expect(r.stdout).toMatch(/TLSv1\.[23]/);
  });

  it('exits 1 with the live-test code (wrong password), never printing the password', async () => {
    const r = await dbCheck(
      '--answers',
      answers('wrong.yaml', good().replace('./db.pass', './wrong.pass')),
      '--json',
    );
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).errors[0]).toMatchObject({
      code: 'DB_AUTH_FAILED',
      field: 'database.password',
    });
    expect(r.stdout + r.stderr).not.toContain('not-the-password-77');
  });

  it('exits 1 for an unknown key, an inline password, or a missing secret', async () => {
    const unknown = await dbCheck(
      '--answers',
      answers('unknown.yaml', `${good()}\nsslmode: disable`),
      '--json',
    );
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout).errors[0].code).toBe('INVALID_INPUT');
    const inline = await dbCheck(
      '--answers',
      answers('inline.yaml', good().replace('passwordFile: ./db.pass', 'password: hunter2')),
      '--json',
    );
    expect(JSON.parse(inline.stdout).errors[0]).toMatchObject({
      code: 'ANSWERS_INVALID',
      field: 'database.password',
    });
    expect(inline.stdout).not.toContain('hunter2');
    const missing = await dbCheck(
      '--answers',
      answers(
        'env.yaml',
        good().replace('passwordFile: ./db.pass', 'passwordEnv: HDS_TEST_UNSET_DB_PASSWORD'),
      ),
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ANSWERS_SECRET_MISSING/);
  });
});
