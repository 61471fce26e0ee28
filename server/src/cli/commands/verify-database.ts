import { HdsError, HdsErrors } from '../../../../contract/hds-error.js';
import type { LoadedConfigIso } from '../../core/configIso/index.js';
import {
  assertImportedIsoDatabase,
  serviceAccountErrorCode,
  verifyServiceAccountSecrets,
} from '../../core/keyDatabase/index.js';
import { openKeyDatabase } from '../../core/keyDatabase/open-key-database.js';
import { withDefaultField } from '../output.js';

/**
 * The core's fields in verify's own terms: `acceptEmptyDatabase` is no option of verify (a node
 * never binds), and the ISO is its <dir-or-iso>; what names no input is about --database.
 */
const VERIFY_FIELDS: Record<string, string> = { acceptEmptyDatabase: 'database', iso: 'dirOrIso' };

function inVerifyTerms(error: unknown): unknown {
  if (error instanceof HdsErrors) return new HdsErrors(error.errors.map((e) => inVerifyTerms(e) as HdsError));
  if (!(error instanceof HdsError)) return error;
  const renamed = error.field === undefined ? undefined : VERIFY_FIELDS[error.field];
  return renamed ? new HdsError(error.code, error.message, renamed) : withDefaultField(error, 'database');
}

/** `verify --database`: the ISO belongs to this database, and its secrets are the valid ones. */
export async function verifyAgainstDatabase(
  loaded: LoadedConfigIso,
  now: Date,
): Promise<VerifiedAgainstDatabase> {
  return checkAgainstDatabase(loaded, now).catch((error: unknown) => {
    throw inVerifyTerms(error);
  });
}

interface VerifiedAgainstDatabase {
  ok: true;
  message: string;
  accounts: { name: string; state: string; message: string }[];
}

async function checkAgainstDatabase(loaded: LoadedConfigIso, now: Date): Promise<VerifiedAgainstDatabase> {
  const { db, close } = await openKeyDatabase(
    loaded.database.settings,
    loaded.database.password,
    loaded.database.rootCaPem,
  );
  try {
    // A node never binds: an empty database fails here (ISO_DB_EMPTY) until an admin binds it.
    await assertImportedIsoDatabase(db, loaded.masterKey, loaded.manifest, false).catch((error) => {
      if (error instanceof HdsError && error.code === 'ISO_DB_EMPTY')
        throw new HdsError(
          'ISO_DB_EMPTY',
          `${error.message} A node does not bind the database itself: the admin confirms it on a machine with hds-setup (the wizard's ISO import page, or hds-setup build --import <this ISO> --accept-empty-database), then this check passes.`,
          error.field,
        );
      throw error;
    });
    const result = await verifyServiceAccountSecrets(db, loaded.serviceAccounts, now);
    if (!result.ok) {
      // One error per kind: revoked secrets (a hard reset) and expired or unknown ones ask different things.
      const failing = result.accounts.filter((a) => a.state !== 'current' && a.state !== 'grace');
      const byCode = new Map<ReturnType<typeof serviceAccountErrorCode>, typeof failing>();
      for (const a of failing) {
        const code = serviceAccountErrorCode(a.state);
        byCode.set(code, [...(byCode.get(code) ?? []), a]);
      }
      const errors = [...byCode].map(
        ([code, accounts]) => new HdsError(code, accounts.map((a) => a.message).join(' '), 'serviceAccounts'),
      );
      throw errors.length === 1 ? errors[0]! : new HdsErrors(errors);
    }
    return {
      ok: true,
      message: `The key database at ${db.where} accepts this configuration: ${result.accounts.map((a) => `${a.name} ${a.state}`).join(', ')}.`,
      accounts: result.accounts.map(({ name, state, message }) => ({ name, state, message })),
    };
  } finally {
    await close();
  }
}
