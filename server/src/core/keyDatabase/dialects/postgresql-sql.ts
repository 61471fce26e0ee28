import type { SqlStatement } from '../key-database.js';
import type { KeyDatabaseSql, Migration, StoredCmk } from './key-database-sql.js';

const migrations: Migration[] = [
  {
    version: 1,
    description: 'metadata, service accounts, tenants, tenant CMKs, audit log',
    statements: [
      `CREATE TABLE IF NOT EXISTS hds_metadata (
        id smallint PRIMARY KEY CHECK (id = 1),
        schema_version integer NOT NULL,
        master_key_check bytea,
        check_algorithm text,
        deployment_label text,
        bound_at timestamptz)`,
      `INSERT INTO hds_metadata (id, schema_version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING`,
      `CREATE TABLE IF NOT EXISTS hds_service_accounts (
        id bigserial PRIMARY KEY,
        name text NOT NULL CHECK (name IN ('kms', 'indexing', 'compliance')),
        verifier text NOT NULL,
        valid_from timestamptz NOT NULL,
        valid_until timestamptz NOT NULL,
        revoked_at timestamptz,
        recorded_at timestamptz NOT NULL)`,
      `CREATE INDEX IF NOT EXISTS hds_service_accounts_name ON hds_service_accounts (name)`,
      `CREATE TABLE IF NOT EXISTS hds_tenants (
        org_id uuid PRIMARY KEY,
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 256),
        status text NOT NULL CHECK (status IN ('active', 'removed', 'revoked')),
        key_generation integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL)`,
      // One current CMK per tenant: the primary key is the org id alone.
      `CREATE TABLE IF NOT EXISTS hds_tenant_cmks (
        org_id uuid PRIMARY KEY REFERENCES hds_tenants (org_id),
        key_version integer NOT NULL CHECK (key_version > 0),
        wrapped_key bytea NOT NULL,
        algorithm text NOT NULL,
        created_at timestamptz NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS hds_audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        action text NOT NULL,
        org_id uuid,
        outcome text NOT NULL,
        detail text NOT NULL)`,
    ],
  },
];

const st = (text: string, ...params: SqlStatement['params']): SqlStatement => ({ text, params });

/** PostgreSQL 12+: `$n` placeholders, arrays through unnest/ANY so a batch is one round trip. */
export const postgresqlSql: KeyDatabaseSql = {
  dialect: 'postgresql',
  migrations,
  // An arbitrary constant: every hds-setup takes the same transaction-scoped advisory lock.
  lockSchema: () => st('SELECT pg_advisory_xact_lock(7310425119)'),
  metadataTablePresent: () => st(`SELECT to_regclass('hds_metadata') IS NOT NULL AS present`),
  setSchemaVersion: (version) => st('UPDATE hds_metadata SET schema_version = $1 WHERE id = 1', version),
  readMetadata: (forUpdate) =>
    st(
      `SELECT schema_version, master_key_check, check_algorithm, deployment_label, bound_at
       FROM hds_metadata WHERE id = 1${forUpdate ? ' FOR UPDATE' : ''}`,
    ),
  writeBinding: (check, algorithm, label, at) =>
    st(
      `UPDATE hds_metadata SET master_key_check = $1, check_algorithm = $2, deployment_label = $3, bound_at = $4
       WHERE id = 1`,
      check,
      algorithm,
      label,
      at,
    ),
  countCmks: () => st('SELECT count(*)::int AS n FROM hds_tenant_cmks'),
  insertAudit: (rows, at) => [
    st(
      `INSERT INTO hds_audit_log (at, action, org_id, outcome, detail)
       SELECT $1, a, o, r, d FROM unnest($2::text[], $3::uuid[], $4::text[], $5::text[]) AS t(a, o, r, d)`,
      at,
      rows.map((r) => r.action),
      rows.map((r) => r.orgId) as string[],
      rows.map((r) => r.outcome),
      rows.map((r) => r.detail),
    ),
  ],
  listServiceAccounts: (name) =>
    st(
      `SELECT id::int AS id, name, verifier, valid_from, valid_until, revoked_at
       FROM hds_service_accounts WHERE name = $1 ORDER BY valid_from DESC, id DESC`,
      name,
    ),
  insertServiceAccount: (name, verifier, from, until, at) =>
    st(
      `INSERT INTO hds_service_accounts (name, verifier, valid_from, valid_until, recorded_at)
       VALUES ($1, $2, $3, $4, $5)`,
      name,
      verifier,
      from,
      until,
      at,
    ),
  revokeServiceAccount: (id, at) =>
    st('UPDATE hds_service_accounts SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', id, at),
  shortenServiceAccount: (id, until) =>
    st('UPDATE hds_service_accounts SET valid_until = LEAST(valid_until, $2) WHERE id = $1', id, until),
  addTenants: (tenants, at) => [
    st(
      `INSERT INTO hds_tenants (org_id, name, status, created_at, updated_at)
       SELECT o, n, 'active', $3, $3 FROM unnest($1::uuid[], $2::text[]) AS t(o, n)
       ON CONFLICT (org_id) DO UPDATE SET name = EXCLUDED.name, status = 'active', updated_at = EXCLUDED.updated_at
       WHERE hds_tenants.status = 'revoked'
       RETURNING org_id::text AS org_id`,
      tenants.map((t) => t.orgId),
      tenants.map((t) => t.name),
      at,
    ),
  ],
  listTenants: () =>
    st(
      `SELECT t.org_id::text AS org_id, t.name, t.status, t.created_at, c.key_version, c.created_at AS cmk_created_at
       FROM hds_tenants t LEFT JOIN hds_tenant_cmks c ON c.org_id = t.org_id
       WHERE t.status <> 'revoked' ORDER BY lower(t.name), t.org_id`,
    ),
  readTenants: (orgIds, lock) => [
    st(
      `SELECT t.org_id::text AS org_id, t.name, t.status, t.key_generation,
              EXISTS (SELECT 1 FROM hds_tenant_cmks c WHERE c.org_id = t.org_id) AS has_cmk
       FROM hds_tenants t WHERE t.org_id = ANY($1::uuid[]) ORDER BY t.org_id${lock ? ' FOR UPDATE OF t' : ''}`,
      orgIds,
    ),
  ],
  pendingTenantIds: () =>
    st(
      `SELECT t.org_id::text AS org_id FROM hds_tenants t
       WHERE t.status = 'active' AND NOT EXISTS (SELECT 1 FROM hds_tenant_cmks c WHERE c.org_id = t.org_id)
       ORDER BY t.org_id`,
    ),
  removedTenantIds: () =>
    st(`SELECT org_id::text AS org_id FROM hds_tenants WHERE status = 'removed' ORDER BY org_id`),
  // This statement is the bulk run's hot path, so what crosses the wire is packed: org ids and
  // versions as one text each, the wrapped keys as one binary bytea cut by position, and the rows
  // as stored come back as one bytea of fixed-layout records (see storedCmks) rather than a row
  // per key for the driver to parse. Each tenant is found (and share-locked) through its primary
  // key, so a statement costs the same however many tenants the table holds; hashing the whole
  // table per statement cost more than the lookups at 10 000 tenants already.
  insertCmks: (rows, at) => {
    const size = rows[0]?.wrappedKey.length ?? 0;
    const algorithm = rows[0]?.algorithm ?? '';
    if (rows.some((r) => r.wrappedKey.length !== size || r.algorithm !== algorithm))
      throw new RangeError('One CMK insert statement takes wrapped keys of one algorithm and size.');
    return [
      st(
        `WITH src AS (
           SELECT u.o, u.v, substring($3::bytea FROM (u.i::int - 1) * $4::int + 1 FOR $4::int) AS w
           FROM unnest(string_to_array($1, ',')::uuid[], string_to_array($2, ',')::int[])
             WITH ORDINALITY AS u(o, v, i)
           CROSS JOIN LATERAL (
             SELECT 1 FROM hds_tenants t
             WHERE t.org_id = u.o AND t.status = 'active' AND t.key_generation = u.v - 1
             FOR SHARE OF t) AS active),
         ins AS (
           INSERT INTO hds_tenant_cmks (org_id, key_version, wrapped_key, algorithm, created_at)
           SELECT o, v, w, $5, $6 FROM src ON CONFLICT (org_id) DO NOTHING
           RETURNING org_id, key_version, wrapped_key, algorithm),
         audit AS (
           INSERT INTO hds_audit_log (at, action, org_id, outcome, detail)
           SELECT $6, 'create-cmk', org_id, 'ok', 'key version ' || key_version || ', ' || algorithm FROM ins)
         SELECT string_agg(uuid_send(org_id) || int4send(key_version) || int4send(length(wrapped_key)) || wrapped_key,
                           ''::bytea) AS stored
         FROM ins`,
        rows.map((r) => r.orgId).join(','),
        rows.map((r) => r.keyVersion).join(','),
        Buffer.concat(rows.map((r) => r.wrappedKey)),
        size,
        algorithm,
        at,
      ),
    ];
  },
  storedCmks: (rows) => {
    const stored: StoredCmk[] = [];
    for (const row of rows) {
      if (row.stored === null || row.stored === undefined) continue;
      const packed = row.stored as Buffer;
      // Records: org id (16 bytes) ‖ key version (int32) ‖ length (int32) ‖ wrapped key.
      for (let at = 0; at < packed.length; ) {
        if (at + 24 > packed.length) throw new RangeError('A stored CMK record is cut short.');
        const hex = packed.toString('hex', at, at + 16);
        const orgId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
        const keyVersion = packed.readInt32BE(at + 16);
        const length = packed.readInt32BE(at + 20);
        if (length < 0 || at + 24 + length > packed.length)
          throw new RangeError('A stored CMK record is cut short.');
        stored.push({ orgId, keyVersion, wrappedKey: packed.subarray(at + 24, at + 24 + length) });
        at += 24 + length;
      }
    }
    return stored;
  },
  readCmks: (orgIds) => [
    st(
      `SELECT org_id::text AS org_id, key_version, wrapped_key, algorithm
       FROM hds_tenant_cmks WHERE org_id = ANY($1::uuid[])`,
      orgIds,
    ),
  ],
  markTenantRemoved: (orgId, at) =>
    st(
      `UPDATE hds_tenants SET status = 'removed', updated_at = $2 WHERE org_id = $1 AND status = 'active'
       RETURNING org_id::text AS org_id`,
      orgId,
      at,
    ),
  revokeTenant: (orgId, at) => [
    st(
      `UPDATE hds_tenants t SET status = 'revoked', updated_at = $2, key_generation = GREATEST(t.key_generation,
         COALESCE((SELECT c.key_version FROM hds_tenant_cmks c WHERE c.org_id = t.org_id), 0))
       WHERE t.org_id = $1`,
      orgId,
      at,
    ),
    st('DELETE FROM hds_tenant_cmks WHERE org_id = $1', orgId),
  ],
};
