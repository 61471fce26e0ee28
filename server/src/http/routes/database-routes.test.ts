import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_HEADER } from '../../../../contract/client-header.js';
import { type PostgresServer, startPostgres } from '../../../../scripts/test-env/postgres-server.js';
import { createTestCa, issueServerCert, type TestCa } from '../../../../scripts/test-env/test-pki.js';
import { createApp } from '../app.js';
import { createLogger } from '../logger.js';

const TOKEN = 'database-routes-token-0123456789abcdef';
const PASSWORD = 'Route-owner-pass-51c7';
const WRONG = 'Route-wrong-pass-88aa';
let server: PostgresServer;
let ca: TestCa;

beforeAll(async () => {
  ca = createTestCa('Route Test DB Root');
  server = await startPostgres({
    tls: issueServerCert(ca, 'db', { dnsNames: ['localhost'], ips: ['127.0.0.1'] }),
  });
  await server.sql(`CREATE ROLE hds LOGIN PASSWORD '${PASSWORD}'`);
  await server.sql('CREATE DATABASE hds_keys OWNER hds');
});
afterAll(() => server?.stop());

async function signedIn() {
  const lines: string[] = [];
  const built = createApp({
    signInToken: TOKEN,
    host: '127.0.0.1',
    logger: createLogger((l) => lines.push(l)),
  });
  const res = await request(built.app).post('/api/session').set(CLIENT_HEADER, 'web').send({ token: TOKEN });
  const cookie = String(res.headers['set-cookie']).split(';')[0]!;
  const put = (body: unknown) =>
    request(built.app)
      .put('/api/database')
      .set(CLIENT_HEADER, 'web')
      .set('Cookie', cookie)
      .send(body as object);
  const get = () => request(built.app).get('/api/database').set('Cookie', cookie);
  return { ...built, lines, put, get };
}

const settings = (overrides: Record<string, unknown> = {}) => ({
  type: 'postgresql',
  hosts: [`127.0.0.1:${server.port}`],
  name: 'hds_keys',
  username: 'hds',
  tlsMode: 'verify-full',
  ...overrides,
});

describe('PUT /api/database', () => {
  it('runs the live test, keeps the section and echoes only non-secret values', async () => {
    const { put, get, state, lines } = await signedIn();
    const res = await put({ settings: settings(), password: PASSWORD, rootCaPem: ca.certPem });
    expect(res.status).toBe(200);
    expect(res.body.database.liveTest).toMatchObject({
      ok: true,
      tls: { used: true, certificateSubject: 'CN=localhost' },
    });
    expect(res.body.database.rootCa.subject).toBe('CN=Route Test DB Root');
    expect(res.body.database.settings.advanced).toEqual({
      app_datasource_connection_pool_maxSize: 10,
      connectTimeoutSeconds: 10,
    });
    expect(state.get('database')?.password.toString()).toBe(PASSWORD);
    const again = await get();
    expect(again.body.database.settings.hosts).toEqual([`127.0.0.1:${server.port}`]);
    for (const text of [res.text, again.text, lines.join('\n')]) expect(text).not.toContain(PASSWORD);
  });

  it('refuses a failed live test with its code beside the field, and records it when ignored', async () => {
    const { put, get, state, lines } = await signedIn();
    const refused = await put({ settings: settings(), password: WRONG, rootCaPem: ca.certPem });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([
      expect.objectContaining({ code: 'DB_AUTH_FAILED', field: 'database.password' }),
    ]);
    expect(state.get('database')).toBeUndefined();

    const ignored = await put({
      settings: settings(),
      password: WRONG,
      rootCaPem: ca.certPem,
      ignoreLiveTestFailure: true,
    });
    expect(ignored.status).toBe(200);
    expect(ignored.body.database.liveTest).toMatchObject({
      ok: false,
      ignored: true,
      code: 'DB_AUTH_FAILED',
    });
    expect((await get()).body.database.liveTest.code).toBe('DB_AUTH_FAILED');
    for (const text of [refused.text, ignored.text, lines.join('\n')]) expect(text).not.toContain(WRONG);
  });

  it('never lets a settings error be ignored', async () => {
    const { put } = await signedIn();
    const res = await put({
      settings: settings({ name: 'postgres' }),
      password: PASSWORD,
      rootCaPem: ca.certPem,
      ignoreLiveTestFailure: true,
    });
    expect(res.status).toBe(422);
    expect(res.body.errors[0]).toMatchObject({ code: 'DB_DEFAULT_DATABASE', field: 'database.name' });
  });

  it('names every empty field of an empty form at once, the password among them', async () => {
    const { put } = await signedIn();
    const res = await put({
      settings: { type: 'postgresql', hosts: [''], name: '', username: '', tlsMode: 'prefer' },
      password: '',
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'database.hosts.0',
      'database.name',
      'database.password',
      'database.username',
    ]);
  });

  it('names every field problem in one answer: an empty host does not hide the port, the name length or the password', async () => {
    const { put } = await signedIn();
    const res = await put({
      settings: {
        type: 'postgresql',
        hosts: ['', 'db1.example.org:70000'],
        name: 'n'.repeat(64),
        username: '',
        tlsMode: 'prefer',
      },
      password: '',
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'database.hosts.0',
      'database.hosts.1',
      'database.name',
      'database.password',
      'database.username',
    ]);
    expect(JSON.stringify(res.body.errors)).toMatch(/70000[\s\S]*63 bytes/);
  });

  it('DB_TYPE_CHANGED after importing an ISO of the other type', async () => {
    const { put, get, state } = await signedIn();
    state.set('previousDeployment', {
      generation: 3,
      createdAt: '2025-01-01T00:00:00Z',
      manifestSha256: 'a'.repeat(64),
      certificateCn: 'kms.example.org',
      certificateNotAfter: '2026-01-01T00:00:00Z',
      databaseType: 'sqlserver',
    });
    expect((await get()).body.previousType).toBe('sqlserver');
    const res = await put({ settings: settings(), password: PASSWORD, rootCaPem: ca.certPem });
    expect(res.body.errors[0]).toMatchObject({ code: 'DB_TYPE_CHANGED', field: 'database.type' });
    expect(res.body.errors[0].message).toContain('start a new deployment');
  });

  it('refuses unknown keys and a missing root CA for the verifying modes', async () => {
    const { put } = await signedIn();
    const unknown = await put({ settings: settings({ advanced: { idleTimeout: 5 } }), password: PASSWORD });
    expect(unknown.body.errors[0]).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'database.advanced.idleTimeout',
    });
    const noCa = await put({ settings: settings(), password: PASSWORD });
    expect(noCa.body.errors[0]).toMatchObject({ code: 'DB_CA_INVALID', field: 'database.rootCa' });
  });
});
