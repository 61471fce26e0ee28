import { z } from 'zod';
import type { BackupVerdict, BuiltIsoInfo } from '../../../../contract/config-iso.js';
import { HdsError } from '../../../../contract/hds-error.js';
import { parseInput } from '../../../../contract/parse-input.js';
import { buildConfigIso, readConfigIso, sha256Hex } from '../../core/configIso/index.js';
import { bindAfterSavedIso, checkBindingBeforeBuild } from '../../core/keyDatabase/bind-configuration.js';
import { binaryBody, jsonBody } from '../body.js';
import { configInputSha256, requireCurrentBuiltIso } from '../config-iso/built-iso-freshness.js';
import { collectConfigInput } from '../config-iso/collect-config-input.js';
import { databaseIdentity, keyOriginOf } from '../config-iso/key-origin.js';
import { reviewState } from '../config-iso/review.js';
import { withDeploymentSnapshot } from '../deployment-snapshot.js';
import type { RouteModule } from '../route-context.js';

const MAX_BACKUP_UPLOAD = 16 * 1024 * 1024;
/** Re-binding a database of another deployment is confirmed by typing the database's name. */
const buildSchema = z.strictObject({
  rebindConfirmation: z.string().max(200).optional(),
  /** After an import: the ISO's database is empty and the admin confirmed it is the right one. */
  acceptEmptyDatabase: z.boolean().optional(),
});

/** Page 8: review, build and download the ISO, acknowledge the backup, verify the stored copy. */
export const configIsoRoutes: RouteModule = (router, { state, now }) => {
  router.get('/review', (_req, res) => {
    res.json(reviewState(state, now()));
  });

  // Everything is read (and the secrets copied) before the first await; a discard or an import
  // meanwhile gets DEPLOYMENT_CHANGED and no ISO is offered (deployment-snapshot.ts).
  router.post('/iso/build', jsonBody(), (req, res) =>
    withDeploymentSnapshot(state, async (snapshot) => {
      const { rebindConfirmation, acceptEmptyDatabase } = parseInput(buildSchema, req.body ?? {});
      const input = snapshot.copy(collectConfigInput(state, now));
      // What the ISO is built from, as it is now: a page saved during the build makes it stale.
      const inputSha256 = configInputSha256(state, now);
      const database = { ...state.get('database')!, password: input.database.password };
      if (rebindConfirmation !== undefined && rebindConfirmation !== database.settings.name)
        throw new HdsError(
          'INVALID_INPUT',
          `To re-bind, type the database name exactly: ${database.settings.name}.`,
          'rebindConfirmation',
        );
      const rebind = rebindConfirmation !== undefined;
      const check = await checkBindingBeforeBuild(
        database,
        input.masterKey,
        keyOriginOf(state, { rebind, acceptEmptyDatabase: acceptEmptyDatabase === true }),
      );
      const built = await buildConfigIso(input);
      snapshot.assertCurrent();
      if (check.emptyDatabase)
        state.get('deployment')!.emptyDatabaseAccepted = {
          identity: databaseIdentity(database.settings),
          where: check.emptyDatabase,
          message: check.message,
        };
      state.set('builtIso', { built, inputSha256, backupAcknowledged: false, rebind, preflight: check });
      res.json(reviewState(state, now()));
    }),
  );

  // A plain GET so the browser downloads it as a file: the ISO never passes through page script.
  router.get('/iso/download', (_req, res) => {
    const built = requireCurrentBuiltIso(state, now);
    built.downloaded = true;
    res.setHeader('Content-Type', 'application/x-iso9660-image');
    res.setHeader('Content-Disposition', `attachment; filename="${built.built.fileName}"`);
    res.setHeader('Content-Length', String(built.built.bytes.length));
    res.setHeader('X-Content-SHA256', built.built.sha256);
    res.end(built.built.bytes);
  });

  router.post('/iso/acknowledge-backup', jsonBody(), (_req, res) =>
    withDeploymentSnapshot(state, async (snapshot) => {
      const built = requireCurrentBuiltIso(state, now);
      // A master key that was never saved must never be bound to the database.
      if (!built.downloaded)
        throw new HdsError(
          'WIZARD_INCOMPLETE',
          'Download the ISO and store it before confirming the backup.',
        );
      const deployment = state.get('deployment')!;
      const accounts = snapshot.copy(state.get('serviceAccounts')!);
      const database = snapshot.copy(state.get('database')!);
      const binding = await bindAfterSavedIso(
        database,
        snapshot.copy(deployment.masterKey),
        accounts.accounts,
        accounts.mode,
        state.get('certificate')?.summary.cn ?? deployment.deploymentId,
        keyOriginOf(state, { rebind: built.rebind }),
        now(),
        { confirmStillWanted: () => snapshot.assertCurrent() },
      );
      snapshot.assertCurrent();
      built.backupAcknowledged = true;
      built.databaseBinding = binding;
      const info: BuiltIsoInfo & { ok: true } = {
        ok: true,
        fileName: built.built.fileName,
        size: built.built.bytes.length,
        sha256: built.built.sha256,
        generation: built.built.manifest.generation,
        backupAcknowledged: true,
        databaseBinding: binding,
      };
      res.json(info);
    }),
  );

  router.post('/iso/verify-backup', binaryBody(MAX_BACKUP_UPLOAD), async (req, res) => {
    const built = requireCurrentBuiltIso(state, now);
    const uploaded = req.body as unknown;
    if (!Buffer.isBuffer(uploaded) || uploaded.length === 0)
      throw new HdsError('INVALID_INPUT', 'Choose the copy of the ISO you stored as your backup.', 'backup');
    res.json(await compareBackup(uploaded, built.built.bytes, built.built.manifest));
  });
};

async function compareBackup(
  uploaded: Buffer,
  expected: Buffer,
  manifest: { deploymentId: string; generation: number },
): Promise<BackupVerdict & { ok: true }> {
  const base = {
    ok: true as const,
    uploadedSha256: sha256Hex(uploaded),
    expectedSha256: sha256Hex(expected),
  };
  if (uploaded.equals(expected))
    return {
      ...base,
      identical: true,
      kind: 'identical',
      message: 'Your backup is byte-identical to the ISO hds-setup produced. Keep it safe.',
    };
  if (uploaded.length < expected.length && expected.subarray(0, uploaded.length).equals(uploaded))
    return {
      ...base,
      identical: false,
      kind: 'truncated',
      message: `Your backup is truncated: it has ${uploaded.length} of ${expected.length} bytes. Copy the downloaded ISO again and check it here.`,
    };
  if (uploaded.length > expected.length && uploaded.subarray(0, expected.length).equals(expected))
    return {
      ...base,
      identical: false,
      kind: 'longer',
      message: `Your backup has ${uploaded.length - expected.length} extra bytes after the ISO. Copy the downloaded ISO again.`,
    };
  try {
    // Only to say how the backup differs (another deployment or generation): content, not modes.
    const other = await readConfigIso(uploaded, { purpose: 'import' });
    if (other.manifest.deploymentId !== manifest.deploymentId)
      return {
        ...base,
        identical: false,
        kind: 'other-deployment',
        message: `This is a configuration ISO of another deployment (${other.manifest.deploymentId}), not the one just produced. Find the right file and back it up.`,
      };
    if (other.manifest.generation !== manifest.generation)
      return {
        ...base,
        identical: false,
        kind: 'other-generation',
        message: `This is generation ${other.manifest.generation} of this deployment; the ISO just produced is generation ${manifest.generation}. Back up the new one too.`,
      };
  } catch {
    return {
      ...base,
      identical: false,
      kind: 'not-a-config-iso',
      message:
        'This file is not an intact configuration ISO: it differs from the ISO just produced. Copy the downloaded ISO again.',
    };
  }
  return {
    ...base,
    identical: false,
    kind: 'different-bytes',
    message:
      'This is the same deployment and generation, but the bytes differ from the ISO just produced (another build?). Back up the downloaded file exactly as it is.',
  };
}
