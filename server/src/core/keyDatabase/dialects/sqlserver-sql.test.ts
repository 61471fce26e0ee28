import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Connection, Request } from 'tedious';
import { describe, expect, it } from 'vitest';
import type { SqlStatement } from '../key-database.js';
import { migrateKeyDatabase } from '../migrate.js';
import { sqlserverKeyDatabase } from '../sqlserver-key-database.js';
import { postgresqlSql } from './postgresql-sql.js';
import { SQLSERVER_MAX_PARAMS, sqlserverSql } from './sqlserver-sql.js';

// No SQL Server runs on this machine: these tests hold the dialect to its rules short of a live
// server (what remains untested live is listed in docs/key-database.md).

const hostile = `x'); DROP TABLE hds_tenants; --`;
const at = new Date('2025-01-01T00:00:00Z');

function cmksFor(orgIds: string[]) {
  return {
    orgIds,
    keyVersion: 1,
    algorithm: 'A256KWP',
    keySize: 64,
    wrapped: randomBytes(64 * orgIds.length),
  };
}

function everyStatement() {
  const ids = Array.from({ length: 1500 }, () => randomUUID());
  const s = sqlserverSql;
  return [
    s.lockSchema(),
    s.metadataTablePresent(),
    s.setSchemaVersion(1),
    s.readMetadata(true),
    s.writeBinding(randomBytes(32), 'alg', hostile, at),
    s.countCmks(),
    ...s.insertAudit(
      ids.map((id) => ({ action: 'create-cmk', orgId: id, outcome: 'ok' as const, detail: hostile })),
      at,
    ),
    s.listServiceAccounts(hostile),
    s.insertServiceAccount('kms', hostile, at, at, at),
    s.revokeServiceAccount(1, at),
    s.shortenServiceAccount(1, at),
    ...s.addTenants(
      ids.map((id) => ({ orgId: id, name: hostile })),
      at,
    ),
    ...s.revokedTenants(ids),
    s.listTenants(),
    ...s.readTenants(ids, true),
    s.pendingTenantIds(),
    s.removedTenantIds(),
    s.lockTenantsForCmks(),
    ...s.insertCmks(cmksFor(ids), at, 'strict'),
    ...s.insertCmks(cmksFor(ids), at, 'lenient'),
    ...s.readCmks(ids),
    s.markTenantRemoved(ids[0]!, at),
    s.restoreTenant(ids[0]!, at),
    ...s.revokeTenant(ids[0]!, at),
  ];
}

describe('the SQL Server dialect', () => {
  it('binds every value as a parameter: placeholders @p1..@pN match the values, none is spliced in', () => {
    for (const statement of everyStatement()) {
      const used = [...statement.text.matchAll(/@p(\d+)\b/g)].map((m) => Number(m[1]));
      const distinct = [...new Set(used)].sort((a, b) => a - b);
      expect(distinct).toEqual(statement.params.map((_, i) => i + 1));
      expect(statement.text).not.toContain('DROP TABLE');
      for (const p of statement.params)
        if (typeof p === 'string' && p.length > 8) expect(statement.text).not.toContain(p);
      expect(statement.params.length).toBeLessThanOrEqual(SQLSERVER_MAX_PARAMS);
      expect(statement.text).not.toMatch(/\$\d/);
    }
  });

  it('splits big batches under the 2100-parameter limit and keeps every row and its key', () => {
    const ids: string[] = Array.from({ length: 1500 }, () => randomUUID());
    const cmks = cmksFor(ids);
    for (const mode of ['strict', 'lenient'] as const) {
      const inserts = sqlserverSql.insertCmks(cmks, at, mode);
      expect(inserts.length).toBeGreaterThan(1);
      const boundIds = inserts.flatMap((s) =>
        s.params.filter((p) => typeof p === 'string' && ids.includes(p)),
      );
      expect(boundIds).toEqual(ids);
      const boundKeys = inserts.flatMap((s) => s.params.filter((p) => Buffer.isBuffer(p)) as Buffer[]);
      expect(Buffer.concat(boundKeys)).toEqual(cmks.wrapped);
      for (const s of inserts) {
        // The audit rows are written by the same batch that inserts the keys.
        expect(s.text).toMatch(/INSERT INTO dbo\.hds_audit_log[\s\S]*FROM @ins/);
        // strict inserts every key or none: the primary key and the insert trigger refuse a tenant
        // that does not fit; lenient skips it, and a tenant that already has a key.
        if (mode === 'strict') expect(s.text).not.toMatch(/JOIN dbo\.hds_tenants|NOT EXISTS/);
        else {
          expect(s.text).toMatch(
            /JOIN dbo\.hds_tenants t ON t\.org_id = s\.org_id AND t\.status = N'active'/,
          );
          expect(s.text).toMatch(/WHERE NOT EXISTS \(SELECT 1 FROM dbo\.hds_tenant_cmks/);
        }
      }
    }
  });

  it('restores only a removed tenant, to active, with the time and the org id back, and leaves its CMK alone', () => {
    const orgId = randomUUID();
    // The statement with each placeholder replaced by the name of the value bound to it.
    const named = (statement: SqlStatement) =>
      statement.text.replace(/@p(\d+)|\$(\d+)/g, (_m, a?: string, b?: string) => {
        const value = statement.params[Number(a ?? b) - 1];
        return value === orgId ? ':org' : value === at ? ':at' : ':other';
      });
    for (const dialect of [sqlserverSql, postgresqlSql]) {
      const statement = dialect.restoreTenant(orgId, at);
      expect(statement.params).toHaveLength(2);
      const text = named(statement);
      // Only a removed row moves, and it becomes active: an active, revoked or unknown org updates
      // nothing (no row back), which the core turns into its refusal.
      expect(text).toMatch(/^UPDATE (dbo\.)?hds_tenants SET status = N?'active', updated_at = :at\s/);
      expect(text).toMatch(/WHERE org_id = :org AND status = N?'removed'/);
      expect(text).toMatch(/AS org_id/);
      expect(text).not.toMatch(/hds_tenant_cmks|key_generation|DELETE|name =|:other/);
    }
    expect(sqlserverSql.restoreTenant(orgId, at).text).toMatch(
      /OUTPUT LOWER\(CONVERT\(nvarchar\(36\), inserted\.org_id\)\) AS org_id/,
    );
    // The exact mirror of marking removed.
    const remove = named(sqlserverSql.markTenantRemoved(orgId, at));
    expect(
      remove.replace("N'removed'", '§').replace("N'active'", "N'removed'").replace('§', "N'active'"),
    ).toBe(named(sqlserverSql.restoreTenant(orgId, at)));
  });

  it('reads back the stored rows as org id bytes and keys end to end, with one version and key size when all agree', () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const [ka, kb] = [randomBytes(64), randomBytes(64)];
    const stored = sqlserverSql.storedCmks([
      { org_id: a, key_version: 1, wrapped_key: ka },
      { org_id: b, key_version: 1, wrapped_key: kb },
    ]);
    expect(stored).toEqual({
      count: 2,
      orgIds: Buffer.from((a + b).replaceAll('-', ''), 'hex'),
      keyVersion: 1,
      keySize: 64,
      wrapped: Buffer.concat([ka, kb]),
    });
    const mixed = sqlserverSql.storedCmks([
      { org_id: a, key_version: 1, wrapped_key: ka },
      { org_id: b, key_version: 2, wrapped_key: randomBytes(60) },
    ]);
    expect(mixed).toMatchObject({ count: 2, keyVersion: null, keySize: null });
  });

  it('enforces the same CMK rules as the PostgreSQL schema: an active tenant and the next version, tenants kept', () => {
    const [pg2, ss2] = [postgresqlSql, sqlserverSql].map((d) => d.migrations.find((m) => m.version === 2)!);
    const pgText = pg2!.statements.join('\n');
    const ssText = ss2!.statements.join('\n');
    // One check per insert statement over all its new rows.
    expect(pgText).toMatch(
      /AFTER INSERT ON hds_tenant_cmks\s+REFERENCING NEW TABLE AS hds_new_cmks FOR EACH STATEMENT/,
    );
    expect(ssText).toMatch(/hds_tenant_cmks_tenant ON dbo\.hds_tenant_cmks AFTER INSERT/);
    for (const text of [pgText, ssText]) {
      expect(text).toMatch(/t\.status = N?'active' AND t\.key_generation = c\.key_version - 1/);
      expect(text).toMatch(/tenant rows are never deleted and org ids never change/);
    }
    expect(pgText).toMatch(/BEFORE DELETE OR TRUNCATE ON hds_tenants/);
    expect(ssText).toMatch(/ON dbo\.hds_tenants AFTER UPDATE, DELETE/);
  });

  it('has the same migrations, tables and one-CMK-per-tenant key as the PostgreSQL dialect', () => {
    expect(sqlserverSql.migrations.map((m) => m.version)).toEqual(
      postgresqlSql.migrations.map((m) => m.version),
    );
    const tables = (texts: string[]) =>
      [...texts.join('\n').matchAll(/CREATE TABLE (?:IF NOT EXISTS )?(?:dbo\.)?(\w+)/g)]
        .map((m) => m[1])
        .sort();
    expect(tables(sqlserverSql.migrations[0]!.statements)).toEqual(
      tables(postgresqlSql.migrations[0]!.statements),
    );
    expect(sqlserverSql.migrations[0]!.statements.join('\n')).toMatch(
      /hds_tenant_cmks \(org_id uniqueidentifier NOT NULL PRIMARY KEY/,
    );
  });

  it('runs a migration inside BEGIN … COMMIT under an application lock, typed parameters on the wire', async () => {
    const events: string[] = [];
    const fake = new EventEmitter() as unknown as Connection & EventEmitter;
    let version = 0;
    Object.assign(fake, {
      beginTransaction: (cb: (e?: Error) => void) => {
        events.push('BEGIN');
        cb();
      },
      commitTransaction: (cb: (e?: Error) => void) => {
        events.push('COMMIT');
        cb();
      },
      rollbackTransaction: (cb: (e?: Error) => void) => {
        events.push('ROLLBACK');
        cb();
      },
      execSql: (
        request: Request & {
          sqlTextOrProcedure: string;
          parameters: { name: string; type: { name: string } }[];
        },
      ) => {
        const text = request.sqlTextOrProcedure;
        events.push(
          `${text.trim().split(/\s+/).slice(0, 3).join(' ')} [${request.parameters.map((p) => `${p.name}:${p.type.name}`).join(',')}]`,
        );
        if (/OBJECT_ID\(N'dbo.hds_metadata', N'U'\) IS NULL THEN/.test(text))
          request.emit('row', [{ value: version ? 1 : 0, metadata: { colName: 'present' } }]);
        if (/^UPDATE dbo.hds_metadata SET schema_version/.test(text)) version = 2;
        (request as unknown as { callback: (e?: Error) => void }).callback();
      },
    });
    const db = sqlserverKeyDatabase(fake, 'sql.example.com/hds');
    await migrateKeyDatabase(db);
    expect(events[0]).toBe('BEGIN');
    expect(events[1]).toMatch(/^DECLARE @r int;/);
    expect(events.at(-1)).toBe('COMMIT');
    expect(events).toContain('UPDATE dbo.hds_metadata SET [p1:BigInt]');
    expect(events.filter((e) => e.startsWith('IF OBJECT_ID')).length).toBe(5);
    expect(events.filter((e) => e.startsWith('CREATE OR ALTER')).length).toBe(3);
  });
});
