import type { SqlRow, SqlStatement } from '../key-database.js';

/** One tool-managed schema step; `statements` run in order inside the migration transaction. */
export interface Migration {
  version: number;
  description: string;
  statements: string[];
}

/**
 * One insert statement's new CMKs: one key version and algorithm for all of them, the wrapped keys
 * end to end (`keySize` bytes each, in `orgIds` order).
 */
export interface CmksToInsert {
  orgIds: string[];
  keyVersion: number;
  algorithm: string;
  keySize: number;
  wrapped: Buffer;
}

/**
 * How an insert statement treats tenants that cannot take the keys. `strict` (the bulk run's first
 * try) inserts every key or none: the database refuses the statement when a tenant already has a
 * CMK (primary key), is unknown, not active or waiting for another key version (the
 * `hds_tenant_cmks` insert trigger); the tool then rolls the batch back and runs it again `lenient`,
 * which skips those tenants.
 */
export type CmkInsertMode = 'strict' | 'lenient';

/**
 * The rows one `insertCmks` statement stored, decoded by `storedCmks`: the org ids as the UUIDs' 16
 * bytes end to end, and the wrapped keys end to end in the same order. `keyVersion` and `keySize`
 * are the stored rows' version and key length when all rows agree, otherwise null.
 */
export interface StoredCmks {
  count: number;
  orgIds: Buffer;
  keyVersion: number | null;
  keySize: number | null;
  wrapped: Buffer;
}

export interface AuditRowToInsert {
  action: string;
  orgId: string | null;
  outcome: 'ok' | 'failed';
  detail: string;
}

/**
 * Every statement the tool runs against its key database, per dialect. Column aliases are
 * lower-case snake_case in both dialects so the core reads rows the same way. Values always
 * travel as parameters.
 */
export interface KeyDatabaseSql {
  readonly dialect: 'postgresql' | 'sqlserver';
  readonly migrations: Migration[];
  /** Serialises concurrent migrations/bindings (two tools started at once). */
  lockSchema(): SqlStatement;
  /** Row `{ present: 0|1|boolean }`: does the metadata table exist yet? */
  metadataTablePresent(): SqlStatement;
  setSchemaVersion(version: number): SqlStatement;
  /** Row: schema_version, master_key_check, check_algorithm, deployment_label, bound_at. */
  readMetadata(forUpdate: boolean): SqlStatement;
  writeBinding(check: Buffer, algorithm: string, deploymentLabel: string, at: Date): SqlStatement;
  /** Row `{ n }`. */
  countCmks(): SqlStatement;
  insertAudit(rows: AuditRowToInsert[], at: Date): SqlStatement[];
  /** Rows: id, name, verifier, valid_from, valid_until, revoked_at. */
  listServiceAccounts(name: string): SqlStatement;
  insertServiceAccount(
    name: string,
    verifier: string,
    validFrom: Date,
    validUntil: Date,
    at: Date,
  ): SqlStatement;
  revokeServiceAccount(id: number, at: Date): SqlStatement;
  shortenServiceAccount(id: number, validUntil: Date): SqlStatement;
  /** Adds tenants; a revoked one comes back as active. Rows `{ org_id }` of those added. */
  addTenants(tenants: { orgId: string; name: string }[], at: Date): SqlStatement[];
  /**
   * Rows: org_id, key_generation (the last key version it had), revoked_at — of those of `orgIds` that
   * are revoked, locked until the transaction ends (read just before `addTenants` brings them back).
   */
  revokedTenants(orgIds: string[]): SqlStatement[];
  /** Rows: org_id, name, status, created_at, key_version, cmk_created_at (revoked tenants left out). */
  listTenants(): SqlStatement;
  /** Rows: org_id, name, status, key_generation, has_cmk — with `lock`, locked until the transaction ends. */
  readTenants(orgIds: string[], lock: boolean): SqlStatement[];
  /** Active tenants without a CMK, decoded by `orgIdList`. */
  pendingTenantIds(): SqlStatement;
  /** The org ids (lower-case) a `pendingTenantIds` statement returned. */
  orgIdList(rows: SqlRow[]): string[];
  /** Rows `{ org_id }` of removed tenants. */
  removedTenantIds(): SqlStatement;
  /**
   * Locks the tenant table for a bulk CMK transaction: other writers of tenants (remove, revoke, add,
   * another CMK run) wait until it ends, readers do not. So the tenants a batch checked stay as they
   * were until it commits, and two runs never insert for the same tenant at once.
   */
  lockTenantsForCmks(): SqlStatement;
  /**
   * Inserts wrapped CMKs and, in the same statement, one `create-cmk` audit row per key inserted.
   * Returns the rows as stored — the read-back the tool unwraps, decoded by `storedCmks`.
   */
  insertCmks(cmks: CmksToInsert, at: Date, mode: CmkInsertMode): SqlStatement[];
  /** What one `insertCmks` statement returned. */
  storedCmks(rows: SqlRow[]): StoredCmks;
  /** Rows: org_id, key_version, wrapped_key, algorithm. */
  readCmks(orgIds: string[]): SqlStatement[];
  markTenantRemoved(orgId: string, at: Date): SqlStatement;
  /**
   * Brings a removed tenant back to active (the undo of `markTenantRemoved`); its CMK, if any, is not
   * touched. Row `{ org_id }` when it was removed, none otherwise.
   */
  restoreTenant(orgId: string, at: Date): SqlStatement;
  /**
   * Marks the tenant revoked and deletes its wrapped key. The revoked key's version is kept in
   * key_generation, so a CMK created if the tenant comes back gets the next version.
   */
  revokeTenant(orgId: string, at: Date): SqlStatement[];
}
