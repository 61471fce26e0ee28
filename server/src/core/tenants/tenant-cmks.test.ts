import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../scripts/test-env/key-database.js';
import {
  freePort,
  type PostgresServer,
  startPostgres,
} from '../../../../scripts/test-env/postgres-server.js';
import { rejectionOf } from '../../../../scripts/test-env/refusals.js';
import { type RsyslogServer, startRsyslog } from '../../../../scripts/test-env/rsyslog-server.js';
import { postgresqlSql } from '../keyDatabase/dialects/postgresql-sql.js';
import { type KeyDatabase, migrateKeyDatabase, postgresKeyDatabase } from '../keyDatabase/index.js';
import {
  addTenant,
  addTenants,
  bulkRevokeConfirmation,
  CMK_ALGORITHM,
  CMK_ALGORITHM_GCM_V1,
  createCmks,
  deriveCmkKek,
  listTenants,
  markTenantRemoved,
  parseTenantCsv,
  pendingTenantIds,
  removedTenantIds,
  restoreTenant,
  revokeRemovedCmks,
  revokeTenantCmk,
  syslogAuditSender,
  unwrapCmk,
} from './index.js';

/** What the wizard tells the admin to check when audit lines do not reach syslog. */
const REMEDY = 'Check the System logs page.';

function tenantCsv(count: number): string {
  const lines = ['org_id,name'];
  for (let i = 0; i < count; i++) lines.push(`${randomUUID()},Org ${String(i).padStart(5, '0')}`);
  return lines.join('\n');
}

describe('tenants and their CMKs on a real PostgreSQL', () => {
  let server: PostgresServer;
  let syslog: RsyslogServer;
  const clients: pg.Client[] = [];
  const masterKey = randomBytes(32);

  async function open(database: TestDatabase): Promise<{ db: KeyDatabase; client: pg.Client }> {
    const client = await database.connect();
    clients.push(client);
    return { db: postgresKeyDatabase(client, database.where), client };
  }
  async function fresh(name: string, tenants: number) {
    const database = await createTestDatabase(server, name);
    const opened = await open(database);
    await migrateKeyDatabase(opened.db);
    const list = parseTenantCsv(tenantCsv(tenants));
    await addTenants(opened.db, list, new Date());
    return { database, ...opened, list };
  }

  beforeAll(async () => {
    [server, syslog] = await Promise.all([startPostgres(), startRsyslog()]);
  });
  afterAll(async () => {
    for (const c of clients) await c.end().catch(() => undefined);
    await Promise.all([server?.stop(), syslog?.stop()]);
  });

  it('imports a CSV all or nothing and lists every tenant as CMK management pending', async () => {
    const { db, list } = await fresh('tn_import', 5);
    expect(await addTenants(db, list, new Date())).toEqual({
      added: 0,
      alreadyPresent: 5,
      previouslyRevoked: [],
      listedUnderOtherName: [],
      auditWarnings: [],
    });
    const tenants = await listTenants(db);
    expect(tenants.map((t) => t.status)).toEqual(Array(5).fill('pending'));
    expect(tenants.map((t) => t.name)).toEqual(list.map((t) => t.name));
  });

  it('creates 1 000 CMKs: each unwraps with the master key, and fails to unwrap under another org id', async () => {
    const { db, client, list } = await fresh('tn_create', 1000);
    const progress: number[] = [];
    const outcome = await createCmks(db, masterKey, await pendingTenantIds(db), {
      batchSize: 250,
      onProgress: (p) => progress.push(p.done),
    });
    expect(outcome).toMatchObject({ state: 'done', total: 1000, done: 1000, failed: 0, remaining: 0 });
    expect(progress).toEqual([250, 500, 750, 1000]);
    const rows = (
      await client.query(
        'SELECT org_id::text AS org_id, key_version, wrapped_key, algorithm FROM hds_tenant_cmks',
      )
    ).rows as { org_id: string; key_version: number; wrapped_key: Buffer; algorithm: string }[];
    expect(rows).toHaveLength(1000);
    // Each row records how it was wrapped, so rows of an earlier algorithm stay readable.
    expect(new Set(rows.map((r) => r.algorithm))).toEqual(new Set([CMK_ALGORITHM]));
    const kek = deriveCmkKek(masterKey);
    const otherKek = deriveCmkKek(randomBytes(32));
    const keys = new Set<string>();
    for (const [i, row] of rows.entries()) {
      keys.add(unwrapCmk(kek, row.org_id, row.key_version, row.wrapped_key, row.algorithm).toString('hex'));
      const other = rows[(i + 1) % rows.length]!.org_id;
      expect(() => unwrapCmk(kek, other, row.key_version, row.wrapped_key)).toThrow(
        expect.objectContaining({ code: 'CMK_UNWRAP_FAILED' }),
      );
    }
    expect(keys.size).toBe(1000);
    expect(() => unwrapCmk(otherKek, rows[0]!.org_id, 1, rows[0]!.wrapped_key)).toThrow(/does not open/);
    expect((await listTenants(db)).every((t) => t.status === 'managed')).toBe(true);
    // Running again is a no-op: still one CMK per tenant.
    const again = await createCmks(
      db,
      masterKey,
      list.map((t) => t.orgId),
    );
    expect(again).toMatchObject({ state: 'done', done: 1000 });
    expect((await client.query('SELECT count(*)::int AS n FROM hds_tenant_cmks')).rows[0].n).toBe(1000);
    const audit = await client.query(
      `SELECT count(*)::int AS n FROM hds_audit_log WHERE action = 'create-cmk'`,
    );
    expect(audit.rows[0].n).toBe(1000);
  });

  it('a connection killed halfway (pg_terminate_backend) leaves no half-done tenant; a rerun completes with one CMK each', async () => {
    const { database, db, client, list } = await fresh('tn_crash', 1000);
    const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    // The kill is sent once 400 tenants are done. So that it lands inside the next batch however
    // slow the machine, that batch's insert waits here (a test-only trigger) until it arrives.
    await client.query(`CREATE FUNCTION test_wait_for_kill() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (SELECT count(*) FROM hds_tenant_cmks) > 400 THEN PERFORM pg_sleep(60); END IF;
        RETURN NULL;
      END $$`);
    await client.query(`CREATE TRIGGER test_wait_for_kill AFTER INSERT ON hds_tenant_cmks
      FOR EACH STATEMENT EXECUTE FUNCTION test_wait_for_kill()`);
    let killed: Promise<unknown> | undefined;
    const outcome = await createCmks(db, masterKey, await pendingTenantIds(db), {
      batchSize: 100,
      onProgress: (p) => {
        if (p.done >= 400 && !killed) killed = server.sql(`SELECT pg_terminate_backend(${pid})`);
      },
    });
    await killed;
    expect(outcome.state).toBe('failed');
    expect(outcome.error?.code).toBe('DB_UNREACHABLE');
    expect(outcome.error?.message).toMatch(/run again to finish the rest/);
    expect(outcome.done).toBe(400);
    expect(outcome.done + outcome.remaining).toBe(1000);

    const after = await open(database);
    await after.client.query('DROP TRIGGER test_wait_for_kill ON hds_tenant_cmks');
    const state = await after.client.query(
      `SELECT (SELECT count(*)::int FROM hds_tenant_cmks) AS cmks,
              (SELECT count(*)::int FROM hds_audit_log WHERE action = 'create-cmk') AS audits,
              (SELECT count(*)::int FROM hds_audit_log a WHERE action = 'create-cmk'
                 AND NOT EXISTS (SELECT 1 FROM hds_tenant_cmks c WHERE c.org_id = a.org_id)) AS orphans`,
    );
    expect(state.rows[0]).toEqual({ cmks: outcome.done, audits: outcome.done, orphans: 0 });

    const rerun = await createCmks(after.db, masterKey, await pendingTenantIds(after.db), { batchSize: 100 });
    expect(rerun).toMatchObject({ state: 'done', done: 1000 - outcome.done, failed: 0 });
    const final = await after.client.query(
      'SELECT count(*)::int AS n, count(DISTINCT org_id)::int AS orgs FROM hds_tenant_cmks',
    );
    expect(final.rows[0]).toEqual({ n: 1000, orgs: 1000 });
    expect((await listTenants(after.db)).filter((t) => t.status === 'managed')).toHaveLength(list.length);
  });

  it('cancelling stops after the batch in flight; running again finishes the rest', async () => {
    const { db } = await fresh('tn_cancel', 300);
    const controller = new AbortController();
    const outcome = await createCmks(db, masterKey, await pendingTenantIds(db), {
      batchSize: 100,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    expect(outcome).toMatchObject({ state: 'cancelled', done: 100, remaining: 200 });
    expect(await createCmks(db, masterKey, await pendingTenantIds(db))).toMatchObject({
      state: 'done',
      done: 200,
    });
  });

  it('a batch of several statements settles every kind of tenant: new, managed, removed, revoked and back, unknown', async () => {
    const { db, client, list } = await fresh('tn_mixed', 1200);
    const ids = list.map((t) => t.orgId);
    const [managed, removed, back] = [ids.slice(0, 300), ids.slice(300, 310), ids[310]!];
    await createCmks(db, masterKey, [...managed, back]);
    for (const orgId of removed) await markTenantRemoved(db, orgId, new Date());
    await markTenantRemoved(db, back, new Date());
    await revokeTenantCmk(db, back, list[310]!.name);
    await addTenants(db, [list[310]!], new Date());
    const unknown = randomUUID();
    // One transaction of 1 201 tenants (statements of 1 000 and 201): refused by the database as a
    // whole, then run again skipping the tenants that do not fit, then `back` with its next version.
    const outcome = await createCmks(db, masterKey, [...ids, unknown], { batchSize: 1201 });
    expect(outcome).toMatchObject({ state: 'done', total: 1201, done: 1190, failed: 11, remaining: 0 });
    expect(outcome.failures.filter((f) => f.code === 'TENANT_STATE').map((f) => f.orgId)).toEqual(removed);
    expect(outcome.failures.find((f) => f.orgId === unknown)?.code).toBe('TENANT_NOT_FOUND');
    const rows = await client.query(
      'SELECT org_id::text AS org_id, key_version, wrapped_key FROM hds_tenant_cmks WHERE org_id = $1',
      [back],
    );
    expect(rows.rows[0].key_version).toBe(2);
    expect(unwrapCmk(deriveCmkKek(masterKey), back, 2, rows.rows[0].wrapped_key)).toHaveLength(32);
    const counts = await client.query(
      `SELECT (SELECT count(*)::int FROM hds_tenant_cmks) AS cmks,
              (SELECT count(*)::int FROM hds_audit_log WHERE action = 'create-cmk') AS audits`,
    );
    // 300 + 1 before; now every active tenant but the 10 removed ones: 1 190 keys, 1 191 creations audited.
    expect(counts.rows[0]).toEqual({ cmks: 1190, audits: 1191 });
  });

  it('a key the database stores differently from the one written fails its whole batch, which leaves nothing', async () => {
    const { db, client } = await fresh('tn_readback', 300);
    const ids = await pendingTenantIds(db);
    const altered = ids[150]!;
    // As a faulty driver, proxy or storage would: one stored key is not the one sent.
    await client.query(`CREATE FUNCTION alter_one_key() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.org_id = '${altered}' THEN NEW.wrapped_key := set_byte(NEW.wrapped_key, 9, get_byte(NEW.wrapped_key, 9) # 1); END IF;
        RETURN NEW;
      END $$`);
    await client.query(
      'CREATE TRIGGER alter_one_key BEFORE INSERT ON hds_tenant_cmks FOR EACH ROW EXECUTE FUNCTION alter_one_key()',
    );
    const outcome = await createCmks(db, masterKey, ids, { batchSize: 100 });
    expect(outcome).toMatchObject({ state: 'done', done: 200, failed: 100 });
    expect(new Set(outcome.failures.map((f) => f.code))).toEqual(new Set(['CMK_UNWRAP_FAILED']));
    expect(outcome.failures.map((f) => f.orgId)).toEqual(ids.slice(100, 200));
    expect(outcome.failures[0]!.message).toContain(altered);
    const counts = await client.query(
      `SELECT (SELECT count(*)::int FROM hds_tenant_cmks WHERE org_id = ANY($1::uuid[])) AS in_failed_batch,
              (SELECT count(*)::int FROM hds_tenant_cmks) AS cmks,
              (SELECT count(*)::int FROM hds_audit_log WHERE action = 'create-cmk') AS audits`,
      [ids.slice(100, 200)],
    );
    expect(counts.rows[0]).toEqual({ in_failed_batch: 0, cmks: 200, audits: 200 });
  });

  it('two runs over the same tenants at once: each tenant gets exactly one CMK and neither run fails', async () => {
    const { database, db, client } = await fresh('tn_race', 600);
    const other = await open(database);
    const ids = await pendingTenantIds(db);
    const [a, b] = await Promise.all([
      createCmks(db, masterKey, ids, { batchSize: 100 }),
      createCmks(other.db, masterKey, ids, { batchSize: 100 }),
    ]);
    for (const outcome of [a, b]) expect(outcome).toMatchObject({ state: 'done', done: 600, failed: 0 });
    const rows = (
      await client.query(
        'SELECT org_id::text AS org_id, key_version, wrapped_key, algorithm FROM hds_tenant_cmks',
      )
    ).rows as { org_id: string; key_version: number; wrapped_key: Buffer; algorithm: string }[];
    expect(new Set(rows.map((r) => r.org_id)).size).toBe(600);
    expect(rows).toHaveLength(600);
    const kek = deriveCmkKek(masterKey);
    for (const r of rows)
      expect(unwrapCmk(kek, r.org_id, r.key_version, r.wrapped_key, r.algorithm)).toHaveLength(32);
    const audits = await client.query(
      `SELECT count(*)::int AS n FROM hds_audit_log WHERE action = 'create-cmk'`,
    );
    expect(audits.rows[0].n).toBe(600);
  });

  it('the database itself refuses a CMK without its active tenant, a second CMK, and losing a tenant', async () => {
    const { db, client, list } = await fresh('tn_rules', 3);
    const [managed, removed, pending] = list.map((t) => t.orgId) as [string, string, string];
    await createCmks(db, masterKey, [managed]);
    await markTenantRemoved(db, removed, new Date());
    const insert = (orgId: string, version = 1) =>
      client.query(`INSERT INTO hds_tenant_cmks VALUES ($1, $2, '\\x00', 'x', now())`, [orgId, version]);
    const refused = (code: string) => expect.objectContaining({ code });
    // A CMK for no tenant, a removed one, or skipping a key version: refused (foreign_key_violation).
    await expect(insert(randomUUID())).rejects.toEqual(refused('23503'));
    await expect(insert(removed)).rejects.toEqual(refused('23503'));
    await expect(insert(pending, 2)).rejects.toEqual(refused('23503'));
    // A second current CMK: the primary key.
    await expect(insert(managed)).rejects.toEqual(refused('23505'));
    // Tenants are never deleted and no org id changes, so the tenant a CMK was checked against stays.
    for (const statement of [
      `DELETE FROM hds_tenants WHERE org_id = '${pending}'`,
      'TRUNCATE hds_tenants CASCADE',
      `UPDATE hds_tenants SET org_id = '${randomUUID()}' WHERE org_id = '${managed}'`,
      `UPDATE hds_tenant_cmks SET org_id = '${pending}' WHERE org_id = '${managed}'`,
    ])
      await expect(client.query(statement)).rejects.toEqual(refused('23001'));
    const counts = await client.query(
      `SELECT (SELECT count(*)::int FROM hds_tenants) AS tenants,
              (SELECT count(*)::int FROM hds_tenant_cmks WHERE org_id = '${managed}') AS cmks`,
    );
    expect(counts.rows[0]).toEqual({ tenants: 3, cmks: 1 });
    // The tool's own writes still go through: the pending tenant gets its key.
    expect(await createCmks(db, masterKey, [pending])).toMatchObject({ state: 'done', done: 1, failed: 0 });
  });

  it('a version-1 key database migrates forward: the foreign key gives way to the triggers, an AES-GCM CMK still opens', async () => {
    const database = await createTestDatabase(server, 'tn_v1');
    const { db, client } = await open(database);
    // The schema as the first hds-setup left it, with a tenant whose CMK was wrapped with AES-256-GCM
    // (the known answer of cmk-wrap.test.ts) and a tenant still pending.
    for (const text of postgresqlSql.migrations[0]!.statements) await client.query(text);
    await client.query('UPDATE hds_metadata SET schema_version = 1');
    const v1Key = Buffer.from([...Array(32).keys()]);
    const [oldOrg, newOrg] = ['3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b', randomUUID()];
    await addTenants(
      db,
      [
        { orgId: oldOrg, name: 'Old org' },
        { orgId: newOrg, name: 'New org' },
      ],
      new Date(),
    );
    const gcmV1 = Buffer.from(
      '000102030405060708090a0b3d7a63343c2e5ff70c626e005a7fa911ef6c718e864212ed796a922deced161738a3305a51a920a3c775edc2584cf777',
      'hex',
    );
    await client.query(`INSERT INTO hds_tenant_cmks VALUES ($1, 1, $2, $3, now())`, [
      oldOrg,
      gcmV1,
      CMK_ALGORITHM_GCM_V1,
    ]);

    expect(await migrateKeyDatabase(db)).toEqual({ from: 1, to: 2, applied: [2] });
    const foreignKeys = await client.query(
      `SELECT count(*)::int AS n FROM pg_constraint WHERE conrelid = 'hds_tenant_cmks'::regclass AND contype = 'f'`,
    );
    expect(foreignKeys.rows[0].n).toBe(0);
    const outcome = await createCmks(db, v1Key, [oldOrg, newOrg]);
    expect(outcome).toMatchObject({ state: 'done', done: 2, failed: 0 });
    const rows = (
      await client.query(
        'SELECT org_id::text AS org_id, key_version, wrapped_key, algorithm FROM hds_tenant_cmks ORDER BY algorithm',
      )
    ).rows as { org_id: string; key_version: number; wrapped_key: Buffer; algorithm: string }[];
    expect(rows.map((r) => [r.org_id, r.algorithm])).toEqual([
      [oldOrg, CMK_ALGORITHM_GCM_V1],
      [newOrg, CMK_ALGORITHM],
    ]);
    const kek = deriveCmkKek(v1Key);
    expect(unwrapCmk(kek, oldOrg, 1, rows[0]!.wrapped_key, rows[0]!.algorithm)).toEqual(
      Buffer.from([...Array(32).keys()].map((i) => 0xa0 + i)),
    );
    expect(unwrapCmk(kek, newOrg, 1, rows[1]!.wrapped_key, rows[1]!.algorithm)).toHaveLength(32);
    expect((await listTenants(db)).map((t) => t.status)).toEqual(['managed', 'managed']);
  });

  it('an org id typed in capitals is the same tenant; one that is no UUID is reported, not wrapped', async () => {
    const { db, list } = await fresh('tn_ids', 2);
    const [a, b] = list.map((t) => t.orgId) as [string, string];
    const outcome = await createCmks(db, masterKey, [a, b.toUpperCase(), b, 'not-an-org-id']);
    expect(outcome).toMatchObject({ state: 'done', total: 3, done: 2, failed: 1 });
    expect(outcome.failures).toEqual([
      expect.objectContaining({ orgId: 'not-an-org-id', code: 'TENANT_NOT_FOUND' }),
    ]);
    expect((await listTenants(db)).map((t) => t.status)).toEqual(['managed', 'managed']);
  });

  it('revokes only a removed tenant, only with its name typed, deletes the key and audits it — also to syslog', async () => {
    const { db, client, list } = await fresh('tn_revoke', 3);
    const [first, second, third] = list as [(typeof list)[0], (typeof list)[0], (typeof list)[0]];
    await createCmks(db, masterKey, [first.orgId, second.orgId, third.orgId]);
    await expect(revokeTenantCmk(db, first.orgId, first.name)).rejects.toMatchObject({
      code: 'TENANT_STATE',
    });
    await markTenantRemoved(db, first.orgId, new Date());
    expect((await listTenants(db)).find((t) => t.orgId === first.orgId)?.status).toBe('removalPending');
    await expect(revokeTenantCmk(db, first.orgId, 'org 00000')).rejects.toMatchObject({
      code: 'TENANT_CONFIRMATION_MISMATCH',
    });
    const audit = syslogAuditSender(
      {
        url: `udp://127.0.0.1:${syslog.udpPort}`,
        protocol: 'udp',
        host: '127.0.0.1',
        port: syslog.udpPort,
        tls: false,
        termination: 'newline',
      },
      undefined,
      REMEDY,
    );
    const result = await revokeTenantCmk(db, first.orgId, first.name, { audit });
    expect(result.auditWarnings).toEqual([]);
    const line = await syslog.waitForMessage(first.orgId);
    expect(line).toMatch(/CMK_REVOKE/);
    expect(line).toMatch(/revoked the CMK of org/);
    const cmks = await client.query('SELECT org_id::text AS org_id FROM hds_tenant_cmks WHERE org_id = $1', [
      first.orgId,
    ]);
    expect(cmks.rows).toEqual([]);
    const rows = await client.query(
      `SELECT action, outcome, detail FROM hds_audit_log WHERE org_id = $1 ORDER BY id`,
      [first.orgId],
    );
    expect(rows.rows.map((r) => r.action)).toEqual([
      'add-tenant',
      'create-cmk',
      'remove-tenant',
      'revoke-cmk',
    ]);
    expect((await listTenants(db)).map((t) => t.orgId)).not.toContain(first.orgId);

    // Bulk revoke of every removed tenant needs its own typed confirmation.
    await markTenantRemoved(db, second.orgId, new Date());
    await markTenantRemoved(db, third.orgId, new Date());
    await expect(revokeRemovedCmks(db, 'yes')).rejects.toMatchObject({
      code: 'TENANT_CONFIRMATION_MISMATCH',
    });
    expect(await revokeRemovedCmks(db, bulkRevokeConfirmation(2), { audit })).toMatchObject({
      state: 'done',
      done: 2,
    });
    await syslog.waitForMessage(third.orgId);
    expect(await listTenants(db)).toEqual([]);

    // A revoked org added again gets a fresh CMK with the next key version.
    await addTenants(db, [first], new Date());
    await createCmks(db, masterKey, [first.orgId], { audit });
    expect((await listTenants(db))[0]).toMatchObject({
      orgId: first.orgId,
      status: 'managed',
      keyVersion: 2,
    });
    expect(await syslog.waitForMessage(`CMK_CREATE`)).toContain(first.orgId);
  });

  it('restores a removed tenant: its CMK kept (managed again) or none (pending), audited, out of "revoke all removed"', async () => {
    const { db, client, list } = await fresh('tn_restore', 4);
    const [keyed, keyless, other, active] = list as [
      (typeof list)[0],
      (typeof list)[0],
      (typeof list)[0],
      (typeof list)[0],
    ];
    await createCmks(db, masterKey, [keyed.orgId, other.orgId, active.orgId]);
    const wrappedBefore = (
      await client.query('SELECT wrapped_key FROM hds_tenant_cmks WHERE org_id = $1', [keyed.orgId])
    ).rows[0].wrapped_key as Buffer;
    for (const t of [keyed, keyless, other]) await markTenantRemoved(db, t.orgId, new Date());
    expect(await removedTenantIds(db)).toHaveLength(3);

    const at = new Date('2030-02-03T04:05:06Z');
    const { restored } = await restoreTenant(db, keyed.orgId, at);
    expect(restored).toMatchObject({
      orgId: keyed.orgId,
      name: keyed.name,
      status: 'managed',
      keyVersion: 1,
    });
    // The same wrapped key, untouched, still opens.
    const after = await client.query(
      `SELECT t.status, t.updated_at, c.wrapped_key FROM hds_tenants t JOIN hds_tenant_cmks c USING (org_id)
       WHERE t.org_id = $1`,
      [keyed.orgId],
    );
    expect(after.rows[0]).toMatchObject({ status: 'active', updated_at: at, wrapped_key: wrappedBefore });
    expect(unwrapCmk(deriveCmkKek(masterKey), keyed.orgId, 1, wrappedBefore)).toHaveLength(32);
    expect((await restoreTenant(db, keyless.orgId, at)).restored).toMatchObject({ status: 'pending' });
    const audit = await client.query(
      `SELECT org_id::text AS org_id, action, outcome, detail, at FROM hds_audit_log
       WHERE action = 'restore-tenant' ORDER BY id`,
    );
    expect(audit.rows).toEqual([
      {
        org_id: keyed.orgId,
        action: 'restore-tenant',
        outcome: 'ok',
        detail: expect.stringMatching(/key version 1/),
        at,
      },
      {
        org_id: keyless.orgId,
        action: 'restore-tenant',
        outcome: 'ok',
        detail: expect.stringMatching(/no CMK/),
        at,
      },
    ]);

    // "Revoke all removed" now counts and revokes only the one still removed.
    expect(await removedTenantIds(db)).toEqual([other.orgId]);
    await expect(revokeRemovedCmks(db, bulkRevokeConfirmation(3))).rejects.toMatchObject({
      code: 'TENANT_CONFIRMATION_MISMATCH',
    });
    expect(await revokeRemovedCmks(db, bulkRevokeConfirmation(1))).toMatchObject({ state: 'done', done: 1 });
    const statuses = Object.fromEntries((await listTenants(db)).map((t) => [t.orgId, t.status]));
    expect(statuses).toEqual({
      [keyed.orgId]: 'managed',
      [keyless.orgId]: 'pending',
      [active.orgId]: 'managed',
    });
    // A keyless restored tenant gets its CMK as any pending one.
    expect(await createCmks(db, masterKey, await pendingTenantIds(db))).toMatchObject({ done: 1 });

    // Each refusal names what to do, and changes nothing.
    const notRemoved = await rejectionOf(restoreTenant(db, active.orgId, at));
    expect(notRemoved).toMatchObject({ code: 'TENANT_STATE', field: 'orgId' });
    expect(notRemoved.message).toMatch(/is not removed: it is listed as CMK managed\. Nothing to restore/);
    const revoked = await rejectionOf(restoreTenant(db, other.orgId, at));
    expect(revoked).toMatchObject({ code: 'TENANT_STATE', field: 'orgId' });
    expect(revoked.message).toMatch(/^The CMK \(key version 1\) of .+ was revoked on \d{4}-\d\d-\d\d/);
    expect(revoked.message).toMatch(/cannot be restored.*Add it again.*new CMK will be key version 2/);
    const unknown = await rejectionOf(restoreTenant(db, randomUUID(), at));
    expect(unknown).toMatchObject({ code: 'TENANT_NOT_FOUND', field: 'orgId' });
    expect(unknown.message).toMatch(/Check the id in Partner Hub/);
    const restores = await client.query(
      `SELECT count(*)::int AS n FROM hds_audit_log WHERE action = 'restore-tenant'`,
    );
    expect(restores.rows[0].n).toBe(2);
  });

  it('sends a syslog audit line for each tenant added, marked removed or restored; a syslog failure is a warning and the change stands', async () => {
    const { db, client, list } = await fresh('tn_audit_lines', 2);
    const [keyed, keyless] = list as [(typeof list)[0], (typeof list)[0]];
    await createCmks(db, masterKey, [keyed.orgId]);
    const udp = { url: `udp://127.0.0.1:${syslog.udpPort}`, protocol: 'udp' as const, port: syslog.udpPort };
    const audit = syslogAuditSender(
      { ...udp, host: '127.0.0.1', tls: false, termination: 'newline' },
      undefined,
      REMEDY,
    );
    const sd = (orgId: string, extra = '') => `[hdsAudit@32473 org="${orgId}"${extra} outcome="ok"]`;

    // One line per added tenant (as the audit log has one row each), never the org's name.
    const added = [
      { orgId: randomUUID(), name: 'Audit Added One' },
      { orgId: randomUUID(), name: 'Audit Added Two' },
    ];
    expect(await addTenants(db, [...added, keyed], new Date(), { audit })).toMatchObject({
      added: 2,
      alreadyPresent: 1,
      auditWarnings: [],
    });
    for (const { orgId } of added)
      expect(await syslog.waitForMessage(new RegExp(`TENANT_ADD .*${orgId}`))).toContain(
        ` TENANT_ADD ${sd(orgId)} hds-setup added org ${orgId} to the tenant list: ok`,
      );
    const one = { orgId: randomUUID(), name: 'Audit Added Alone' };
    expect(await addTenant(db, one, new Date(), { audit })).toEqual({ auditWarnings: [] });
    await syslog.waitForMessage(new RegExp(`TENANT_ADD .*${one.orgId}`));
    // Already listed: nothing changed, nothing audited.
    await expect(addTenant(db, one, new Date(), { audit })).rejects.toMatchObject({ code: 'TENANT_EXISTS' });

    expect(await markTenantRemoved(db, keyed.orgId, new Date(), { audit })).toEqual({ auditWarnings: [] });
    expect(await syslog.waitForMessage(new RegExp(`TENANT_REMOVE .*${keyed.orgId}`))).toContain(
      ` TENANT_REMOVE ${sd(keyed.orgId, ' keyVersion="1"')} hds-setup marked org ${keyed.orgId} removed from the cluster (its CMK, key version 1, stays until revoked): ok`,
    );
    await markTenantRemoved(db, keyless.orgId, new Date(), { audit });
    expect(await syslog.waitForMessage(new RegExp(`TENANT_REMOVE .*${keyless.orgId}`))).toContain(
      `removed from the cluster (no CMK): ok`,
    );
    expect((await restoreTenant(db, keyed.orgId, new Date(), { audit })).auditWarnings).toEqual([]);
    expect(await syslog.waitForMessage(new RegExp(`TENANT_RESTORE .*${keyed.orgId}`))).toContain(
      ` TENANT_RESTORE ${sd(keyed.orgId, ' keyVersion="1"')} hds-setup restored org ${keyed.orgId} to the cluster (its CMK, key version 1, was kept): ok`,
    );

    // Revoked, then added again: the line says so, with the revoked key version.
    await markTenantRemoved(db, keyed.orgId, new Date(), { audit });
    await revokeTenantCmk(db, keyed.orgId, keyed.name, { audit });
    await addTenants(db, [keyed], new Date(), { audit });
    expect(await syslog.waitForMessage(new RegExp(`TENANT_ADD .*${keyed.orgId}.*again`))).toContain(
      ` TENANT_ADD ${sd(keyed.orgId, ' revokedKeyVersion="1"')} hds-setup added org ${keyed.orgId} to the tenant list again after its CMK (key version 1) was revoked: ok`,
    );
    const names = [keyed, keyless, one, ...added].map((t) => t.name);
    for (const line of syslog.lines()) for (const name of names) expect(line).not.toContain(name);

    // Nothing listens on this TCP port: every change still commits, each answer carries the warning.
    const deadPort = await freePort();
    const refused = syslogAuditSender(
      {
        url: `tcp://127.0.0.1:${deadPort}`,
        protocol: 'tcp',
        host: '127.0.0.1',
        port: deadPort,
        tls: false,
        termination: 'newline',
      },
      undefined,
      REMEDY,
    );
    const warning = {
      code: 'SYSLOG_UNREACHABLE',
      lines: 1,
      message: expect.stringMatching(
        new RegExp(
          `^The change is saved and recorded in the key database's audit log, but 1 audit line did not reach syslog at tcp://127\\.0\\.0\\.1:${deadPort}: .*refused the connection.* ${REMEDY}$`,
        ),
      ),
    };
    const late = { orgId: randomUUID(), name: 'Added While Syslog Is Down' };
    expect((await addTenant(db, late, new Date(), { audit: refused })).auditWarnings).toEqual([warning]);
    const importedWhileDown = [randomUUID(), randomUUID(), randomUUID()].map((orgId, i) => ({
      orgId,
      name: `Down ${i}`,
    }));
    expect((await addTenants(db, importedWhileDown, new Date(), { audit: refused })).auditWarnings).toEqual([
      {
        ...warning,
        lines: 3,
        message: expect.stringMatching(/^The changes are saved .* but 3 audit lines did not reach syslog at/),
      },
    ]);
    expect((await markTenantRemoved(db, late.orgId, new Date(), { audit: refused })).auditWarnings).toEqual([
      warning,
    ]);
    expect((await listTenants(db)).find((t) => t.orgId === late.orgId)?.status).toBe('removalPending');
    const back = await restoreTenant(db, late.orgId, new Date(), { audit: refused });
    expect(back.auditWarnings).toEqual([warning]);
    expect(back.restored.status).toBe('pending');
    const rows = await client.query(`SELECT action FROM hds_audit_log WHERE org_id = $1 ORDER BY id`, [
      late.orgId,
    ]);
    expect(rows.rows.map((r) => r.action)).toEqual(['add-tenant', 'remove-tenant', 'restore-tenant']);
    expect(syslog.lines().join('\n')).not.toContain(late.orgId);
  });

  it('an org already listed under another name keeps its name, and the answer says so', async () => {
    const { db, list } = await fresh('tn_renamed', 3);
    const [a, b, c] = list as [(typeof list)[0], (typeof list)[0], (typeof list)[0]];
    await markTenantRemoved(db, c.orgId, new Date());
    const fresher = { orgId: randomUUID(), name: 'Newcomer' };
    const result = await addTenants(
      db,
      [{ ...a, name: 'Acme Renamed' }, b, { ...c, name: 'Gamma Renamed' }, fresher],
      new Date(),
    );
    expect(result).toEqual({
      added: 1,
      alreadyPresent: 3,
      auditWarnings: [],
      previouslyRevoked: [],
      listedUnderOtherName: [
        { orgId: a.orgId, name: 'Acme Renamed', listedAs: a.name },
        { orgId: c.orgId, name: 'Gamma Renamed', listedAs: c.name },
      ],
    });
    const names = Object.fromEntries((await listTenants(db)).map((t) => [t.orgId, t.name]));
    expect(names[a.orgId]).toBe(a.name);
    expect(names[c.orgId]).toBe(c.name);
    // One add: TENANT_EXISTS names the listed name, and for a removed org says how to bring it back.
    const renamed = await rejectionOf(addTenant(db, { ...a, name: 'Acme Renamed' }, new Date()));
    expect(renamed).toMatchObject({ code: 'TENANT_EXISTS', field: 'orgId' });
    expect(renamed.message).toContain(`already listed as ${a.name}; its name was not changed`);
    const same = await rejectionOf(addTenant(db, b, new Date()));
    expect(same.message).not.toMatch(/listed as/);
    const removed = await rejectionOf(addTenant(db, c, new Date()));
    expect(removed).toMatchObject({ code: 'TENANT_EXISTS' });
    expect(removed.message).toMatch(/marked removed.*restore it/);
  });
});
