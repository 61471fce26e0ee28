import type { SqlParam, SqlStatement } from '../key-database.js';
import type { KeyDatabaseSql, Migration, StoredCmks } from './key-database-sql.js';

/** SQL Server allows 2100 parameters per request; batches are split to stay well below. */
export const SQLSERVER_MAX_PARAMS = 2000;

const table = (name: string, body: string) =>
  `IF OBJECT_ID(N'dbo.${name}', N'U') IS NULL CREATE TABLE dbo.${name} (${body})`;

const migrations: Migration[] = [
  {
    version: 1,
    description: 'metadata, service accounts, tenants, tenant CMKs, audit log',
    statements: [
      table(
        'hds_metadata',
        `id smallint NOT NULL PRIMARY KEY CHECK (id = 1), schema_version int NOT NULL,
         master_key_check varbinary(64) NULL, check_algorithm nvarchar(64) NULL,
         deployment_label nvarchar(256) NULL, bound_at datetimeoffset NULL`,
      ),
      `IF NOT EXISTS (SELECT 1 FROM dbo.hds_metadata WHERE id = 1)
       INSERT INTO dbo.hds_metadata (id, schema_version) VALUES (1, 0)`,
      table(
        'hds_service_accounts',
        `id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
         name nvarchar(32) NOT NULL CHECK (name IN (N'kms', N'indexing', N'compliance')),
         verifier nvarchar(512) NOT NULL, valid_from datetimeoffset NOT NULL, valid_until datetimeoffset NOT NULL,
         revoked_at datetimeoffset NULL, recorded_at datetimeoffset NOT NULL`,
      ),
      table(
        'hds_tenants',
        `org_id uniqueidentifier NOT NULL PRIMARY KEY,
         name nvarchar(256) NOT NULL CHECK (LEN(name) >= 1),
         status nvarchar(16) NOT NULL CHECK (status IN (N'active', N'removed', N'revoked')),
         key_generation int NOT NULL DEFAULT 0,
         created_at datetimeoffset NOT NULL, updated_at datetimeoffset NOT NULL`,
      ),
      // One current CMK per tenant: the primary key is the org id alone.
      table(
        'hds_tenant_cmks',
        `org_id uniqueidentifier NOT NULL PRIMARY KEY REFERENCES dbo.hds_tenants (org_id),
         key_version int NOT NULL CHECK (key_version > 0), wrapped_key varbinary(256) NOT NULL,
         algorithm nvarchar(64) NOT NULL, created_at datetimeoffset NOT NULL`,
      ),
      table(
        'hds_audit_log',
        `id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY, at datetimeoffset NOT NULL, action nvarchar(64) NOT NULL,
         org_id uniqueidentifier NULL, outcome nvarchar(16) NOT NULL, detail nvarchar(1024) NOT NULL`,
      ),
    ],
  },
  {
    version: 2,
    description: 'CMK integrity by statement-level triggers instead of a per-row foreign key',
    // The same rules as the PostgreSQL schema: a CMK is written only for an active tenant, with the
    // key version after its last revoked one, and tenant rows are never deleted nor org ids changed.
    // The foreign key stays here: SQL Server checks it inside the insert's own plan, set-based (the
    // per-row cost it has in PostgreSQL is what version 2 removes there), and it also bars TRUNCATE,
    // which fires no trigger in SQL Server.
    statements: [
      `CREATE OR ALTER TRIGGER dbo.hds_tenant_cmks_tenant ON dbo.hds_tenant_cmks AFTER INSERT AS
       BEGIN
         SET NOCOUNT ON;
         IF EXISTS (SELECT 1 FROM inserted c WHERE NOT EXISTS (SELECT 1 FROM dbo.hds_tenants t
                      WHERE t.org_id = c.org_id AND t.status = N'active' AND t.key_generation = c.key_version - 1))
           THROW 50010, N'hds_tenant_cmks: no active tenant waiting for that key version.', 1;
       END`,
      `CREATE OR ALTER TRIGGER dbo.hds_tenants_kept ON dbo.hds_tenants AFTER UPDATE, DELETE AS
       BEGIN
         SET NOCOUNT ON;
         IF EXISTS (SELECT 1 FROM deleted d WHERE NOT EXISTS (SELECT 1 FROM inserted i WHERE i.org_id = d.org_id))
           THROW 50011, N'hds_tenants: tenant rows are never deleted and org ids never change.', 1;
       END`,
      `CREATE OR ALTER TRIGGER dbo.hds_tenant_cmks_org_id_kept ON dbo.hds_tenant_cmks AFTER UPDATE AS
       BEGIN
         SET NOCOUNT ON;
         IF EXISTS (SELECT 1 FROM deleted d WHERE NOT EXISTS (SELECT 1 FROM inserted i WHERE i.org_id = d.org_id))
           THROW 50011, N'hds_tenant_cmks: org ids never change.', 1;
       END`,
    ],
  },
];

/** Builds `@pN` placeholders while collecting the values, so no value ever lands in the text. */
class Params {
  readonly values: SqlParam[] = [];
  add(value: SqlParam): string {
    this.values.push(value);
    return `@p${this.values.length}`;
  }
  statement(text: string): SqlStatement {
    return { text, params: this.values };
  }
}

function chunks<T>(items: T[], paramsPerItem: number, shared = 1): T[][] {
  // `shared` parameters are kept for the values every row of the statement uses (a timestamp…).
  const size = Math.max(1, Math.floor((SQLSERVER_MAX_PARAMS - shared) / paramsPerItem));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function one(text: string, ...values: SqlParam[]): SqlStatement {
  const p = new Params();
  return p.statement(text.replace(/\$(\d+)/g, (_m, n: string) => p.add(values[Number(n) - 1]!)));
}

function idList(orgIds: string[], build: (inList: string) => string): SqlStatement[] {
  return chunks(orgIds, 1).map((chunk) => {
    const p = new Params();
    return p.statement(build(chunk.map((id) => p.add(id)).join(', ')));
  });
}

const orgIdText = (column: string) => `LOWER(CONVERT(nvarchar(36), ${column}))`;

/** SQL Server 2016+: `@pN` parameters, multi-row VALUES split under the parameter limit. */
export const sqlserverSql: KeyDatabaseSql = {
  dialect: 'sqlserver',
  migrations,
  lockSchema: () =>
    one(
      `DECLARE @r int; EXEC @r = sp_getapplock @Resource = N'hds-setup-schema', @LockMode = N'Exclusive',
       @LockOwner = N'Transaction', @LockTimeout = 30000;
       IF @r < 0 THROW 50001, N'hds-setup could not take the schema lock', 1;`,
    ),
  metadataTablePresent: () =>
    one(`SELECT CASE WHEN OBJECT_ID(N'dbo.hds_metadata', N'U') IS NULL THEN 0 ELSE 1 END AS present`),
  setSchemaVersion: (version) => one('UPDATE dbo.hds_metadata SET schema_version = $1 WHERE id = 1', version),
  readMetadata: (forUpdate) =>
    one(
      `SELECT schema_version, master_key_check, check_algorithm, deployment_label, bound_at
       FROM dbo.hds_metadata${forUpdate ? ' WITH (UPDLOCK, HOLDLOCK)' : ''} WHERE id = 1`,
    ),
  writeBinding: (check, algorithm, label, at) =>
    one(
      `UPDATE dbo.hds_metadata SET master_key_check = $1, check_algorithm = $2, deployment_label = $3, bound_at = $4
       WHERE id = 1`,
      check,
      algorithm,
      label,
      at,
    ),
  countCmks: () => one('SELECT COUNT(*) AS n FROM dbo.hds_tenant_cmks'),
  insertAudit: (rows, at) =>
    chunks(rows, 5).map((chunk) => {
      const p = new Params();
      const values = chunk
        .map((r) => `(${[at, r.action, r.orgId, r.outcome, r.detail].map((v) => p.add(v)).join(', ')})`)
        .join(', ');
      return p.statement(
        `INSERT INTO dbo.hds_audit_log (at, action, org_id, outcome, detail) VALUES ${values}`,
      );
    }),
  listServiceAccounts: (name) =>
    one(
      `SELECT CONVERT(int, id) AS id, name, verifier, valid_from, valid_until, revoked_at
       FROM dbo.hds_service_accounts WHERE name = $1 ORDER BY valid_from DESC, id DESC`,
      name,
    ),
  insertServiceAccount: (name, verifier, from, until, at) =>
    one(
      `INSERT INTO dbo.hds_service_accounts (name, verifier, valid_from, valid_until, recorded_at)
       VALUES ($1, $2, $3, $4, $5)`,
      name,
      verifier,
      from,
      until,
      at,
    ),
  revokeServiceAccount: (id, at) =>
    one('UPDATE dbo.hds_service_accounts SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', id, at),
  shortenServiceAccount: (id, until) =>
    one(
      `UPDATE dbo.hds_service_accounts SET valid_until = CASE WHEN valid_until < $2 THEN valid_until ELSE $2 END
       WHERE id = $1`,
      id,
      until,
    ),
  addTenants: (tenants, at) =>
    chunks(tenants, 2).map((chunk) => {
      const p = new Params();
      const now = p.add(at);
      const values = chunk.map((t) => `(${p.add(t.orgId)}, ${p.add(t.name)})`).join(', ');
      return p.statement(
        `MERGE dbo.hds_tenants WITH (HOLDLOCK) AS t
         USING (VALUES ${values}) AS s (org_id, name) ON t.org_id = s.org_id
         WHEN MATCHED AND t.status = N'revoked' THEN
           UPDATE SET name = s.name, status = N'active', updated_at = ${now}
         WHEN NOT MATCHED THEN
           INSERT (org_id, name, status, created_at, updated_at) VALUES (s.org_id, s.name, N'active', ${now}, ${now})
         OUTPUT ${orgIdText('inserted.org_id')} AS org_id;`,
      );
    }),
  listTenants: () =>
    one(
      `SELECT ${orgIdText('t.org_id')} AS org_id, t.name, t.status, t.created_at, c.key_version,
              c.created_at AS cmk_created_at
       FROM dbo.hds_tenants t LEFT JOIN dbo.hds_tenant_cmks c ON c.org_id = t.org_id
       WHERE t.status <> N'revoked' ORDER BY LOWER(t.name), t.org_id`,
    ),
  revokedTenants: (orgIds) =>
    idList(
      orgIds,
      (ids) =>
        `SELECT ${orgIdText('t.org_id')} AS org_id, t.key_generation, t.updated_at AS revoked_at
         FROM dbo.hds_tenants t WITH (UPDLOCK, HOLDLOCK, ROWLOCK) WHERE t.org_id IN (${ids}) AND t.status = N'revoked'`,
    ),
  readTenants: (orgIds, lock) =>
    idList(
      orgIds,
      (ids) =>
        `SELECT ${orgIdText('t.org_id')} AS org_id, t.name, t.status, t.key_generation,
                CASE WHEN EXISTS (SELECT 1 FROM dbo.hds_tenant_cmks c WHERE c.org_id = t.org_id) THEN 1 ELSE 0 END
                  AS has_cmk
         FROM dbo.hds_tenants t${lock ? ' WITH (UPDLOCK, HOLDLOCK, ROWLOCK)' : ''} WHERE t.org_id IN (${ids})`,
    ),
  pendingTenantIds: () =>
    one(
      `SELECT ${orgIdText('t.org_id')} AS org_id FROM dbo.hds_tenants t
       WHERE t.status = N'active' AND NOT EXISTS (SELECT 1 FROM dbo.hds_tenant_cmks c WHERE c.org_id = t.org_id)
       ORDER BY t.org_id`,
    ),
  orgIdList: (rows) => rows.map((r) => String(r.org_id)),
  removedTenantIds: () =>
    one(
      `SELECT ${orgIdText('org_id')} AS org_id FROM dbo.hds_tenants WHERE status = N'removed' ORDER BY org_id`,
    ),
  // A table-level update lock: readers go on, every other writer of tenants waits (as PostgreSQL's
  // SHARE ROW EXCLUSIVE). TOP (1) makes the scan start, which is when the table lock is taken.
  lockTenantsForCmks: () =>
    one(
      'DECLARE @locked int; SELECT TOP (1) @locked = 1 FROM dbo.hds_tenants WITH (TABLOCK, UPDLOCK, HOLDLOCK);',
    ),
  insertCmks: (cmks, at, mode) => {
    if (cmks.wrapped.length !== cmks.keySize * cmks.orgIds.length)
      throw new RangeError('The wrapped keys do not match the org ids.');
    const indexed = cmks.orgIds.map((orgId, i) => ({ orgId, i }));
    return chunks(indexed, 2, 3).map((chunk) => {
      const p = new Params();
      const now = p.add(at);
      const version = p.add(cmks.keyVersion);
      const algorithm = p.add(cmks.algorithm);
      const values = chunk
        .map(
          ({ orgId, i }) =>
            `(${p.add(orgId)}, ${p.add(cmks.wrapped.subarray(i * cmks.keySize, (i + 1) * cmks.keySize))})`,
        )
        .join(', ');
      // strict: every key or none — the primary key and the insert trigger refuse unfit tenants.
      // lenient: unfit tenants and existing keys are skipped.
      const lenient =
        mode === 'lenient'
          ? `
         JOIN dbo.hds_tenants t ON t.org_id = s.org_id AND t.status = N'active' AND t.key_generation = ${version} - 1
         WHERE NOT EXISTS (SELECT 1 FROM dbo.hds_tenant_cmks c WITH (UPDLOCK, HOLDLOCK) WHERE c.org_id = s.org_id)`
          : '';
      return p.statement(
        `DECLARE @ins TABLE (org_id uniqueidentifier, key_version int, wrapped_key varbinary(256), algorithm nvarchar(64));
         INSERT INTO dbo.hds_tenant_cmks (org_id, key_version, wrapped_key, algorithm, created_at)
         OUTPUT inserted.org_id, inserted.key_version, inserted.wrapped_key, inserted.algorithm INTO @ins
         SELECT s.org_id, ${version}, s.wrapped_key, ${algorithm}, ${now}
         FROM (VALUES ${values}) AS s (org_id, wrapped_key)${lenient};
         INSERT INTO dbo.hds_audit_log (at, action, org_id, outcome, detail)
         SELECT ${now}, N'create-cmk', org_id, N'ok', CONCAT(N'key version ', key_version, N', ', algorithm) FROM @ins;
         SELECT ${orgIdText('org_id')} AS org_id, key_version, wrapped_key FROM @ins;`,
      );
    });
  },
  storedCmks: (rows) => {
    const keys = rows.map((r) => Buffer.from(r.wrapped_key as Uint8Array));
    const versions = new Set(rows.map((r) => Number(r.key_version)));
    const sizes = new Set(keys.map((k) => k.length));
    const stored: StoredCmks = {
      count: rows.length,
      orgIds: Buffer.concat(rows.map((r) => Buffer.from(String(r.org_id).replace(/-/g, ''), 'hex'))),
      keyVersion: versions.size === 1 ? [...versions][0]! : null,
      keySize: sizes.size === 1 ? [...sizes][0]! : null,
      wrapped: Buffer.concat(keys),
    };
    return stored;
  },
  readCmks: (orgIds) =>
    idList(
      orgIds,
      (ids) =>
        `SELECT ${orgIdText('org_id')} AS org_id, key_version, wrapped_key, algorithm
         FROM dbo.hds_tenant_cmks WHERE org_id IN (${ids})`,
    ),
  markTenantRemoved: (orgId, at) =>
    one(
      `UPDATE dbo.hds_tenants SET status = N'removed', updated_at = $2
       OUTPUT ${orgIdText('inserted.org_id')} AS org_id WHERE org_id = $1 AND status = N'active'`,
      orgId,
      at,
    ),
  restoreTenant: (orgId, at) =>
    one(
      `UPDATE dbo.hds_tenants SET status = N'active', updated_at = $2
       OUTPUT ${orgIdText('inserted.org_id')} AS org_id WHERE org_id = $1 AND status = N'removed'`,
      orgId,
      at,
    ),
  revokeTenant: (orgId, at) => [
    one(
      `UPDATE t SET status = N'revoked', updated_at = $2,
         key_generation = CASE WHEN c.key_version > t.key_generation THEN c.key_version ELSE t.key_generation END
       FROM dbo.hds_tenants t LEFT JOIN dbo.hds_tenant_cmks c ON c.org_id = t.org_id WHERE t.org_id = $1`,
      orgId,
      at,
    ),
    one('DELETE FROM dbo.hds_tenant_cmks WHERE org_id = $1', orgId),
  ],
};
