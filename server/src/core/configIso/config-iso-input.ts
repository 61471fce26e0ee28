import type { DatabaseSettings } from '../../../../contract/database.js';
import type { ServiceAccount } from '../secrets/service-accounts.js';
import type { SyslogConfig } from './config-document.js';

/** Everything one configuration ISO is made of: the wizard's sections, or an answers file's. */
export interface ConfigIsoInput {
  masterKey: Buffer;
  deploymentId: string;
  generation: number;
  /** SHA-256 of the imported ISO's manifest.json; null for a new deployment. */
  previousManifestSha256: string | null;
  createdAt: Date;
  toolVersion: string;
  certificate: {
    pkcs12: Buffer;
    password: Buffer;
    chainPem: string;
    commonName: string;
    subjectAltNames: string[];
    notBefore: Date;
    notAfter: Date;
    fingerprintSha256: string;
  };
  database: { settings: DatabaseSettings; password: Buffer; rootCaPem?: string };
  syslog: { settings: SyslogConfig; rootCaPem?: string };
  serviceAccounts: ServiceAccount[];
}

/** SOURCE_DATE_EPOCH (reproducible-builds.org) fixes the creation time, so builds are repeatable. */
export function buildTime(env: NodeJS.ProcessEnv = process.env, now: () => Date = () => new Date()): Date {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch && /^\d{1,12}$/.test(epoch)) return new Date(Number(epoch) * 1000);
  const t = now();
  // ISO 9660 and the manifest keep whole seconds.
  return new Date(Math.floor(t.getTime() / 1000) * 1000);
}
