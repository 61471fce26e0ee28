import { HdsError } from '../../../../contract/hds-error.js';
import type { TenantAvailability } from '../../../../contract/tenants.js';
import {
  assertImportedIsoDatabase,
  assertIsoMatchesDatabase,
  bindMasterKey,
  type KeyDatabase,
  migrateKeyDatabase,
} from '../../core/keyDatabase/index.js';
import { openKeyDatabase } from '../../core/keyDatabase/open-key-database.js';
import { syslogAuditSender, type TenantAuditSender } from '../../core/tenants/index.js';
import '../config-iso/config-iso-sections.js';
import { keyOriginOf } from '../config-iso/key-origin.js';
import '../database-section.js';
import '../syslog-section.js';
import { DeploymentSnapshot } from '../deployment-snapshot.js';
import type { WizardState } from '../wizard-state.js';

export interface TenantWorkspace {
  db: KeyDatabase;
  /** A copy taken when the workspace opened, zero-filled by close(). */
  masterKey: Buffer;
  deploymentId: string;
  audit: TenantAuditSender | undefined;
  /** Refuses (DEPLOYMENT_CHANGED) once the session's deployment was discarded or replaced. */
  assertCurrent(): void;
  close(): Promise<void>;
}

/**
 * The key database and master key the Tenant CMK Management tab works with. CMKs are wrapped under
 * the master key, so it must be one that is saved: an imported ISO's, or a new one whose ISO was
 * downloaded and whose backup was acknowledged. Opening also migrates the schema and refuses an
 * ISO that does not belong to the database (ISO_DB_MISMATCH), or an imported ISO's empty database
 * the admin has not confirmed (ISO_DB_EMPTY); a confirmed one is bound first (audited).
 */
/** What the tab needs before it can open: the shell shows it once a database is configured. */
export function tenantAvailability(state: WizardState): TenantAvailability {
  const deployment = state.get('deployment');
  return {
    ok: true,
    databaseConfigured: state.get('database') !== undefined,
    masterKeySaved:
      deployment !== undefined &&
      (deployment.origin === 'imported' || state.get('builtIso')?.backupAcknowledged === true),
  };
}

export async function openTenantWorkspace(state: WizardState): Promise<TenantWorkspace> {
  const database = state.get('database');
  if (!database)
    throw new HdsError(
      'DB_NOT_CONFIGURED',
      'No key database is configured yet. Import your configuration ISO (or fill in the Database page) first.',
    );
  const deployment = state.get('deployment');
  if (!deployment || !tenantAvailability(state).masterKeySaved)
    throw new HdsError(
      'WIZARD_INCOMPLETE',
      "CMKs are wrapped under the master key, so it must be saved first: import the current ISO, or download this deployment's ISO and acknowledge the backup.",
    );
  // Everything read from the session is read now, before the first await, and its secrets copied:
  // a discard or an import meanwhile zero-fills the session's, and CMKs wrapped under zeros would be
  // lost for good. Nothing is written once the deployment changed (DEPLOYMENT_CHANGED).
  const snapshot = new DeploymentSnapshot(state);
  const masterKey = snapshot.copy(deployment.masterKey);
  const password = snapshot.copy(database.password);
  const key = keyOriginOf(state);
  const deploymentLabel = state.get('certificate')?.summary.cn ?? deployment.deploymentId;
  const syslog = state.get('syslog');
  let opened: Awaited<ReturnType<typeof openKeyDatabase>>;
  try {
    opened = await openKeyDatabase(database.settings, password, database.rootCaPem);
  } catch (error) {
    snapshot.wipe();
    throw error;
  }
  const { db } = opened;
  const close = async () => {
    snapshot.wipe();
    await opened.close();
  };
  try {
    if (key.origin === 'imported') {
      // Checked before anything is written: an empty database is the wrong or a wiped one unless confirmed.
      const binding = await assertImportedIsoDatabase(db, masterKey, key.iso, key.acceptEmptyDatabase);
      snapshot.assertCurrent();
      await migrateKeyDatabase(db);
      // The imported key is saved (its ISO): bind it before any CMK is wrapped under it.
      if (!binding.bound)
        await bindMasterKey(db, masterKey, {
          deploymentLabel,
          acceptedEmptyDatabase: { iso: key.iso, confirmedBy: key.confirmedBy },
          beforeCommit: () => snapshot.assertCurrent(),
        });
    } else {
      await migrateKeyDatabase(db);
      await assertIsoMatchesDatabase(db, masterKey);
    }
    snapshot.assertCurrent();
  } catch (error) {
    await close();
    throw error;
  }
  return {
    db,
    masterKey,
    deploymentId: deployment.deploymentId,
    audit: syslog
      ? syslogAuditSender(syslog.settings, syslog.rootCaPem, 'Check the System logs page.')
      : undefined,
    assertCurrent: () => snapshot.assertCurrent(),
    close,
  };
}

export async function withTenantWorkspace<T>(
  state: WizardState,
  work: (w: TenantWorkspace) => Promise<T>,
): Promise<T> {
  const workspace = await openTenantWorkspace(state);
  try {
    // Opening awaited the database: the admin may have left this deployment meanwhile.
    workspace.assertCurrent();
    return await work(workspace);
  } finally {
    await workspace.close();
  }
}
