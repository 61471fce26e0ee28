import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../../scripts/test-env/key-database.js';
import { type PostgresServer, startPostgres } from '../../../../scripts/test-env/postgres-server.js';
import {
  assertImportedIsoDatabase,
  assertIsoMatchesDatabase,
  bindMasterKey,
  type KeyDatabase,
  migrateKeyDatabase,
  postgresKeyDatabase,
  readBinding,
  recordServiceAccounts,
  type ServiceAccountForRegistry,
  serviceAccountErrors,
  verifyServiceAccountSecrets,
} from './index.js';

const DAY = 24 * 60 * 60 * 1000;

describe('the key database on a real PostgreSQL', () => {
  let server: PostgresServer;
  const clients: pg.Client[] = [];
  async function open(name: string): Promise<{ db: KeyDatabase; client: pg.Client }> {
    const database = await createTestDatabase(server, name);
    const client = await database.connect();
    clients.push(client);
    return { db: postgresKeyDatabase(client, database.where), client };
  }
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    for (const c of clients) await c.end().catch(() => undefined);
    await server?.stop();
  });

  it('migrates an empty database, and a rerun is a no-op', async () => {
    const { db, client } = await open('kd_migrate');
    expect(await migrateKeyDatabase(db)).toEqual({ from: 0, to: 2, applied: [1, 2] });
    expect(await migrateKeyDatabase(db)).toEqual({ from: 2, to: 2, applied: [] });
    const tables = await client.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual([
      'hds_audit_log',
      'hds_metadata',
      'hds_service_accounts',
      'hds_tenant_cmks',
      'hds_tenants',
    ]);
  });

  it('two tools migrating at once both succeed and leave one schema', async () => {
    const database = await createTestDatabase(server, 'kd_concurrent');
    const [a, b] = [await database.connect(), await database.connect()];
    clients.push(a, b);
    const results = await Promise.all([
      migrateKeyDatabase(postgresKeyDatabase(a, database.where)),
      migrateKeyDatabase(postgresKeyDatabase(b, database.where)),
    ]);
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 2]);
  });

  it('refuses a schema written by a newer hds-setup with DB_SCHEMA_NEWER', async () => {
    const { db, client } = await open('kd_newer');
    await migrateKeyDatabase(db);
    await client.query('UPDATE hds_metadata SET schema_version = 99');
    await expect(migrateKeyDatabase(db)).rejects.toMatchObject({ code: 'DB_SCHEMA_NEWER' });
  });

  it('an account that may not create tables gets DB_PERMISSION', async () => {
    const database = await createTestDatabase(server, 'kd_rights');
    await server.sql(`CREATE ROLE kd_reader LOGIN PASSWORD 'reader-pw'`);
    const pgModule = await import('pg');
    const client = new pgModule.default.Client({
      host: server.host,
      port: server.port,
      user: 'kd_reader',
      password: 'reader-pw',
      database: database.name,
    });
    await client.connect();
    clients.push(client);
    await expect(migrateKeyDatabase(postgresKeyDatabase(client, database.where))).rejects.toMatchObject({
      code: 'DB_PERMISSION',
    });
  });

  it('binds the master key once, refuses another ISO with ISO_DB_MISMATCH, and never stores the key', async () => {
    const { db, client } = await open('kd_bind');
    await migrateKeyDatabase(db);
    const masterKey = randomBytes(32);
    const otherKey = randomBytes(32);
    expect(await readBinding(db)).toEqual({ bound: false, schemaVersion: 2 });
    await expect(assertIsoMatchesDatabase(db, otherKey)).resolves.toMatchObject({ bound: false });
    expect(await bindMasterKey(db, masterKey, { deploymentLabel: 'kms.example.com' })).toBe('bound');
    expect(await bindMasterKey(db, masterKey, { deploymentLabel: 'kms.example.com' })).toBe('already-bound');
    expect(await readBinding(db)).toMatchObject({ bound: true, deploymentLabel: 'kms.example.com' });
    await expect(assertIsoMatchesDatabase(db, masterKey)).resolves.toMatchObject({ bound: true });
    const mismatch = assertIsoMatchesDatabase(db, otherKey, '127.0.0.1/kd_bind');
    await expect(mismatch).rejects.toMatchObject({ code: 'ISO_DB_MISMATCH' });
    await expect(mismatch).rejects.toThrow(
      /does not belong to the database at 127\.0\.0\.1\/kd_bind; use the ISO generated for it/,
    );
    const dump = JSON.stringify((await client.query('SELECT * FROM hds_metadata')).rows);
    expect(dump).not.toContain(masterKey.toString('hex'));
    expect(dump).not.toContain(masterKey.toString('base64'));
    const audit = await client.query('SELECT action, outcome FROM hds_audit_log');
    expect(audit.rows).toEqual([{ action: 'bind-master-key', outcome: 'ok' }]);
  });

  it('a new deployment on a bound database: DB_ALREADY_BOUND; re-bind only when confirmed and no CMK exists', async () => {
    const { db, client } = await open('kd_rebind');
    await migrateKeyDatabase(db);
    await bindMasterKey(db, randomBytes(32), { deploymentLabel: 'first' });
    const second = randomBytes(32);
    await expect(bindMasterKey(db, second, { deploymentLabel: 'second' })).rejects.toMatchObject({
      code: 'DB_ALREADY_BOUND',
      message: expect.stringMatching(/holds no CMK yet.*--rebind/),
    });
    expect(await bindMasterKey(db, second, { deploymentLabel: 'second', rebind: true })).toBe('rebound');
    await expect(assertIsoMatchesDatabase(db, second)).resolves.toMatchObject({ deploymentLabel: 'second' });
    // Once a CMK exists, no confirmation can overwrite the binding.
    const orgId = '6f1c8d9e-0000-4000-8000-000000000001';
    await client.query(
      `INSERT INTO hds_tenants VALUES ($1, 'Acme', 'active', 1, now(), now());
       INSERT INTO hds_tenant_cmks VALUES ($1, 2, '\\x00', 'x', now())`.replaceAll('$1', `'${orgId}'`),
    );
    await expect(
      bindMasterKey(db, randomBytes(32), { deploymentLabel: 'third', rebind: true }),
    ).rejects.toMatchObject({
      code: 'DB_ALREADY_BOUND',
      message: expect.stringMatching(/holds 1 tenant CMK/),
    });
    const audit = await client.query('SELECT action FROM hds_audit_log ORDER BY id');
    expect(audit.rows.map((r) => r.action)).toEqual(['bind-master-key', 'rebind-master-key']);
  });

  it('an imported ISO meeting an empty database: ISO_DB_EMPTY naming it, nothing written; once confirmed, bound and audited', async () => {
    const { db, client } = await open('kd_empty');
    const masterKey = randomBytes(32);
    const iso = {
      deploymentId: '6f1c1a55-8d0e-4a53-9b7e-2f0c6c1d9a10',
      generation: 4,
      createdAt: '2026-11-01T09:30:00.000Z',
    };
    const tables = async () =>
      (
        await client.query(
          `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`,
        )
      ).rows[0].n;
    // Never touched by hds-setup (no schema), then prepared but never bound: both are "empty".
    for (const prepare of [async () => undefined, async () => void (await migrateKeyDatabase(db))]) {
      await prepare();
      const before = await tables();
      const refused = assertImportedIsoDatabase(db, masterKey, iso, false);
      await expect(refused).rejects.toMatchObject({ code: 'ISO_DB_EMPTY', field: 'acceptEmptyDatabase' });
      await expect(refused).rejects.toThrow(
        /key database at .*\/kd_empty is empty.*generation 4, made 2026-11-01.*wrong database.*--accept-empty-database/,
      );
      expect(await tables()).toBe(before);
    }
    await expect(assertImportedIsoDatabase(db, masterKey, iso, true)).resolves.toMatchObject({
      bound: false,
    });
    expect(await readBinding(db)).toMatchObject({ bound: false });

    expect(
      await bindMasterKey(db, masterKey, {
        deploymentLabel: 'kms.example.org',
        acceptedEmptyDatabase: { iso, confirmedBy: 'test' },
      }),
    ).toBe('bound');
    const audit = await client.query('SELECT action, outcome, detail FROM hds_audit_log ORDER BY id');
    expect(audit.rows.map((r) => r.action)).toEqual(['accept-empty-database', 'bind-master-key']);
    expect(audit.rows[0].detail).toMatch(
      /empty when generation 4 of deployment 6f1c1a55-.* was imported; the admin confirmed .*\(test\)/,
    );
    // Bound now: the same ISO passes without any confirmation, another ISO is a mismatch.
    await expect(assertImportedIsoDatabase(db, masterKey, iso, false)).resolves.toMatchObject({
      bound: true,
    });
    await expect(assertImportedIsoDatabase(db, randomBytes(32), iso, true)).rejects.toMatchObject({
      code: 'ISO_DB_MISMATCH',
    });
  });

  it('records service accounts; soft reset keeps the old secret 10 days, hard reset revokes it at once', async () => {
    const { db } = await open('kd_accounts');
    await migrateKeyDatabase(db);
    const t0 = new Date('2025-01-01T00:00:00Z');
    const make = (issuedAt: Date): ServiceAccountForRegistry[] =>
      (['kms', 'indexing', 'compliance'] as const).map((name) => ({
        name,
        secret: randomBytes(32),
        issuedAt,
        expiresAt: new Date(issuedAt.getTime() + 270 * DAY),
      }));
    const first = make(t0);
    await recordServiceAccounts(db, first, 'new', t0);
    expect((await verifyServiceAccountSecrets(db, first, t0)).ok).toBe(true);
    await recordServiceAccounts(db, first, 'keep', t0);
    expect((await verifyServiceAccountSecrets(db, first, t0)).accounts.map((a) => a.state)).toEqual([
      'current',
      'current',
      'current',
    ]);

    const t1 = new Date(t0.getTime() + 30 * DAY);
    const second = make(t1);
    await recordServiceAccounts(db, second, 'soft', t1);
    const afterSoft = await verifyServiceAccountSecrets(db, first, new Date(t1.getTime() + 9 * DAY));
    expect(afterSoft.ok).toBe(true);
    expect(afterSoft.accounts[0]).toMatchObject({ state: 'grace', validUntil: '2025-02-10T00:00:00.000Z' });
    const lateOld = await verifyServiceAccountSecrets(db, first, new Date(t1.getTime() + 11 * DAY));
    expect(lateOld.ok).toBe(false);
    expect(lateOld.accounts[0]?.state).toBe('expired');
    expect((await verifyServiceAccountSecrets(db, second, t1)).ok).toBe(true);

    const t2 = new Date(t1.getTime() + 2 * DAY);
    const third = make(t2);
    await recordServiceAccounts(db, third, 'hard', t2);
    const revoked = await verifyServiceAccountSecrets(db, second, t2);
    expect(revoked.ok).toBe(false);
    expect(revoked.accounts.map((a) => a.state)).toEqual(['revoked', 'revoked', 'revoked']);
    expect(revoked.accounts[0]?.message).toBe(
      'The kms secret was replaced by a hard reset on 2025-02-02 at 00:00 UTC and no longer works. Mount the current configuration ISO (the one that hard reset made) on this node.',
    );
    // Revoked and expired are different answers, each with its own code.
    expect(serviceAccountErrors(revoked.accounts).map((e) => e.code)).toEqual([
      'SERVICE_ACCOUNTS_REVOKED',
      'SERVICE_ACCOUNTS_REVOKED',
      'SERVICE_ACCOUNTS_REVOKED',
    ]);
    expect(serviceAccountErrors(lateOld.accounts)[0]?.code).toBe('SERVICE_ACCOUNTS_EXPIRED');
    expect((await verifyServiceAccountSecrets(db, third, t2)).ok).toBe(true);
    const stranger = await verifyServiceAccountSecrets(db, [{ name: 'kms', secret: randomBytes(32) }], t2);
    expect(stranger.accounts[0]?.state).toBe('unknown');
  });
});
