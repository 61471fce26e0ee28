import type { DatabaseSettings } from '../../../../contract/database.js';
import { HdsError } from '../../../../contract/hds-error.js';
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

/** The latest time ISO 9660 can record (its directory records count years from 1900 in one byte). */
const LAST_RECORDABLE = Date.UTC(2155, 11, 31, 23, 59, 59);

/**
 * SOURCE_DATE_EPOCH (reproducible-builds.org) fixes the creation time, so builds are repeatable.
 * A malformed value is refused, as that specification asks: ignoring it would silently give an
 * image that cannot be reproduced.
 */
export function buildTime(env: NodeJS.ProcessEnv = process.env, now: () => Date = () => new Date()): Date {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== '') {
    const seconds = /^\d{1,12}$/.test(epoch) ? Number(epoch) : Number.NaN;
    if (!(seconds * 1000 <= LAST_RECORDABLE))
      throw new HdsError(
        'INVALID_INPUT',
        `SOURCE_DATE_EPOCH="${epoch.slice(0, 40)}" is not a creation time this ISO can record: give whole seconds since 1970-01-01 UTC up to the end of 2155 (for example $(date +%s)), or unset it to use the current time.`,
        'SOURCE_DATE_EPOCH',
      );
    return new Date(seconds * 1000);
  }
  const t = now();
  // ISO 9660 and the manifest keep whole seconds.
  return new Date(Math.floor(t.getTime() / 1000) * 1000);
}
