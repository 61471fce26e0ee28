import type { SqlRow, SqlStatement } from '../key-database.js';

/** One tool-managed schema step; `statements` run in order inside the migration transaction. */
export interface Migration {
  version: number;
  description: string;
  statements: string[];
}

export interface CmkRowToInsert {
  orgId: string;
  keyVersion: number;
  wrappedKey: Buffer;
  algorithm: string;
}

/** A CMK row as the database stored it, decoded from what `insertCmks` returns. */
export interface StoredCmk {
  orgId: string;
  keyVersion: number;
  wrappedKey: Buffer;
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
  /** Rows: org_id, name, status, created_at, key_version, cmk_created_at (revoked tenants left out). */
  listTenants(): SqlStatement;
  /** Rows: org_id, name, status, key_generation, has_cmk — with `lock`, locked until the transaction ends. */
  readTenants(orgIds: string[], lock: boolean): SqlStatement[];
  /** Rows `{ org_id }` of active tenants without a CMK. */
  pendingTenantIds(): SqlStatement;
  /** Rows `{ org_id }` of removed tenants. */
  removedTenantIds(): SqlStatement;
  /**
   * Inserts wrapped CMKs and, in the same statement, one `create-cmk` audit row per key inserted.
   * Returns the rows as stored — the read-back the tool unwraps, decoded by `storedCmks` — for the
   * tenants actually inserted: the primary key keeps one CMK per tenant, and a tenant that is no
   * longer active (or whose key generation moved on) is skipped.
   */
  insertCmks(rows: CmkRowToInsert[], at: Date): SqlStatement[];
  /** The rows one `insertCmks` statement returned, as org id (lower-case), key version, wrapped key. */
  storedCmks(rows: SqlRow[]): StoredCmk[];
  /** Rows: org_id, key_version, wrapped_key, algorithm. */
  readCmks(orgIds: string[]): SqlStatement[];
  markTenantRemoved(orgId: string, at: Date): SqlStatement;
  /**
   * Marks the tenant revoked and deletes its wrapped key. The revoked key's version is kept in
   * key_generation, so a CMK created if the tenant comes back gets the next version.
   */
  revokeTenant(orgId: string, at: Date): SqlStatement[];
}
