import { randomUUID } from 'node:crypto';
import { HdsError } from '../../../../contract/hds-error.js';
import type { RotationMode } from '../../../../contract/service-accounts.js';
import type { AnswersFile } from '../answers/answers-file.js';
import { readCertificateAnswers } from '../certificate/certificate-answers.js';
import { assemblePkcs12, checkPkcs12, readPemCertificates } from '../certificate/index.js';
import { readDatabaseAnswers, runDatabaseLiveTest } from '../database/index.js';
import { generateMasterKey } from '../secrets/master-key.js';
import { issueServiceAccounts, rotateServiceAccounts } from '../secrets/service-accounts.js';
import { readSyslogAnswers } from '../syslog/syslog-answers.js';
import type { ConfigIsoInput } from './config-iso-input.js';
import type { LoadedConfigIso } from './read-config-iso.js';

export interface HeadlessBuildOptions {
  answers: AnswersFile;
  /** The current ISO, for a rotation (`--import`). Without it: a new deployment. */
  imported?: LoadedConfigIso;
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

  const certificate = await certificateFromAnswers(answers, imported, now, warnings);
  const database = readDatabaseAnswers(answers, { previousType: imported?.database.settings.type });
  if (!options.skipDatabaseTest) {
    const result = await runDatabaseLiveTest(database.settings, database.password, database.rootCa?.pem);
    notes.push(
      `Database live test passed: ${result.serverVersion}${result.tls.used ? ` over ${result.tls.protocol}` : ' without TLS'}.`,
    );
  } else notes.push('Database live test skipped (--skip-db-test).');
  const syslog = readSyslogAnswers(answers);

  let rotation: RotationMode | 'new' = 'new';
  let serviceAccounts = issueServiceAccounts(options.createdAt);
  if (imported) {
    rotation = options.serviceAccountMode ?? 'keep';
    serviceAccounts = rotateServiceAccounts(imported.serviceAccounts, rotation, options.createdAt);
  }

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
    });
    warnings.push(...result.warnings);
    return {
      pkcs12: imported.certificate.pkcs12,
      password: imported.certificate.password,
      chainPem: imported.certificate.chainPem,
      ...facts(result.summary),
    };
  }
  const result = await checkPkcs12(given.p12!, given.password!, {
    trustRoots: given.trustRoots,
    ...(previousCn ? { previousCn } : {}),
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
