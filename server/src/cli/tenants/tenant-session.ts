import { AnswersFile } from '../../core/answers/answers-file.js';
import { type LoadedConfigIso, readConfigIso } from '../../core/configIso/index.js';
import { readDatabaseAnswers } from '../../core/database/index.js';
import {
  assertImportedIsoDatabase,
  bindMasterKey,
  type KeyDatabase,
  migrateKeyDatabase,
} from '../../core/keyDatabase/index.js';
import { openKeyDatabase } from '../../core/keyDatabase/open-key-database.js';
import { parseSyslogSettings } from '../../core/syslog/index.js';
import { syslogAuditSender, type TenantAuditSender } from '../../core/tenants/index.js';

export interface TenantCommandOptions {
  iso: string;
  answers?: string;
  /** The ISO's database is empty and the admin confirmed it is the right one: bind it first. */
  acceptEmptyDatabase?: boolean;
  json?: boolean;
}

/**
 * What every `hds-setup tenants …` command works with: the key database named by the ISO (or by
 * the answers file's database: section, e.g. a rotated password), migrated, and checked to belong
 * to the ISO's master key (ISO_DB_MISMATCH otherwise; an empty database only with
 * --accept-empty-database, ISO_DB_EMPTY otherwise). Secrets are wiped when the command ends.
 */
export async function withTenantDatabase<T>(
  options: TenantCommandOptions,
  work: (context: { db: KeyDatabase; masterKey: Buffer; audit: TenantAuditSender }) => Promise<T>,
): Promise<T> {
  const loaded: LoadedConfigIso = await readConfigIso(options.iso);
  const database = options.answers
    ? (() => {
        const answers = readDatabaseAnswers(AnswersFile.load(options.answers));
        return { settings: answers.settings, password: answers.password, rootCaPem: answers.rootCa?.pem };
      })()
    : loaded.database;
  try {
    const { db, close } = await openKeyDatabase(database.settings, database.password, database.rootCaPem);
    try {
      // Checked before anything is written: an empty database is the wrong or a wiped one unless confirmed.
      const binding = await assertImportedIsoDatabase(
        db,
        loaded.masterKey,
        loaded.manifest,
        Boolean(options.acceptEmptyDatabase),
      );
      await migrateKeyDatabase(db);
      // CMKs are wrapped under this ISO's master key, which is saved (the ISO): bind it before any is made.
      if (!binding.bound)
        await bindMasterKey(db, loaded.masterKey, {
          deploymentLabel: loaded.config.certificate.commonName,
          acceptedEmptyDatabase: {
            iso: loaded.manifest,
            confirmedBy: 'hds-setup tenants --accept-empty-database',
          },
        });
      const syslog = parseSyslogSettings(loaded.syslog.settings, 'syslog');
      return await work({
        db,
        masterKey: loaded.masterKey,
        audit: syslogAuditSender(
          syslog,
          loaded.syslog.rootCaPem,
          // The syslog settings come from the ISO: fixed on the System logs page (or the answers file), then a new ISO.
          'Check the syslog server, or the syslog settings this ISO was built with (System logs page, or syslog: in the answers file).',
        ),
      });
    } finally {
      await close();
    }
  } finally {
    database.password.fill(0);
    loaded.masterKey.fill(0);
    loaded.database.password.fill(0);
  }
}
