import type { ConfigIsoSummary } from '../../../../contract/config-iso.js';
import type { RotationMode } from '../../../../contract/service-accounts.js';
import type { BuiltConfigIso, LoadedConfigIso } from '../../core/configIso/index.js';
import type { ServiceAccount } from '../../core/secrets/service-accounts.js';

/** How this session's deployment began, and the master key it carries. */
export interface DeploymentSection {
  origin: 'new' | 'imported';
  masterKey: Buffer;
  deploymentId: string;
  nextGeneration: number;
  previousManifestSha256: string | null;
  imported?: { summary: ConfigIsoSummary; loaded: LoadedConfigIso };
  /**
   * The imported ISO's database was reachable but empty and the admin confirmed it is the right one
   * (ISO_DB_EMPTY): for which database (key-origin.ts), and the message shown.
   */
  emptyDatabaseAccepted?: { identity: string; where: string; message: string };
}

export interface ServiceAccountsSection {
  mode: RotationMode | 'new';
  /** The accounts as the imported ISO had them. */
  imported?: ServiceAccount[];
  /** The accounts the next ISO will carry. */
  accounts: ServiceAccount[];
}

export interface BuiltIsoSection {
  built: BuiltConfigIso;
  /** SHA-256 of what it was built from (built-iso-freshness.ts): a later change makes it stale. */
  inputSha256: string | undefined;
  backupAcknowledged: boolean;
  /** The browser fetched the ISO (the backup can only be confirmed after that). */
  downloaded?: boolean;
  /** The admin confirmed re-binding a database without CMKs to this deployment. */
  rebind: boolean;
  /** The database binding check made before building. */
  preflight: { ok: boolean; message: string };
  databaseBinding?: { ok: boolean; message: string };
}

declare module '../wizard-state.js' {
  interface WizardSections {
    deployment: DeploymentSection;
    serviceAccounts: ServiceAccountsSection;
    builtIso: BuiltIsoSection;
  }
}
