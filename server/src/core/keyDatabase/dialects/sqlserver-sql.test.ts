import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Connection, Request } from 'tedious';
import { describe, expect, it } from 'vitest';
import { migrateKeyDatabase } from '../migrate.js';
import { sqlserverKeyDatabase } from '../sqlserver-key-database.js';
import { postgresqlSql } from './postgresql-sql.js';
import { SQLSERVER_MAX_PARAMS, sqlserverSql } from './sqlserver-sql.js';

// No SQL Server runs on this machine: these tests hold the dialect to its rules short of a live
// server (what remains untested live is listed in docs/key-database.md).

const hostile = `x'); DROP TABLE hds_tenants; --`;
const at = new Date('2025-01-01T00:00:00Z');

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
    s.listTenants(),
    ...s.readTenants(ids, true),
    s.pendingTenantIds(),
    s.removedTenantIds(),
    ...s.insertCmks(
      ids.map((id) => ({ orgId: id, keyVersion: 1, wrappedKey: randomBytes(60), algorithm: 'A256GCM' })),
      at,
    ),
    ...s.readCmks(ids),
    s.markTenantRemoved(ids[0]!, at),
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

  it('splits big batches under the 2100-parameter limit and keeps every row', () => {
    const ids: string[] = Array.from({ length: 1500 }, () => randomUUID());
    const inserts = sqlserverSql.insertCmks(
      ids.map((id) => ({ orgId: id, keyVersion: 1, wrappedKey: randomBytes(60), algorithm: 'A256GCM' })),
      at,
    );
    expect(inserts.length).toBeGreaterThan(1);
    const boundIds = inserts.flatMap((s) => s.params.filter((p) => typeof p === 'string' && ids.includes(p)));
    expect(boundIds).toEqual(ids);
    // One CMK per tenant even without the constraint firing: the insert skips a tenant that has one.
    for (const s of inserts) {
      expect(s.text).toMatch(/WHERE NOT EXISTS \(SELECT 1 FROM dbo\.hds_tenant_cmks/);
      // The audit rows are written by the same batch that inserts the keys.
      expect(s.text).toMatch(/INSERT INTO dbo\.hds_audit_log[\s\S]*FROM @ins/);
    }
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
        if (/^UPDATE dbo.hds_metadata SET schema_version/.test(text)) version = 1;
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
  });
});
