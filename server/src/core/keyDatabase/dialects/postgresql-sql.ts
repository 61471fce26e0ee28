import type { SqlStatement } from '../key-database.js';
import type { KeyDatabaseSql, Migration, StoredCmks } from './key-database-sql.js';

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
  {
    version: 2,
    description: 'CMK integrity by statement-level triggers instead of a per-row foreign key',
    // PostgreSQL checks a foreign key with one trigger call and one locking lookup per inserted row
    // (the largest cost of a bulk CMK run). Instead, one trigger per statement checks every new CMK
    // against its tenant at once (and more than the key did: the tenant must be active and the key
    // the next version). The other half of the foreign key — a tenant cannot leave while a CMK
    // points at it — becomes a stronger rule the tool already follows: tenant rows are never
    // deleted (revoked tenants keep their row and last key version) and no org id ever changes. A
    // tenant found when a CMK is written therefore exists for as long as the CMK does.
    statements: [
      `DO $$
       DECLARE c record;
       BEGIN
         FOR c IN SELECT conname FROM pg_constraint
                  WHERE conrelid = 'hds_tenant_cmks'::regclass AND contype = 'f' LOOP
           EXECUTE format('ALTER TABLE hds_tenant_cmks DROP CONSTRAINT %I', c.conname);
         END LOOP;
       END $$`,
      `CREATE OR REPLACE FUNCTION hds_check_new_cmks() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE bad record;
       BEGIN
         -- A scalar subquery is one primary-key lookup per new row, whatever the table statistics
         -- say (a join's plan may scan every tenant per row when they are missing).
         SELECT c.org_id, c.key_version INTO bad FROM hds_new_cmks c
         WHERE (SELECT t.status = 'active' AND t.key_generation = c.key_version - 1
                FROM hds_tenants t WHERE t.org_id = c.org_id) IS NOT TRUE
         LIMIT 1;
         IF FOUND THEN
           RAISE EXCEPTION 'hds_tenant_cmks: no active tenant % waiting for key version %', bad.org_id, bad.key_version
             USING ERRCODE = 'foreign_key_violation',
                   HINT = 'A CMK is written for a listed, active tenant, with the version after its last revoked key.';
         END IF;
         RETURN NULL;
       END $$`,
      'DROP TRIGGER IF EXISTS hds_tenant_cmks_tenant ON hds_tenant_cmks',
      `CREATE TRIGGER hds_tenant_cmks_tenant AFTER INSERT ON hds_tenant_cmks
       REFERENCING NEW TABLE AS hds_new_cmks FOR EACH STATEMENT EXECUTE FUNCTION hds_check_new_cmks()`,
      `CREATE OR REPLACE FUNCTION hds_refuse_tenant_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION '% on %: tenant rows are never deleted and org ids never change', TG_OP, TG_TABLE_NAME
           USING ERRCODE = 'restrict_violation',
                 HINT = 'Mark a tenant removed, then revoke its CMK; a CMK must always have its tenant.';
       END $$`,
      'DROP TRIGGER IF EXISTS hds_tenants_kept ON hds_tenants',
      `CREATE TRIGGER hds_tenants_kept BEFORE DELETE OR TRUNCATE ON hds_tenants
       FOR EACH STATEMENT EXECUTE FUNCTION hds_refuse_tenant_change()`,
      'DROP TRIGGER IF EXISTS hds_tenants_org_id_kept ON hds_tenants',
      `CREATE TRIGGER hds_tenants_org_id_kept BEFORE UPDATE OF org_id ON hds_tenants
       FOR EACH ROW WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id) EXECUTE FUNCTION hds_refuse_tenant_change()`,
      'DROP TRIGGER IF EXISTS hds_tenant_cmks_org_id_kept ON hds_tenant_cmks',
      `CREATE TRIGGER hds_tenant_cmks_org_id_kept BEFORE UPDATE OF org_id ON hds_tenant_cmks
       FOR EACH ROW WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id) EXECUTE FUNCTION hds_refuse_tenant_change()`,
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
  revokedTenants: (orgIds) => [
    st(
      `SELECT org_id::text AS org_id, key_generation, updated_at AS revoked_at FROM hds_tenants
       WHERE org_id = ANY($1::uuid[]) AND status = 'revoked' ORDER BY org_id FOR UPDATE`,
      orgIds,
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
  // One text for the whole list: 10 000 org ids as one value, not 10 000 rows for the driver to parse.
  pendingTenantIds: () =>
    st(
      `SELECT string_agg(t.org_id::text, ',' ORDER BY t.org_id) AS org_ids FROM hds_tenants t
       WHERE t.status = 'active' AND NOT EXISTS (SELECT 1 FROM hds_tenant_cmks c WHERE c.org_id = t.org_id)`,
    ),
  orgIdList: (rows) => {
    const list = rows[0]?.org_ids;
    return typeof list === 'string' && list.length > 0 ? list.split(',') : [];
  },
  removedTenantIds: () =>
    st(`SELECT org_id::text AS org_id FROM hds_tenants WHERE status = 'removed' ORDER BY org_id`),
  lockTenantsForCmks: () => st('LOCK TABLE hds_tenants IN SHARE ROW EXCLUSIVE MODE'),
  // The bulk run's hot path, so what crosses the wire is packed: the org ids as one text, the
  // wrapped keys as one binary bytea cut by position, and the rows as stored come back as one row
  // of aggregates (org ids and keys end to end, the versions' and key lengths' range) rather than a
  // row per key for the driver to parse. `strict` looks no tenant up itself: the insert trigger
  // checks each one (once — a lookup here too would double the cost), and a refusal rolls the batch
  // back for a `lenient` run, which skips unfit tenants here and existing keys by ON CONFLICT.
  // Either way the batch holds the tenant table lock (lockTenantsForCmks), so what was checked stays.
  insertCmks: (cmks, at, mode) => {
    if (cmks.wrapped.length !== cmks.keySize * cmks.orgIds.length)
      throw new RangeError('The wrapped keys do not match the org ids.');
    const lenient = mode === 'lenient';
    return [
      st(
        `WITH ins AS (
           INSERT INTO hds_tenant_cmks (org_id, key_version, wrapped_key, algorithm, created_at)
           SELECT u.o, $2::int, substring($3::bytea FROM (u.i::int - 1) * $4::int + 1 FOR $4::int), $5, $6
           FROM unnest(string_to_array($1, ',')::uuid[]) WITH ORDINALITY AS u(o, i)${
             lenient
               ? `
           WHERE (SELECT t.status = 'active' AND t.key_generation = $2::int - 1
                  FROM hds_tenants t WHERE t.org_id = u.o) IS TRUE
           ON CONFLICT (org_id) DO NOTHING`
               : ''
           }
           RETURNING org_id, key_version, wrapped_key, algorithm),
         audit AS (
           INSERT INTO hds_audit_log (at, action, org_id, outcome, detail)
           SELECT $6, 'create-cmk', org_id, 'ok', 'key version ' || key_version || ', ' || algorithm FROM ins)
         SELECT count(*)::int AS n, string_agg(uuid_send(org_id), ''::bytea) AS org_ids,
                min(key_version) AS min_version, max(key_version) AS max_version,
                min(length(wrapped_key)) AS shortest, max(length(wrapped_key)) AS longest,
                string_agg(wrapped_key, ''::bytea) AS wrapped_keys
         FROM ins`,
        cmks.orgIds.join(','),
        cmks.keyVersion,
        cmks.wrapped,
        cmks.keySize,
        cmks.algorithm,
        at,
      ),
    ];
  },
  storedCmks: (rows) => {
    const row = rows[0];
    const count = Number(row?.n ?? 0);
    if (!row || count === 0)
      return { count: 0, orgIds: Buffer.alloc(0), keyVersion: null, keySize: null, wrapped: Buffer.alloc(0) };
    const orgIds = row.org_ids as Buffer;
    const wrapped = row.wrapped_keys as Buffer;
    const keySize = row.shortest === row.longest ? Number(row.shortest) : null;
    if (orgIds.length !== count * 16 || (keySize !== null && wrapped.length !== count * keySize))
      throw new RangeError('The stored CMKs came back cut short.');
    const stored: StoredCmks = {
      count,
      orgIds,
      keyVersion: row.min_version === row.max_version ? Number(row.min_version) : null,
      keySize,
      wrapped,
    };
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
  restoreTenant: (orgId, at) =>
    st(
      `UPDATE hds_tenants SET status = 'active', updated_at = $2 WHERE org_id = $1 AND status = 'removed'
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
