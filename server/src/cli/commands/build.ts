import type { Command } from 'commander';
import { HdsError } from '../../../../contract/hds-error.js';
import type { RotationMode } from '../../../../contract/service-accounts.js';
import { productVersion } from '../../product.js';
import { runCommand, UsageError, withDefaultField } from '../output.js';
import type { RegisterCommand } from './index.js';

interface BuildOptions {
  answers: string;
  out: string;
  import?: string;
  serviceAccounts?: string;
  skipDbTest?: boolean;
  rebind?: boolean;
  acceptEmptyDatabase?: boolean;
  force?: boolean;
  json?: boolean;
}

/** `hds-setup build`: the wizard's whole journey from an answers file, without a browser. */
export const registerBuild: RegisterCommand = (program: Command, setExit) => {
  program
    .command('build')
    .description('build the configuration ISO from an answers file (headless)')
    .requiredOption('--answers <answers.yaml>', 'the answers file (docs/answers-file.md)')
    .requiredOption('--out <file.iso>', 'where to write the ISO')
    .option(
      '--import <current.iso>',
      'the current configuration ISO: rotate instead of starting a new deployment',
    )
    .option('--service-accounts <mode>', 'with --import: keep | soft | hard (default keep)')
    .option('--skip-db-test', 'do not run the live database test (nodes may reach what this machine cannot)')
    .option('--rebind', 'a new deployment may take over a database bound to another key that holds no CMK')
    .option(
      '--accept-empty-database',
      "with --import: the ISO's database is empty and it is the right one: bind it (audited)",
    )
    .option('--force', 'replace --out if it exists')
    .option('--json', 'print one JSON object')
    .action(async (opts: BuildOptions) => {
      // What builds the ISO (zod, forge, pg…) loads only when this command runs: the CLI starts faster.
      const { ROTATION_MODES } = await import('../../../../contract/service-accounts.js');
      if (
        opts.serviceAccounts !== undefined &&
        !(ROTATION_MODES as readonly string[]).includes(opts.serviceAccounts)
      )
        throw new UsageError(`--service-accounts must be keep, soft or hard, not "${opts.serviceAccounts}".`);
      if (opts.serviceAccounts !== undefined && !opts.import)
        throw new UsageError(
          '--service-accounts goes with --import <current.iso> (a rotation); a new deployment always gets new secrets.',
        );
      if (opts.acceptEmptyDatabase && !opts.import)
        throw new UsageError(
          '--accept-empty-database goes with --import (a new deployment may always use an empty database).',
        );
      setExit(await runCommand(Boolean(opts.json), () => build(opts)));
    });
};

async function build(opts: BuildOptions) {
  const [
    { AnswersFile },
    { prepareHeadlessBuild },
    { buildConfigIso, buildTime, readConfigIso },
    { bindAfterSavedIso, checkBindingBeforeBuild },
    { assertOutputWritable, writeFileAtomically },
  ] = await Promise.all([
    import('../../core/answers/answers-file.js'),
    import('../../core/configIso/headless-build.js'),
    import('../../core/configIso/index.js'),
    import('../../core/keyDatabase/bind-configuration.js'),
    import('../write-file-atomically.js'),
  ]);
  // Refuse early: nothing is checked or bound when the output cannot be written anyway.
  assertOutputWritable(opts.out, Boolean(opts.force));
  const answers = AnswersFile.load(opts.answers);
  const imported = opts.import
    ? await readConfigIso(opts.import, { purpose: 'import' }).catch((error: unknown) => {
        // The ISO's own checks know no option names; the admin sees which option to correct.
        throw error instanceof HdsError && error.field === undefined
          ? new HdsError(error.code, error.message, 'import')
          : error;
      })
    : undefined;
  const now = new Date();
  const prepared = await prepareHeadlessBuild({
    answers,
    imported,
    ...(opts.import ? { importPath: opts.import } : {}),
    serviceAccountMode: opts.serviceAccounts as RotationMode | undefined,
    skipDatabaseTest: Boolean(opts.skipDbTest),
    createdAt: buildTime(process.env),
    now,
    toolVersion: productVersion(),
  });
  const { input } = prepared;
  const key = imported
    ? {
        origin: 'imported' as const,
        iso: imported.manifest,
        acceptEmptyDatabase: Boolean(opts.acceptEmptyDatabase),
        confirmedBy: 'hds-setup build --accept-empty-database',
      }
    : { origin: 'new' as const, rebind: Boolean(opts.rebind) };
  const preflight = opts.skipDbTest
    ? { ok: false, message: 'Key database not contacted (--skip-db-test); the master key is not bound yet.' }
    : await checkBindingBeforeBuild(input.database, input.masterKey, key).catch(inBuildTerms);
  const built = await buildConfigIso(input);
  // The ISO holds the master key: readable by its owner only.
  const path = await writeFileAtomically(opts.out, built.bytes, { force: Boolean(opts.force), mode: 0o600 });
  // Bound only now that the key is saved in a file.
  const binding = opts.skipDbTest
    ? preflight
    : await bindAfterSavedIso(
        input.database,
        input.masterKey,
        input.serviceAccounts,
        prepared.rotation,
        input.certificate.commonName,
        key,
        now,
      ).catch(inBuildTerms);
  return {
    data: {
      file: path,
      size: built.bytes.length,
      sha256: built.sha256,
      generation: built.manifest.generation,
      deploymentId: built.manifest.deploymentId,
      previousManifestSha256: built.manifest.previousManifestSha256,
      manifestSha256: built.manifestSha256,
      serviceAccounts: prepared.rotation,
      databaseBinding: binding,
      notes: prepared.notes,
    },
    human: [
      `Wrote ${path} (generation ${built.manifest.generation}, ${built.bytes.length} bytes).`,
      `SHA-256 ${built.sha256}`,
      ...prepared.notes,
      binding.message,
      'BACK IT UP NOW: this ISO holds the only copy of the master key. Store it in two secure places and check each copy with `sha256sum`.',
    ].join('\n'),
    warnings: prepared.warnings,
  };
}

/**
 * The key database check's fields in build's own terms: the wizard's typed confirmation is
 * --rebind, the ISO is --import's; what names no input (a database bound to another deployment
 * and holding CMKs) is about the answers file's `database`. The HTTP API keeps the core's fields.
 */
const BUILD_FIELDS: Record<string, string> = { rebindConfirmation: 'rebind', iso: 'import' };

function inBuildTerms(error: unknown): never {
  if (!(error instanceof HdsError)) throw error;
  const renamed = error.field === undefined ? undefined : BUILD_FIELDS[error.field];
  throw renamed ? new HdsError(error.code, error.message, renamed) : withDefaultField(error, 'database');
}
