import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../scripts/test-env/key-database.js';
import { type PostgresServer, startPostgres } from '../../../../scripts/test-env/postgres-server.js';
import { type RsyslogServer, startRsyslog } from '../../../../scripts/test-env/rsyslog-server.js';
import { type KeyDatabase, migrateKeyDatabase, postgresKeyDatabase } from '../keyDatabase/index.js';
import {
  addTenants,
  bulkRevokeConfirmation,
  CMK_ALGORITHM,
  createCmks,
  deriveCmkKek,
  listTenants,
  markTenantRemoved,
  parseTenantCsv,
  pendingTenantIds,
  revokeRemovedCmks,
  revokeTenantCmk,
  syslogAuditSender,
  unwrapCmk,
} from './index.js';

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
    expect(await addTenants(db, list, new Date())).toEqual({ added: 0, alreadyPresent: 5 });
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
    expect(outcome.done).toBeGreaterThanOrEqual(400);
    expect(outcome.done).toBeLessThan(1000);
    expect(outcome.done % 100).toBe(0);
    expect(outcome.done + outcome.remaining).toBe(1000);

    const after = await open(database);
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
    // One transaction of 1 201 tenants: three statements of 500 and one of 201, then the retry of `back`.
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
    const audit = syslogAuditSender({
      url: `udp://127.0.0.1:${syslog.udpPort}`,
      protocol: 'udp',
      host: '127.0.0.1',
      port: syslog.udpPort,
      tls: false,
      termination: 'newline',
    });
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
});
