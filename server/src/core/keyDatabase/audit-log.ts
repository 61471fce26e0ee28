import type { AuditRowToInsert } from './dialects/key-database-sql.js';
import type { KeyDatabase, KeyDatabaseSession } from './key-database.js';

/** What happened, for the key database's audit log and the syslog audit line. Never key material. */
export type AuditAction =
  | 'bind-master-key'
  | 'rebind-master-key'
  | 'accept-empty-database'
  | 'record-service-accounts'
  | 'add-tenant'
  | 'remove-tenant'
  | 'restore-tenant'
  | 'create-cmk'
  | 'revoke-cmk';

export interface AuditEntry extends AuditRowToInsert {
  action: AuditAction;
}

/** Writes audit rows on `session` — inside the caller's transaction, so they stand or fall with the change. */
export async function writeAudit(
  db: KeyDatabase,
  session: KeyDatabaseSession,
  entries: AuditEntry[],
  at: Date,
) {
  if (entries.length === 0) return;
  for (const statement of db.sql.insertAudit(entries, at)) await session.run(statement);
}
