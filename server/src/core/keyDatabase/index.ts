// The key database owned by hds-setup: schema, master-key binding, service-account registry, audit.
export type { AuditAction, AuditEntry } from './audit-log.js';
export {
  assertImportedIsoDatabase,
  assertIsoMatchesDatabase,
  type BindOptions,
  type BindOutcome,
  bindMasterKey,
  emptyDatabaseError,
  type ImportedIsoIdentity,
  type KeyDatabaseBinding,
  readBinding,
} from './binding.js';
export type { KeyDatabase, KeyDatabaseSession, SqlStatement } from './key-database.js';
export { type MigrationOutcome, migrateKeyDatabase, readSchemaVersion } from './migrate.js';
export { postgresKeyDatabase } from './postgres-key-database.js';
export {
  recordServiceAccounts,
  type ServiceAccountCheck,
  type ServiceAccountForRegistry,
  type ServiceAccountMode,
  serviceAccountErrorCode,
  serviceAccountErrors,
  verifyServiceAccountSecrets,
} from './service-account-registry.js';
