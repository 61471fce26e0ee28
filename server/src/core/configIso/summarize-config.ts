import type { ConfigIsoSummary, ConfigWarning } from '../../../../contract/config-iso.js';
import { viewServiceAccounts } from '../secrets/service-accounts.js';
import type { LoadedConfigIso } from './read-config-iso.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const CERT_WARNING_DAYS = 60;

/** The non-secret summary of a verified configuration (inspect, verify, the import page). */
export function summarizeConfig(loaded: LoadedConfigIso, now: Date): ConfigIsoSummary {
  const { manifest, config } = loaded;
  const notAfter = new Date(config.certificate.notAfter);
  const daysToExpiry = Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
  const accounts = viewServiceAccounts(loaded.serviceAccounts, now);
  const warnings: ConfigWarning[] = [];
  if (notAfter <= now)
    warnings.push({
      code: 'CERT_EXPIRED',
      message: `The certificate for ${config.certificate.commonName} expired on ${config.certificate.notAfter.slice(0, 10)}. Nodes cannot serve keys with it: import this ISO in hds-setup and upload a renewed certificate with the same CN.`,
    });
  else if (daysToExpiry < CERT_WARNING_DAYS)
    warnings.push({
      code: 'CERT_EXPIRES_SOON',
      message: `The certificate for ${config.certificate.commonName} expires in ${daysToExpiry} days (${config.certificate.notAfter.slice(0, 10)}). Renew it and build the next ISO.`,
    });
  const expired = accounts.filter((a) => a.expired);
  const soon = accounts.filter((a) => !a.expired && a.expiresSoon);
  if (expired.length)
    warnings.push({
      code: 'SERVICE_ACCOUNTS_EXPIRED',
      message: `The service-account secrets ${expired.map((a) => a.name).join(', ')} have expired. Import this ISO in hds-setup, choose Hard reset, and mount the new ISO on every node.`,
    });
  if (soon.length)
    warnings.push({
      code: 'SERVICE_ACCOUNTS_EXPIRE_SOON',
      message: `The service-account secrets ${soon.map((a) => a.name).join(', ')} expire within 30 days (${soon[0]!.expiresAt.slice(0, 10)}). Rotate them with a soft reset soon.`,
    });
  if (loaded.modesLost) warnings.push(isoModesLostWarning());
  return {
    formatVersion: manifest.formatVersion,
    toolVersion: manifest.toolVersion,
    deploymentId: manifest.deploymentId,
    generation: manifest.generation,
    createdAt: manifest.createdAt,
    manifestSha256: loaded.manifestSha256,
    previousManifestSha256: manifest.previousManifestSha256,
    certificate: {
      commonName: config.certificate.commonName,
      notAfter: config.certificate.notAfter,
      daysToExpiry,
      fingerprintSha256: config.certificate.fingerprintSha256,
    },
    database: {
      type: config.database.settings.type,
      hosts: config.database.settings.hosts,
      name: config.database.settings.name,
      username: config.database.settings.username,
      tlsMode: config.database.settings.tlsMode,
    },
    syslog: { url: config.syslog.url, tls: config.syslog.tls, termination: config.syslog.termination },
    serviceAccounts: accounts,
    files: manifest.files.map((f) => ({
      path: f.path,
      size: f.size,
      mode: f.mode.toString(8).padStart(4, '0'),
      sha256: f.sha256,
    })),
    warnings,
  };
}

/**
 * An imported copy whose file modes were lost (see docs/iso-format.md, re-packed copies): said on the
 * import page and by `build --import` alike.
 */
export function isoModesLostWarning(): { code: 'ISO_MODES_LOST'; message: string } {
  return {
    code: 'ISO_MODES_LOST',
    message:
      'This copy of the ISO has lost its file modes: it was re-packed by a tool that drops or rewrites them (for example 7-Zip, or genisoimage -r or without -R), so a node mounting it would show its secrets to every user. Its contents are intact (every checksum and the MAC verify), so the deployment was recovered, and the next ISO you build here is written with the right modes. Do not give this copy to nodes: give them the next ISO, and keep that one as your backup.',
  };
}
