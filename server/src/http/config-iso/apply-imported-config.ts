import type { ConfigIsoSummary } from '../../../../contract/config-iso.js';
import { HdsError } from '../../../../contract/hds-error.js';
import { checkPkcs12, findPreviousPrivateRoot, readPemCertificates } from '../../core/certificate/index.js';
import type { LoadedConfigIso } from '../../core/configIso/index.js';
import { validateDatabaseRootCa } from '../../core/database/index.js';
import { assertImportedIsoDatabase } from '../../core/keyDatabase/index.js';
import { openKeyDatabase } from '../../core/keyDatabase/open-key-database.js';
import { allowedRotationModes, rotateServiceAccounts } from '../../core/secrets/service-accounts.js';
import { parseSyslogRootCa, parseSyslogSettings } from '../../core/syslog/index.js';
import type { WizardState } from '../wizard-state.js';
import '../certificate-section.js';
import '../database-section.js';
import '../previous-deployment.js';
import '../syslog-section.js';
import './config-iso-sections.js';

/**
 * Loads a verified configuration into the wizard: the master key is carried over (never
 * regenerated on this path) and every page is pre-filled.
 */
export async function applyImportedConfig(
  state: WizardState,
  loaded: LoadedConfigIso,
  summary: ConfigIsoSummary,
  now: Date,
): Promise<void> {
  const { manifest, config } = loaded;
  const privateRoot = findPreviousPrivateRoot(loaded.certificate.chainPem);
  state.set('deployment', {
    origin: 'imported',
    masterKey: loaded.masterKey,
    deploymentId: manifest.deploymentId,
    nextGeneration: manifest.generation + 1,
    previousManifestSha256: loaded.manifestSha256,
    imported: { summary, loaded },
  });
  state.set('previousDeployment', {
    generation: manifest.generation,
    createdAt: manifest.createdAt,
    manifestSha256: loaded.manifestSha256,
    certificateCn: config.certificate.commonName,
    certificateNotAfter: config.certificate.notAfter,
    ...(privateRoot ? { certificatePrivateRoot: privateRoot } : {}),
    databaseType: config.database.settings.type,
  });
  await importCertificate(state, loaded, now);
  importDatabase(state, loaded, now);
  importSyslog(state, loaded);
  const mode = allowedRotationModes(loaded.serviceAccounts, now)[0]!;
  state.set('serviceAccounts', {
    mode,
    imported: loaded.serviceAccounts,
    accounts: rotateServiceAccounts(loaded.serviceAccounts, mode, now),
  });
}

/**
 * Before the import loads anything: when the database the ISO names can be reached from here, it
 * must be bound to this ISO's master key (ISO_DB_MISMATCH), or — empty — confirmed by the admin
 * (ISO_DB_EMPTY). Reads only. Returns the database's `<host>/<name>` when it was empty and confirmed.
 */
export async function refuseForeignDatabase(
  loaded: LoadedConfigIso,
  acceptEmptyDatabase: boolean,
): Promise<string | undefined> {
  let opened: Awaited<ReturnType<typeof openKeyDatabase>> | undefined;
  try {
    opened = await openKeyDatabase(
      loaded.database.settings,
      loaded.database.password,
      loaded.database.rootCaPem,
    );
  } catch {
    return undefined; // Unreachable from this laptop: checked again when the next ISO is built.
  }
  try {
    const binding = await assertImportedIsoDatabase(
      opened.db,
      loaded.masterKey,
      loaded.manifest,
      acceptEmptyDatabase,
    );
    return binding.bound ? undefined : opened.db.where;
  } catch (error) {
    if (error instanceof HdsError && (error.code === 'ISO_DB_MISMATCH' || error.code === 'ISO_DB_EMPTY'))
      throw error;
    return undefined; // Other database trouble: the Database page's live test names it.
  } finally {
    await opened.close();
  }
}

/**
 * The previous certificate is offered for reuse when it still passes every rule. A private root
 * the admin acknowledged last time is trusted again (the chain file carries it).
 */
async function importCertificate(state: WizardState, loaded: LoadedConfigIso, now: Date): Promise<void> {
  try {
    const selfSigned = readPemCertificates(
      loaded.certificate.chainPem,
      'iso',
      'The imported certificate chain',
    )
      .filter((c) => c.selfIssued)
      .map((c) => c.x509.toString());
    const result = await checkPkcs12(loaded.certificate.pkcs12, loaded.certificate.password, {
      trustRoots: selfSigned,
      previousCn: loaded.config.certificate.commonName,
      now,
      // The keystore hds-setup wrote holds the full chain: an import never goes to the network.
      issuerFetch: false,
    });
    state.set('certificate', {
      source: 'imported',
      summary: result.summary,
      // The keystore is carried byte for byte, so rebuilding from the same answers is reproducible.
      pkcs12: loaded.certificate.pkcs12,
      pkcs12Password: loaded.certificate.password,
      chainPem: loaded.certificate.chainPem,
      warnings: result.warnings,
    });
  } catch {
    // Expired or no longer acceptable: the Certificate page asks for a new one with the same CN.
    state.clear('certificate');
  }
}

function importDatabase(state: WizardState, loaded: LoadedConfigIso, now: Date): void {
  const { settings, password, rootCaPem } = loaded.database;
  let rootCa: ReturnType<typeof validateDatabaseRootCa>;
  try {
    rootCa = validateDatabaseRootCa(settings, rootCaPem, now);
  } catch {
    rootCa = undefined;
  }
  state.set('database', {
    settings,
    password,
    ...(rootCaPem ? { rootCaPem } : {}),
    ...(rootCa ? { rootCa: { subject: rootCa.subject, notAfter: rootCa.notAfter } } : {}),
    liveTest: {
      ok: false,
      ignored: true,
      code: 'NOT_TESTED',
      message: `Carried over from generation ${loaded.manifest.generation}; not tested in this session. Open the Database page and continue to test it.`,
    },
  });
}

function importSyslog(state: WizardState, loaded: LoadedConfigIso): void {
  const settings = parseSyslogSettings(loaded.syslog.settings);
  const rootCa = loaded.syslog.rootCaPem
    ? parseSyslogRootCa(Buffer.from(loaded.syslog.rootCaPem, 'utf8'))
    : undefined;
  state.set('syslog', { settings, ...(rootCa ? { rootCaPem: rootCa.pem, rootCa: rootCa.view } : {}) });
}
