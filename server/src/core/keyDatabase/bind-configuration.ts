import { HdsError } from '../../../../contract/hds-error.js';
import {
  assertIsoMatchesDatabase,
  bindMasterKey,
  migrateKeyDatabase,
  readBinding,
  recordServiceAccounts,
} from '../../core/keyDatabase/index.js';
import { openKeyDatabase } from '../../core/keyDatabase/open-key-database.js';
import type { ServiceAccount } from '../../core/secrets/service-accounts.js';
import type { AcceptedDatabase } from '../database-section.js';

type Outcome = { ok: boolean; message: string };

/**
 * Before building: a new deployment must not take over a database bound to another master key
 * (DB_ALREADY_BOUND), and an imported ISO must belong to its database (ISO_DB_MISMATCH).
 * An unreachable database does not block the build (nodes may reach what this laptop cannot).
 */
export async function checkDatabaseBinding(
  database: AcceptedDatabase,
  masterKey: Buffer,
  origin: 'new' | 'imported',
  rebind: boolean,
): Promise<Outcome> {
  let opened: Awaited<ReturnType<typeof openKeyDatabase>>;
  try {
    opened = await openKeyDatabase(database.settings, database.password, database.rootCaPem);
  } catch (error) {
    return { ok: false, message: unreachable(error) };
  }
  try {
    const binding = await readBinding(opened.db);
    if (!binding.bound)
      return { ok: true, message: `The key database at ${opened.db.where} is not bound yet.` };
    if (origin === 'imported') {
      await assertIsoMatchesDatabase(opened.db, masterKey);
      return { ok: true, message: `The imported ISO belongs to the key database at ${opened.db.where}.` };
    }
    try {
      await assertIsoMatchesDatabase(opened.db, masterKey);
      return { ok: true, message: `The key database at ${opened.db.where} is bound to this deployment.` };
    } catch {
      if (rebind)
        return { ok: true, message: 'The database will be re-bound to this deployment after the backup.' };
      throw new HdsError(
        'DB_ALREADY_BOUND',
        `The key database at ${opened.db.where} already holds another deployment's keys (bound ${binding.boundAt.toISOString()}). Import that deployment's ISO instead, use an empty database, or — if it holds no tenant keys — confirm the re-bind.`,
        'rebind',
      );
    }
  } finally {
    await opened.close();
  }
}

/**
 * After the admin downloaded the ISO and acknowledged the backup: migrate the schema, bind the
 * master key (never before: a key that was never saved must never be bound), and register the
 * service accounts' verifiers.
 */
export async function bindAfterBackup(
  database: AcceptedDatabase,
  masterKey: Buffer,
  accounts: ServiceAccount[],
  mode: 'new' | 'keep' | 'soft' | 'hard',
  label: string,
  rebind: boolean,
  now: Date,
): Promise<Outcome> {
  let opened: Awaited<ReturnType<typeof openKeyDatabase>>;
  try {
    opened = await openKeyDatabase(database.settings, database.password, database.rootCaPem);
  } catch (error) {
    return {
      ok: false,
      message: `${unreachable(error)} Run \`hds-setup build --import <this ISO> …\` or import this ISO here from a machine that reaches the database to bind it.`,
    };
  }
  try {
    await migrateKeyDatabase(opened.db);
    const outcome = await bindMasterKey(opened.db, masterKey, { rebind, deploymentLabel: label, now });
    await recordServiceAccounts(opened.db, accounts, mode, now);
    const verb = {
      bound: 'is now bound to',
      'already-bound': 'was already bound to',
      rebound: 'was re-bound to',
    }[outcome];
    return {
      ok: true,
      message: `The key database at ${opened.db.where} ${verb} this deployment's master key; the service accounts are registered.`,
    };
  } catch (error) {
    if (error instanceof HdsError) return { ok: false, message: `${error.code}: ${error.message}` };
    throw error;
  } finally {
    await opened.close();
  }
}

function unreachable(error: unknown): string {
  return error instanceof HdsError
    ? `The key database could not be reached from here (${error.code}: ${error.message}).`
    : 'The key database could not be reached from here.';
}
