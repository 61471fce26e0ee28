import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { DeploymentState } from '../../../../contract/config-iso.js';
import { HdsError } from '../../../../contract/hds-error.js';
import { parseInput } from '../../../../contract/parse-input.js';
import { readConfigIso, summarizeConfig } from '../../core/configIso/index.js';
import { generateMasterKey } from '../../core/secrets/master-key.js';
import { issueServiceAccounts } from '../../core/secrets/service-accounts.js';
import { binaryBody, jsonBody } from '../body.js';
import { applyImportedConfig, refuseForeignDatabase } from '../config-iso/apply-imported-config.js';
import { databaseIdentity } from '../config-iso/key-origin.js';
import '../config-iso/config-iso-sections.js';
import type { RouteModule } from '../route-context.js';
import { WizardState } from '../wizard-state.js';

const MAX_ISO_UPLOAD = 16 * 1024 * 1024;
const newDeploymentSchema = z.strictObject({ confirmDiscard: z.boolean().optional() });
const importQuerySchema = z.strictObject({ acceptEmptyDatabase: z.enum(['true', 'false']).optional() });

/** Page 3: start a new deployment, or import the ISO of an earlier run. */
export const deploymentRoutes: RouteModule = (router, { state, now }) => {
  router.get('/deployment', (_req, res) => {
    res.json(deploymentState(state));
  });

  router.post('/deployment/new', jsonBody(), (req, res) => {
    const { confirmDiscard } = parseInput(newDeploymentSchema, req.body ?? {});
    const existing = state.get('deployment');
    if (existing && !confirmDiscard)
      throw new HdsError(
        'WIZARD_INCOMPLETE',
        existing.origin === 'imported'
          ? `This session already holds the imported generation ${existing.nextGeneration - 1} and its master key. Starting a new deployment discards them here (your ISO file is untouched): confirm to continue.`
          : 'This session already started a new deployment with its own master key. Starting again makes a different master key: confirm to continue.',
        'confirmDiscard',
      );
    // PRODUCT.md: a new deployment starts from nothing. Pages filled in before any deployment was
    // chosen are this one's; once one was, every page of it goes (secrets zero-filled).
    if (existing) state.wipe();
    // The only place a master key is made: a new deployment the admin asked for.
    state.set('deployment', {
      origin: 'new',
      masterKey: generateMasterKey(),
      deploymentId: randomUUID(),
      nextGeneration: 1,
      previousManifestSha256: null,
    });
    state.set('serviceAccounts', { mode: 'new', accounts: issueServiceAccounts(now()) });
    res.json(deploymentState(state));
  });

  router.post('/deployment/import', binaryBody(MAX_ISO_UPLOAD), async (req, res) => {
    // The ISO is the body, so the "use this empty database" box comes as ?acceptEmptyDatabase=true.
    const { acceptEmptyDatabase } = parseInput(importQuerySchema, { ...req.query });
    const bytes = req.body as unknown;
    if (!Buffer.isBuffer(bytes) || bytes.length === 0)
      throw new HdsError('INVALID_INPUT', 'Choose the configuration ISO file to import.', 'iso');
    let loaded: Awaited<ReturnType<typeof readConfigIso>>;
    try {
      loaded = await readConfigIso(bytes, { purpose: 'import' });
    } catch (error) {
      if (error instanceof HdsError) throw new HdsError(error.code, error.message, 'iso');
      throw error;
    }
    const summary = summarizeConfig(loaded, now());
    const emptyDatabase = await refuseForeignDatabase(loaded, acceptEmptyDatabase === 'true');
    // Every page comes from the ISO alone: nothing entered for the deployment it replaces survives.
    const imported = new WizardState();
    try {
      await applyImportedConfig(imported, loaded, summary, now());
    } catch (error) {
      imported.wipe();
      throw error;
    }
    if (emptyDatabase)
      imported.get('deployment')!.emptyDatabaseAccepted = {
        identity: databaseIdentity(loaded.database.settings),
        where: emptyDatabase,
        message: `The key database at ${emptyDatabase} is empty and you confirmed it is the right one: this deployment's master key will be bound to it when you save the next ISO or open Tenant CMK Management (recorded in its audit log).`,
      };
    state.replaceAll(imported);
    res.json(deploymentState(state));
  });
};

export function deploymentState(state: WizardState): DeploymentState {
  const deployment = state.get('deployment');
  return {
    ok: true,
    origin: deployment?.origin ?? null,
    nextGeneration: deployment?.nextGeneration ?? null,
    ...(deployment?.imported ? { imported: deployment.imported.summary } : {}),
    ...(deployment?.emptyDatabaseAccepted
      ? {
          emptyDatabaseAccepted: {
            code: 'ISO_DB_EMPTY' as const,
            where: deployment.emptyDatabaseAccepted.where,
            message: deployment.emptyDatabaseAccepted.message,
          },
        }
      : {}),
  };
}
