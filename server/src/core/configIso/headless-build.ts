import { randomUUID } from 'node:crypto';
import { HdsError } from '../../../../contract/hds-error.js';
import {
  type RotationMode,
  SERVICE_ACCOUNT_LIFESPAN_MONTHS,
  SOFT_RESET_GRACE_DAYS,
} from '../../../../contract/service-accounts.js';
import type { AnswersFile } from '../answers/answers-file.js';
import { readCertificateAnswers } from '../certificate/certificate-answers.js';
import {
  assemblePkcs12,
  checkPkcs12,
  findPreviousPrivateRoot,
  readPemCertificates,
} from '../certificate/index.js';
import { readDatabaseAnswers, runDatabaseLiveTest } from '../database/index.js';
import { generateMasterKey } from '../secrets/master-key.js';
import {
  addMonths,
  assertRotationAllowed,
  issueServiceAccounts,
  rotateServiceAccounts,
} from '../secrets/service-accounts.js';
import { readSyslogAnswers } from '../syslog/syslog-answers.js';
import type { ConfigIsoInput } from './config-iso-input.js';
import type { LoadedConfigIso } from './read-config-iso.js';
import { isoModesLostWarning } from './summarize-config.js';

export interface HeadlessBuildOptions {
  answers: AnswersFile;
  /** The current ISO, for a rotation (`--import`). Without it: a new deployment. */
  imported?: LoadedConfigIso;
  /** Where that ISO is, as the admin named it: messages say what to run on it. */
  importPath?: string;
  serviceAccountMode?: RotationMode;
  skipDatabaseTest: boolean;
  createdAt: Date;
  now: Date;
  toolVersion: string;
}

export interface PreparedBuild {
  input: ConfigIsoInput;
  rotation: RotationMode | 'new';
  warnings: { code: string; message: string }[];
  notes: string[];
}

/**
 * `hds-setup build`: the same checks as the wizard's pages, from an answers file. The master key
 * is made only for a new deployment; with --import it is carried over.
 */
export async function prepareHeadlessBuild(options: HeadlessBuildOptions): Promise<PreparedBuild> {
  const { answers, imported, now } = options;
  const warnings: PreparedBuild['warnings'] = [];
  const notes: string[] = [];
  if (!imported && options.serviceAccountMode)
    throw new HdsError(
      'INVALID_INPUT',
      '--service-accounts applies to a rotation (with --import <current.iso>); a new deployment always gets new secrets.',
      'serviceAccounts',
    );

  if (imported?.modesLost) warnings.push(isoModesLostWarning());
  const certificate = await certificateFromAnswers(answers, imported, options.importPath, now, warnings);
  const database = readDatabaseAnswers(answers, { previousType: imported?.database.settings.type });
  if (!options.skipDatabaseTest) {
    const result = await runDatabaseLiveTest(database.settings, database.password, database.rootCa?.pem);
    notes.push(
      `Database live test passed: ${result.serverVersion}${result.tls.used ? ` over ${result.tls.protocol}` : ' without TLS'}.`,
    );
  } else notes.push('Database live test skipped (--skip-db-test).');
  const syslog = readSyslogAnswers(answers);

  const rotation: RotationMode | 'new' = imported ? (options.serviceAccountMode ?? 'keep') : 'new';
  // Whether the imported secrets have expired is a fact of today, whatever date the build records.
  if (imported && rotation !== 'new') assertRotationAllowed(imported.serviceAccounts, rotation, now);
  assertBuildDateFitsNewSecrets(rotation, options.createdAt, now);
  const serviceAccounts =
    imported && rotation !== 'new'
      ? rotateServiceAccounts(imported.serviceAccounts, rotation, options.createdAt)
      : issueServiceAccounts(options.createdAt);

  return {
    rotation,
    warnings,
    notes,
    input: {
      masterKey: imported ? imported.masterKey : generateMasterKey(),
      deploymentId: imported ? imported.manifest.deploymentId : randomUUID(),
      generation: imported ? imported.manifest.generation + 1 : 1,
      previousManifestSha256: imported ? imported.manifestSha256 : null,
      createdAt: options.createdAt,
      toolVersion: options.toolVersion,
      certificate,
      database: {
        settings: database.settings,
        password: database.password,
        ...(database.rootCa ? { rootCaPem: database.rootCa.pem } : {}),
      },
      syslog: {
        settings: {
          url: syslog.settings.url,
          tls: syslog.settings.tls,
          termination: syslog.settings.termination,
        },
        ...(syslog.rootCa ? { rootCaPem: syslog.rootCa.pem } : {}),
      },
      serviceAccounts,
    },
  };
}

async function certificateFromAnswers(
  answers: AnswersFile,
  imported: LoadedConfigIso | undefined,
  importPath: string | undefined,
  now: Date,
  warnings: PreparedBuild['warnings'],
): Promise<ConfigIsoInput['certificate']> {
  const given = readCertificateAnswers(answers);
  const previousCn = imported?.config.certificate.commonName;
  if (given.reuse) {
    if (!imported)
      throw new HdsError(
        'ANSWERS_INVALID',
        'certificate.reuse: true keeps the certificate of the imported ISO: pass --import <current.iso>, or give a p12 file.',
        'certificate.reuse',
      );
    const roots = readPemCertificates(imported.certificate.chainPem, 'certificate', 'The imported chain')
      .filter((c) => c.selfIssued)
      .map((c) => c.x509.toString());
    const result = await checkPkcs12(imported.certificate.pkcs12, imported.certificate.password, {
      trustRoots: roots,
      previousCn,
      now,
      // The keystore hds-setup wrote holds the full chain: reusing it never goes to the network.
      issuerFetch: false,
    });
    warnings.push(...result.warnings);
    return {
      pkcs12: imported.certificate.pkcs12,
      password: imported.certificate.password,
      chainPem: imported.certificate.chainPem,
      ...facts(result.summary),
    };
  }
  // Importing is no acknowledgment of the previous private root: its trustRoots entry is. A chain
  // that lacks it is refused naming that root and how to list it (as the wizard asks for its tick).
  const previousRoot = imported && findPreviousPrivateRoot(imported.certificate.chainPem);
  const result = await checkPkcs12(given.p12!, given.password!, {
    trustRoots: given.trustRoots,
    ...(previousCn ? { previousCn } : {}),
    ...(previousRoot
      ? {
          previousPrivateRoot: {
            root: previousRoot,
            howToTrust: howToListRoot(importPath ?? '<current.iso>', previousRoot.fingerprintSha256),
          },
        }
      : {}),
    now,
    // Named as the answers file names them (docs/answers-file.md: fields are dotted paths).
    fields: {
      file: 'certificate.p12',
      password: 'certificate.password',
      trustRoot: 'certificate.trustRoots',
    },
  });
  warnings.push(...result.warnings);
  const chainPems = result.chain.map((c) => c.toString());
  return {
    // Re-assembled so the key bag carries the friendly name the nodes look for.
    pkcs12: assemblePkcs12(result.key, chainPems, given.password!),
    password: given.password!,
    chainPem: chainPems.join(''),
    ...facts(result.summary),
  };
}

function howToListRoot(iso: string, fingerprintSha256: string): string {
  return `copy it out of the previous ISO (hds-setup iso extract ${iso} <dir>; it is the last -----BEGIN CERTIFICATE----- block of <dir>/hds/certs/kms-chain.pem, SHA-256 fingerprint ${fingerprintSha256}), save it as a PEM file and list that file under certificate.trustRoots in the answers file (the entry is your acknowledgment).`;
}

function facts(summary: {
  cn: string;
  sans: string[];
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
}) {
  return {
    commonName: summary.cn,
    subjectAltNames: summary.sans,
    notBefore: new Date(summary.notBefore),
    notAfter: new Date(summary.notAfter),
    fingerprintSha256: summary.fingerprintSha256,
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * New secrets are dated by the build time (SOURCE_DATE_EPOCH when set). Random secrets make such a
 * build unreproducible anyway, so an old or future date would only give the nodes secrets that are
 * born expired, a soft-reset grace that is already over, or secrets not valid yet.
 */
function assertBuildDateFitsNewSecrets(rotation: RotationMode | 'new', createdAt: Date, now: Date): void {
  if (rotation === 'keep') return;
  const date = createdAt.toISOString();
  const refuse = (what: string) =>
    new HdsError(
      'INVALID_INPUT',
      `SOURCE_DATE_EPOCH dates this build ${date}: ${what}. Unset it (or give the current time, $(date +%s)) when new service-account secrets are issued; a fixed date reproduces only builds that keep the secrets.`,
      'SOURCE_DATE_EPOCH',
    );
  if (addMonths(createdAt, SERVICE_ACCOUNT_LIFESPAN_MONTHS) <= now)
    throw refuse('the new service-account secrets would have already expired');
  if (rotation === 'soft' && createdAt.getTime() + SOFT_RESET_GRACE_DAYS * DAY_MS <= now.getTime())
    throw refuse(`the ${SOFT_RESET_GRACE_DAYS}-day grace of the previous secrets would already be over`);
  if (createdAt.getTime() > now.getTime() + DAY_MS)
    throw refuse('the new service-account secrets would not be valid before that date');
}
