import type { Router } from 'express';
import { HdsError } from '../../../../contract/hds-error.js';
import { parseInput } from '../../../../contract/parse-input.js';
import {
  type AddTenantResponse,
  addTenantRequestSchema,
  type BulkJobView,
  bulkJobRequestSchema,
  type ImportTenantsResponse,
  importTenantsRequestSchema,
  orgIdSchema,
  type RemoveTenantResponse,
  type RestoreTenantResponse,
  type RevokeTenantResponse,
  revokeRequestSchema,
  TENANT_CSV_MAX_BYTES,
  type TenantListResponse,
} from '../../../../contract/tenants.js';
import {
  addTenant,
  addTenants,
  bulkRevokeConfirmation,
  createCmks,
  findTenant,
  listTenants,
  markTenantRemoved,
  parseTenantCsv,
  pendingTenantIds,
  removedTenantIds,
  restoreTenant,
  revokeRemovedCmks,
  revokeTenantCmk,
} from '../../core/tenants/index.js';
import { jsonBody } from '../body.js';
import type { RouteModule } from '../route-context.js';
import { BulkJobs, type JobLookup } from '../tenants/bulk-jobs.js';
import { openTenantWorkspace, tenantAvailability, withTenantWorkspace } from '../tenants/tenant-workspace.js';

/** The Tenant CMK Management tab: tenants, CSV import, bulk CMK jobs with progress, remove/restore, revoke. */
export const tenantRoutes: RouteModule = (router: Router, { state, now }) => {
  const jobs = new BulkJobs();
  const list = async (): Promise<TenantListResponse> =>
    withTenantWorkspace(state, async ({ db }) => ({
      ok: true,
      tenants: await listTenants(db),
      database: db.where,
    }));
  const orgParam = (value: unknown) => parseInput(orgIdSchema, value, 'orgId');

  // Cheap and never touches the database: the shell asks on every page change whether to show the tab.
  router.get('/tenants/availability', (_req, res) => {
    res.json(tenantAvailability(state));
  });

  router.get('/tenants', async (_req, res) => {
    res.json(await list());
  });

  router.post('/tenants', jsonBody(), async (req, res) => {
    const tenant = parseInput(addTenantRequestSchema, req.body);
    const { previouslyRevoked, auditWarnings } = await withTenantWorkspace(state, ({ db, audit }) =>
      addTenant(db, tenant, now(), { audit }),
    );
    const response: AddTenantResponse = {
      ...(await list()),
      ...(previouslyRevoked ? { previouslyRevoked } : {}),
      warnings: auditWarnings,
    };
    res.json(response);
  });

  // JSON escapes a CSV's quotes and line ends: twice its size leaves room for any file under the limit.
  router.post('/tenants/import', jsonBody(2 * TENANT_CSV_MAX_BYTES + 1024), async (req, res) => {
    const tenants = parseTenantCsv(parseInput(importTenantsRequestSchema, req.body).csv);
    const { auditWarnings, ...result } = await withTenantWorkspace(state, ({ db, audit }) =>
      addTenants(db, tenants, now(), { audit }),
    );
    const response: ImportTenantsResponse = { ok: true, ...result, warnings: auditWarnings };
    res.json(response);
  });

  router.post('/tenants/:orgId/remove', async (req, res) => {
    const orgId = orgParam(req.params.orgId);
    const { auditWarnings } = await withTenantWorkspace(state, ({ db, audit }) =>
      markTenantRemoved(db, orgId, now(), { audit }),
    );
    const response: RemoveTenantResponse = { ...(await list()), warnings: auditWarnings };
    res.json(response);
  });

  // The undo of remove: harmless (the CMK is untouched), so no typed confirmation.
  router.post('/tenants/:orgId/restore', async (req, res) => {
    const orgId = orgParam(req.params.orgId);
    const { restored, auditWarnings } = await withTenantWorkspace(state, ({ db, audit }) =>
      restoreTenant(db, orgId, now(), { audit }),
    );
    const response: RestoreTenantResponse = { ...(await list()), restored, warnings: auditWarnings };
    res.json(response);
  });

  router.post('/tenants/:orgId/revoke', jsonBody(), async (req, res) => {
    const orgId = orgParam(req.params.orgId);
    const { confirm } = parseInput(revokeRequestSchema, req.body);
    const result = await withTenantWorkspace(state, ({ db, audit }) =>
      revokeTenantCmk(db, orgId, confirm, { now: now(), audit }),
    );
    const response: RevokeTenantResponse = { ok: true, warnings: result.auditWarnings };
    res.json(response);
  });

  // Bulk work (and single creates, so one path reports per-row failures) runs as a job the page polls.
  router.post('/tenants/jobs', jsonBody('4mb'), async (req, res) => {
    const request = parseInput(bulkJobRequestSchema, req.body);
    const workspace = await openTenantWorkspace(state);
    try {
      const { db, masterKey, audit, deploymentId } = workspace;
      const orgIds =
        request.action === 'create'
          ? request.orgIds
            ? await Promise.all(request.orgIds.map(async (id) => (await findTenant(db, id)).orgId))
            : await pendingTenantIds(db)
          : await removedTenantIds(db);
      if (request.action === 'revoke' && request.confirm.trim() !== bulkRevokeConfirmation(orgIds.length))
        throw new HdsError(
          'TENANT_CONFIRMATION_MISMATCH',
          `Type "${bulkRevokeConfirmation(orgIds.length)}" to revoke the CMKs of all ${orgIds.length} removed tenants. Revoking cannot be undone.`,
          'confirm',
        );
      // Not started for a deployment the admin left while the tenants were read.
      workspace.assertCurrent();
      // The workspace's own copy of the key: a discard or an import meanwhile does not reach it.
      const view = jobs.start(deploymentId, request.action, orgIds.length, async (signal, onProgress) => {
        try {
          const options = { signal, onProgress, now, ...(audit ? { audit } : {}) };
          return request.action === 'create'
            ? await createCmks(db, masterKey, orgIds, options)
            : await revokeRemovedCmks(db, request.confirm, options);
        } finally {
          await workspace.close();
        }
      });
      res.status(202).json(view);
    } catch (error) {
      await workspace.close();
      throw error;
    }
  });

  router.get('/tenants/jobs/:id', (req, res) => {
    res.json(foundJob(jobs.get(String(req.params.id), state.get('deployment')?.deploymentId)));
  });

  router.post('/tenants/jobs/:id/cancel', (req, res) => {
    res.json(foundJob(jobs.cancel(String(req.params.id), state.get('deployment')?.deploymentId)));
  });
};

function foundJob(found: JobLookup): BulkJobView {
  if ('job' in found) return found.job;
  throw new HdsError(
    'NOT_FOUND',
    found.missing === 'other-deployment'
      ? "That CMK job belongs to a deployment this session no longer holds (it was discarded or another ISO was imported). Open Tenant CMK Management again to see this deployment's tenants."
      : 'That CMK job is not known (the wizard may have restarted).',
  );
}
