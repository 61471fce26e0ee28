import { HdsError } from '../../../../contract/hds-error.js';
import { buildTime, type ConfigIsoInput } from '../../core/configIso/index.js';
import { productVersion } from '../../product.js';
import type { WizardState } from '../wizard-state.js';
import './config-iso-sections.js';
import '../certificate-section.js';
import '../database-section.js';
import '../syslog-section.js';

/** The pages still to complete before an ISO can be built, in wizard order. */
export function missingPages(state: WizardState): string[] {
  const missing: string[] = [];
  if (!state.get('deployment')) missing.push('ISO import');
  if (!state.get('certificate')) missing.push('Certificate');
  if (!state.get('database')) missing.push('Database');
  if (!state.get('syslog')) missing.push('System logs');
  if (!state.get('serviceAccounts')) missing.push('Service accounts');
  return missing;
}

/** Everything the wizard collected, as the configuration ISO's input. */
export function collectConfigInput(state: WizardState, now: () => Date): ConfigIsoInput {
  const missing = missingPages(state);
  if (missing.length)
    throw new HdsError(
      'WIZARD_INCOMPLETE',
      `Complete these pages before building the ISO: ${missing.join(', ')}.`,
    );
  const deployment = state.get('deployment')!;
  const certificate = state.get('certificate')!;
  const database = state.get('database')!;
  const syslog = state.get('syslog')!;
  const accounts = state.get('serviceAccounts')!;
  return {
    masterKey: deployment.masterKey,
    deploymentId: deployment.deploymentId,
    generation: deployment.nextGeneration,
    previousManifestSha256: deployment.previousManifestSha256,
    createdAt: buildTime(process.env, now),
    toolVersion: productVersion(),
    certificate: {
      pkcs12: certificate.pkcs12,
      password: certificate.pkcs12Password,
      chainPem: certificate.chainPem,
      commonName: certificate.summary.cn,
      subjectAltNames: certificate.summary.sans,
      notBefore: new Date(certificate.summary.notBefore),
      notAfter: new Date(certificate.summary.notAfter),
      fingerprintSha256: certificate.summary.fingerprintSha256,
    },
    database: {
      settings: database.settings,
      password: database.password,
      ...(database.rootCaPem ? { rootCaPem: database.rootCaPem } : {}),
    },
    syslog: {
      settings: {
        url: syslog.settings.url,
        tls: syslog.settings.tls,
        termination: syslog.settings.termination,
      },
      ...(syslog.rootCaPem ? { rootCaPem: syslog.rootCaPem } : {}),
    },
    serviceAccounts: accounts.accounts,
  };
}
