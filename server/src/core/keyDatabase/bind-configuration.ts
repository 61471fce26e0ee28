import type { DatabaseSettings } from '../../../../contract/database.js';
import { HdsError } from '../../../../contract/hds-error.js';
import type { ServiceAccount } from '../secrets/service-accounts.js';
import { assertIsoMatchesDatabase, bindMasterKey, readBinding } from './binding.js';
import { migrateKeyDatabase } from './migrate.js';
import { openKeyDatabase } from './open-key-database.js';
import { recordServiceAccounts } from './service-account-registry.js';

/** The database a configuration names, with its secret. */
export interface ConfiguredDatabase {
  settings: DatabaseSettings;
  password: Buffer;
  rootCaPem?: string;
}

type Outcome = { ok: boolean; message: string };

/**
 * Before building: a new deployment must not take over a database bound to another master key
 * (DB_ALREADY_BOUND), and an imported ISO must belong to its database (ISO_DB_MISMATCH).
 * An unreachable database does not block the build (nodes may reach what this laptop cannot).
 */
export async function checkBindingBeforeBuild(
  database: ConfiguredDatabase,
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
        `The key database at ${opened.db.where} already holds another deployment's keys (bound ${binding.boundAt.toISOString()}). Import that deployment's ISO instead, use an empty database, or — if it holds no tenant keys — confirm the re-bind (in the wizard: type the database name; on the command line: --rebind).`,
        'rebindConfirmation',
      );
    }
  } finally {
    await opened.close();
  }
}

/**
 * Once the ISO is saved (the wizard: downloaded and the backup acknowledged; the CLI: the file
 * written): migrate the schema, bind the
 * master key (never before: a key that was never saved must never be bound), and register the
 * service accounts' verifiers.
 */
export async function bindAfterSavedIso(
  database: ConfiguredDatabase,
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
      message: `${unreachable(error)} The master key is not bound yet: import this ISO from a machine that reaches the database (wizard or \`hds-setup build --import\`) to bind it.`,
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
