import type { DatabaseSettings } from '../../../../contract/database.js';
import { HdsError } from '../../../../contract/hds-error.js';
import type { ServiceAccount } from '../secrets/service-accounts.js';
import {
  assertImportedIsoDatabase,
  assertIsoMatchesDatabase,
  bindMasterKey,
  type ImportedIsoIdentity,
  readBinding,
} from './binding.js';
import { migrateKeyDatabase } from './migrate.js';
import { openKeyDatabase } from './open-key-database.js';
import { recordServiceAccounts, serviceAccountVerifiers } from './service-account-registry.js';

/** The database a configuration names, with its secret. */
export interface ConfiguredDatabase {
  settings: DatabaseSettings;
  password: Buffer;
  rootCaPem?: string;
}

type Outcome = { ok: boolean; message: string };

/**
 * Where the master key comes from: a new deployment, or an imported ISO (which names itself in
 * messages and the audit log). `acceptEmptyDatabase`: the admin confirmed that an empty database
 * is the right one for this imported ISO (wizard checkbox, `--accept-empty-database`).
 */
export type KeyOrigin =
  | { origin: 'new'; rebind: boolean }
  | { origin: 'imported'; iso: ImportedIsoIdentity; acceptEmptyDatabase: boolean; confirmedBy: string };

/**
 * Before building: a new deployment must not take over a database bound to another master key
 * (DB_ALREADY_BOUND); an imported ISO must belong to its database (ISO_DB_MISMATCH), and an empty
 * database needs the admin's confirmation (ISO_DB_EMPTY). Reads only. An unreachable database
 * does not block the build (nodes may reach what this laptop cannot). `emptyDatabase` names the
 * database when it was empty and the confirmation was given.
 */
export async function checkBindingBeforeBuild(
  database: ConfiguredDatabase,
  masterKey: Buffer,
  key: KeyOrigin,
): Promise<Outcome & { emptyDatabase?: string }> {
  let opened: Awaited<ReturnType<typeof openKeyDatabase>>;
  try {
    opened = await openKeyDatabase(database.settings, database.password, database.rootCaPem);
  } catch (error) {
    return { ok: false, message: unreachable(error) };
  }
  try {
    if (key.origin === 'imported') {
      const binding = await assertImportedIsoDatabase(opened.db, masterKey, key.iso, key.acceptEmptyDatabase);
      return binding.bound
        ? { ok: true, message: `The imported ISO belongs to the key database at ${opened.db.where}.` }
        : {
            ok: true,
            emptyDatabase: opened.db.where,
            message: `The key database at ${opened.db.where} is empty; as you confirmed, it will be bound to this deployment's master key once the ISO is saved (recorded in its audit log).`,
          };
    }
    const binding = await readBinding(opened.db);
    if (!binding.bound)
      return { ok: true, message: `The key database at ${opened.db.where} is not bound yet.` };
    try {
      await assertIsoMatchesDatabase(opened.db, masterKey);
      return { ok: true, message: `The key database at ${opened.db.where} is bound to this deployment.` };
    } catch {
      // bindMasterKey refuses to re-bind a database holding CMKs: say so now, and offer no re-bind,
      // rather than hand out an ISO whose master key this database will never accept.
      const cmks = Number((await opened.db.run(opened.db.sql.countCmks()))[0]?.n ?? 0);
      if (cmks > 0)
        throw new HdsError(
          'DB_ALREADY_BOUND',
          `The key database at ${opened.db.where} is bound to another deployment's master key (bound ${binding.boundAt.toISOString()}) and holds ${cmks} tenant CMK(s); a re-bind would destroy them. Import the ISO of that deployment, or use an empty database.`,
        );
      if (key.rebind)
        return { ok: true, message: 'The database will be re-bound to this deployment after the backup.' };
      throw new HdsError(
        'DB_ALREADY_BOUND',
        `The key database at ${opened.db.where} is bound to another deployment's master key (bound ${binding.boundAt.toISOString()}) but holds no tenant CMK, so it can be re-bound to this deployment: confirm the re-bind (in the wizard: type the database name; on the command line: --rebind) — that deployment's ISO will then no longer match it. Otherwise import that deployment's ISO, or use an empty database.`,
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
 * service accounts' verifiers — binding and verifiers in one transaction. An imported ISO's empty
 * database is bound only with the admin's confirmation, which the audit log records (the database
 * may have been emptied since the check). `confirmStillWanted` is called before the first write and
 * again just before the commit: throwing there (the wizard: DEPLOYMENT_CHANGED) writes nothing.
 */
export async function bindAfterSavedIso(
  database: ConfiguredDatabase,
  masterKey: Buffer,
  accounts: ServiceAccount[],
  mode: 'new' | 'keep' | 'soft' | 'hard',
  label: string,
  key: KeyOrigin,
  now: Date,
  { confirmStillWanted }: { confirmStillWanted?: () => void } = {},
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
  const { db } = opened;
  try {
    if (key.origin === 'imported')
      await assertImportedIsoDatabase(db, masterKey, key.iso, key.acceptEmptyDatabase);
    confirmStillWanted?.();
    await migrateKeyDatabase(db);
    const verifiers = await serviceAccountVerifiers(accounts);
    const outcome = await db.transaction(async () => {
      const bound = await bindMasterKey(db, masterKey, {
        rebind: key.origin === 'new' && key.rebind,
        deploymentLabel: label,
        now,
        ...(key.origin === 'imported' && key.acceptEmptyDatabase
          ? { acceptedEmptyDatabase: { iso: key.iso, confirmedBy: key.confirmedBy } }
          : {}),
      });
      await recordServiceAccounts(db, accounts, mode, now, verifiers);
      confirmStillWanted?.();
      return bound;
    });
    const verb = {
      bound: 'is now bound to',
      'already-bound': 'was already bound to',
      rebound: 'was re-bound to',
    }[outcome];
    return {
      ok: true,
      message: `The key database at ${db.where} ${verb} this deployment's master key; the service accounts are registered.`,
    };
  } catch (error) {
    // The caller's refusal is its own answer, not a database outcome to show beside the ISO.
    if (error instanceof HdsError && error.code !== 'DEPLOYMENT_CHANGED')
      return { ok: false, message: `${error.code}: ${error.message}` };
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
