import { HdsError } from '../../../../contract/hds-error.js';
import { writeAudit } from './audit-log.js';
import type { KeyDatabase, KeyDatabaseSession } from './key-database.js';
import { MASTER_KEY_CHECK_ALGORITHM, masterKeyCheckValue, masterKeyMatches } from './master-key-check.js';
import { readSchemaVersion } from './migrate.js';

export type KeyDatabaseBinding =
  | { bound: false; schemaVersion: number }
  | { bound: true; schemaVersion: number; boundAt: Date; deploymentLabel: string; checkAlgorithm: string };

interface MetadataRow {
  check: Buffer | null;
  binding: KeyDatabaseBinding;
}

async function readMetadata(
  db: KeyDatabase,
  session: KeyDatabaseSession,
  forUpdate: boolean,
): Promise<MetadataRow> {
  const row = (await session.run(db.sql.readMetadata(forUpdate)))[0];
  if (!row)
    throw new HdsError(
      'DB_NOT_CONFIGURED',
      `The key database at ${db.where} has not been prepared by hds-setup yet. Let hds-setup connect with an account that may create tables.`,
    );
  const schemaVersion = Number(row.schema_version);
  const check = row.master_key_check ? Buffer.from(row.master_key_check as Uint8Array) : null;
  if (!check) return { check, binding: { bound: false, schemaVersion } };
  return {
    check,
    binding: {
      bound: true,
      schemaVersion,
      boundAt: new Date(row.bound_at as Date),
      deploymentLabel: String(row.deployment_label ?? ''),
      checkAlgorithm: String(row.check_algorithm ?? ''),
    },
  };
}

/** Whether a master key is bound to this database, and since when (no secret in the answer). */
export async function readBinding(db: KeyDatabase): Promise<KeyDatabaseBinding> {
  if ((await readSchemaVersion(db)) === 0) return { bound: false, schemaVersion: 0 };
  return (await readMetadata(db, db, false)).binding;
}

/**
 * Refuses an ISO whose master key is not the one this database is bound to (after an import in
 * the wizard, and in every CLI command that connects). An unbound database accepts any ISO: the
 * binding is written when the next ISO is saved.
 */
export async function assertIsoMatchesDatabase(
  db: KeyDatabase,
  masterKey: Buffer,
  where: string = db.where,
): Promise<KeyDatabaseBinding> {
  if ((await readSchemaVersion(db)) === 0) return { bound: false, schemaVersion: 0 };
  const { check, binding } = await readMetadata(db, db, false);
  if (check && !masterKeyMatches(masterKey, check))
    throw new HdsError(
      'ISO_DB_MISMATCH',
      `This ISO does not belong to the database at ${where}; use the ISO generated for it (the database was bound on ${binding.bound ? binding.boundAt.toISOString() : 'an earlier run'}).`,
      'iso',
    );
  return binding;
}

/** What identifies an imported ISO in messages and the audit log (no secret). */
export interface ImportedIsoIdentity {
  deploymentId: string;
  generation: number;
  createdAt: string;
}

/**
 * An imported ISO comes from a deployment that was bound when its ISO was saved (whenever its
 * database was reachable), so an empty database here means the settings name the wrong database,
 * or it was wiped: carrying on would silently start a new key store without the tenants' CMKs.
 * Refused (ISO_DB_EMPTY) unless the admin explicitly confirmed this database is the right one.
 */
export function emptyDatabaseError(where: string, iso: ImportedIsoIdentity): HdsError {
  return new HdsError(
    'ISO_DB_EMPTY',
    `The key database at ${where} is empty: no master key was ever bound there, yet this ISO (generation ${iso.generation}, made ${iso.createdAt.slice(0, 10)}) comes from a deployment whose database is bound when its ISO is saved. These settings probably name the wrong database, or the database was wiped: going on would start a new, empty key store without this deployment's tenant CMKs. Check the database host and name, or restore the database from its backup. If it is the right database (the ISO was built without reaching it, and it never held tenant keys), confirm it — in the wizard tick "Use this empty database", on the command line add --accept-empty-database; the confirmation is recorded in its audit log.`,
    'acceptEmptyDatabase',
  );
}

/**
 * The check every front door makes when an imported ISO meets its reachable database, before it
 * writes anything there: a bound database must be bound to this ISO's master key
 * (ISO_DB_MISMATCH); an empty one needs the admin's confirmation (ISO_DB_EMPTY). Reads only.
 */
export async function assertImportedIsoDatabase(
  db: KeyDatabase,
  masterKey: Buffer,
  iso: ImportedIsoIdentity,
  acceptEmptyDatabase: boolean,
): Promise<KeyDatabaseBinding> {
  const binding = await assertIsoMatchesDatabase(db, masterKey);
  if (!binding.bound && !acceptEmptyDatabase) throw emptyDatabaseError(db.where, iso);
  return binding;
}

export interface BindOptions {
  /** The admin confirmed (typed, or `--rebind`) overwriting the binding of a database without CMKs. */
  rebind?: boolean;
  /** A non-secret name of the deployment, shown to the next admin (e.g. the certificate CN). */
  deploymentLabel: string;
  /**
   * The key comes from an imported ISO whose database was empty and the admin confirmed it
   * (ISO_DB_EMPTY): recorded in the audit log beside the binding, naming the ISO and the front door.
   */
  acceptedEmptyDatabase?: { iso: ImportedIsoIdentity; confirmedBy: string };
  now?: Date;
  /**
   * Called after the binding is written and before it commits; throwing rolls it back (the wizard:
   * its deployment was discarded meanwhile, so this key must not be bound).
   */
  beforeCommit?: () => void;
}

export type BindOutcome = 'bound' | 'already-bound' | 'rebound';

/**
 * Writes the master-key check value. Call it only once the master key has been saved (the ISO
 * downloaded and the backup acknowledged; the CLI's file written): a key that was never saved
 * must never be bound. Idempotent for the same key. Another deployment's database is refused
 * with DB_ALREADY_BOUND, unless it holds no CMK yet and the admin explicitly asked to re-bind.
 */
export async function bindMasterKey(
  db: KeyDatabase,
  masterKey: Buffer,
  options: BindOptions,
): Promise<BindOutcome> {
  const now = options.now ?? new Date();
  return db.transaction(async (tx) => {
    const { check, binding } = await readMetadata(db, tx, true);
    if (check && masterKeyMatches(masterKey, check)) return 'already-bound';
    const label = options.deploymentLabel.slice(0, 256);
    if (check && binding.bound) {
      const cmks = Number((await tx.run(db.sql.countCmks()))[0]?.n ?? 0);
      const held = `The key database at ${db.where} is bound to another deployment's master key (${binding.deploymentLabel || 'unnamed'}, since ${binding.boundAt.toISOString()})`;
      if (cmks > 0)
        throw new HdsError(
          'DB_ALREADY_BOUND',
          `${held} and holds ${cmks} tenant CMK(s); overwriting it would destroy them. Import the ISO of that deployment, or use an empty database.`,
        );
      if (!options.rebind)
        throw new HdsError(
          'DB_ALREADY_BOUND',
          `${held}. It holds no CMK yet, so you may re-bind it to this deployment: confirm the re-bind (hds-setup: --rebind), or import the ISO of that deployment.`,
        );
    }
    await tx.run(db.sql.writeBinding(masterKeyCheckValue(masterKey), MASTER_KEY_CHECK_ALGORITHM, label, now));
    const action = check ? 'rebind-master-key' : 'bind-master-key';
    const accepted = options.acceptedEmptyDatabase;
    await writeAudit(
      db,
      tx,
      [
        ...(accepted && !check
          ? [
              {
                action: 'accept-empty-database' as const,
                orgId: null,
                outcome: 'ok' as const,
                detail:
                  `the database was empty when generation ${accepted.iso.generation} of deployment ${accepted.iso.deploymentId} (made ${accepted.iso.createdAt}) was imported; the admin confirmed it is the right database (${accepted.confirmedBy})`.slice(
                    0,
                    1000,
                  ),
              },
            ]
          : []),
        { action, orgId: null, outcome: 'ok', detail: `deployment ${label}` },
      ],
      now,
    );
    options.beforeCommit?.();
    return check ? 'rebound' : 'bound';
  });
}
