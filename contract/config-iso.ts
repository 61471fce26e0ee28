import type { ServiceAccountView } from './service-accounts.js';

/**
 * A non-fatal finding about a configuration (expiring certificate or secrets…). ISO_MODES_LOST:
 * an imported copy was re-packed without its file modes (only an import accepts such a copy).
 */
export interface ConfigWarning {
  code:
    | 'CERT_EXPIRED'
    | 'CERT_EXPIRES_SOON'
    | 'SERVICE_ACCOUNTS_EXPIRED'
    | 'SERVICE_ACCOUNTS_EXPIRE_SOON'
    | 'ISO_MODES_LOST';
  message: string;
}

/**
 * The non-secret summary of a configuration ISO: what `hds-setup inspect` prints and what the
 * ISO import page shows (PRODUCT.md page 3).
 */
export interface ConfigIsoSummary {
  formatVersion: number;
  toolVersion: string;
  deploymentId: string;
  generation: number;
  createdAt: string;
  manifestSha256: string;
  previousManifestSha256: string | null;
  certificate: { commonName: string; notAfter: string; daysToExpiry: number; fingerprintSha256: string };
  database: { type: string; hosts: string[]; name: string; username: string; tlsMode: string };
  syslog: { url: string; tls: boolean; termination: string };
  serviceAccounts: ServiceAccountView[];
  files: { path: string; size: number; mode: string; sha256: string }[];
  warnings: ConfigWarning[];
}

/** GET /api/deployment: how this session's deployment began. */
export interface DeploymentState {
  ok: true;
  /** null until the admin answers "Do you have a configuration ISO from an earlier run?". */
  origin: 'new' | 'imported' | null;
  /** Generation the next ISO will carry. */
  nextGeneration: number | null;
  imported?: ConfigIsoSummary;
  /**
   * The imported ISO's key database was reachable but empty, and the admin confirmed it is the
   * right one (ISO_DB_EMPTY): it is bound to this master key when the next ISO is saved.
   */
  emptyDatabaseAccepted?: { code: 'ISO_DB_EMPTY'; where: string; message: string };
}

/** One row of the review page: a section and what changed since the imported ISO. */
export interface ReviewItem {
  label: string;
  value: string;
  /** 'new' on a new deployment; otherwise compared with the imported ISO. Secrets say only "changed". */
  change: 'new' | 'unchanged' | 'changed';
}

export interface ReviewSection {
  id: 'certificate' | 'database' | 'syslog' | 'serviceAccounts';
  title: string;
  /** False when the page has not been completed yet. */
  complete: boolean;
  items: ReviewItem[];
  /** What needs a look, e.g. "The live database test failed (DB_AUTH_FAILED) and was ignored." */
  notes: string[];
  /** Plain outcomes that need nothing, e.g. "Live test passed: PostgreSQL 15.4, TLS TLSv1.3." */
  facts?: string[];
}

/** GET /api/review */
export interface ReviewState {
  ok: true;
  origin: 'new' | 'imported' | null;
  generation: number | null;
  previousGeneration: number | null;
  sections: ReviewSection[];
  /** Everything needed is there: the ISO can be built. */
  ready: boolean;
  /** The ISO built in this session, once built (and only while no page changed since). */
  built?: BuiltIsoInfo;
  /** A page was changed after the last build: that ISO no longer matches and must be built again. */
  builtIsoStale?: true;
}

export interface BuiltIsoInfo {
  fileName: string;
  size: number;
  sha256: string;
  generation: number;
  /** The admin confirmed the backup. */
  backupAcknowledged: boolean;
  /** What happened when the master key was bound to the key database (after the acknowledgment). */
  databaseBinding?: { ok: boolean; message: string };
}

/** POST /api/iso/verify-backup: the admin's stored copy compared with what this session produced. */
export interface BackupVerdict {
  ok: true;
  identical: boolean;
  /** Plain words: "identical", or exactly how it differs. */
  message: string;
  kind:
    | 'identical'
    | 'truncated'
    | 'longer'
    | 'other-generation'
    | 'other-deployment'
    | 'different-bytes'
    | 'not-a-config-iso';
  uploadedSha256: string;
  expectedSha256: string;
}
