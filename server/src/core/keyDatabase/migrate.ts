import { HdsError } from '../../../../contract/hds-error.js';
import type { KeyDatabase } from './key-database.js';

export interface MigrationOutcome {
  /** Schema version before and after; equal when there was nothing to do. */
  from: number;
  to: number;
  applied: number[];
}

/**
 * Brings the tool's schema up to date. Versioned (hds_metadata.schema_version) and idempotent:
 * a rerun is a no-op, two tools started at once serialise on a lock, and a failure rolls the
 * whole step back. A database migrated by a newer hds-setup is left alone.
 */
export async function migrateKeyDatabase(db: KeyDatabase): Promise<MigrationOutcome> {
  const latest = Math.max(...db.sql.migrations.map((m) => m.version));
  return db.transaction(async (tx) => {
    await tx.run(db.sql.lockSchema());
    const present = truthy((await tx.run(db.sql.metadataTablePresent()))[0]?.present);
    const from = present ? Number((await tx.run(db.sql.readMetadata(true)))[0]?.schema_version ?? 0) : 0;
    if (from > latest)
      throw new HdsError(
        'DB_SCHEMA_NEWER',
        `The key database at ${db.where} has schema version ${from}, written by a newer hds-setup (this one knows up to ${latest}). Use that newer version of hds-setup.`,
      );
    const applied: number[] = [];
    for (const migration of db.sql.migrations.filter((m) => m.version > from)) {
      for (const text of migration.statements) await tx.run({ text, params: [] });
      await tx.run(db.sql.setSchemaVersion(migration.version));
      applied.push(migration.version);
    }
    return { from, to: Math.max(from, latest), applied };
  });
}

/** Reads the schema version without changing anything (0 when the tool never ran here). */
export async function readSchemaVersion(db: KeyDatabase): Promise<number> {
  const present = truthy((await db.run(db.sql.metadataTablePresent()))[0]?.present);
  if (!present) return 0;
  return Number((await db.run(db.sql.readMetadata(false)))[0]?.schema_version ?? 0);
}

export function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}
