import { HdsError } from '../../../../contract/hds-error.js';
import type { LoadedConfigIso } from '../../core/configIso/index.js';
import { assertIsoMatchesDatabase, verifyServiceAccountSecrets } from '../../core/keyDatabase/index.js';
import { openKeyDatabase } from '../../core/keyDatabase/open-key-database.js';

/** `verify --database`: the ISO belongs to this database, and its secrets are the valid ones. */
export async function verifyAgainstDatabase(
  loaded: LoadedConfigIso,
  now: Date,
): Promise<{ ok: true; message: string; accounts: { name: string; state: string; message: string }[] }> {
  const { db, close } = await openKeyDatabase(
    loaded.database.settings,
    loaded.database.password,
    loaded.database.rootCaPem,
  );
  try {
    await assertIsoMatchesDatabase(db, loaded.masterKey);
    const result = await verifyServiceAccountSecrets(db, loaded.serviceAccounts, now);
    if (!result.ok)
      throw new HdsError(
        'SERVICE_ACCOUNTS_EXPIRED',
        result.accounts
          .filter((a) => a.state !== 'current' && a.state !== 'grace')
          .map((a) => a.message)
          .join(' '),
        'serviceAccounts',
      );
    return {
      ok: true,
      message: `The key database at ${db.where} accepts this configuration: ${result.accounts.map((a) => `${a.name} ${a.state}`).join(', ')}.`,
      accounts: result.accounts.map(({ name, state, message }) => ({ name, state, message })),
    };
  } finally {
    await close();
  }
}
