import { HdsError } from '../../../../contract/hds-error.js';
import type { TenantAuditWarning } from '../../../../contract/tenants.js';
import { writeAudit } from '../keyDatabase/audit-log.js';
import type { KeyDatabase } from '../keyDatabase/key-database.js';
import { type BulkOptions, type BulkOutcome, BulkTally } from './bulk-outcome.js';
import { sendTenantAudit, type TenantAuditSender } from './tenant-audit.js';
import { findTenant } from './tenant-registry.js';

/** Deletes one removed tenant's wrapped key for good, with its audit row, in one transaction. */
async function revokeOne(db: KeyDatabase, orgId: string, now: Date): Promise<number> {
  return db.transaction(async (tx) => {
    const [row] = await tx.run(db.sql.readTenants([orgId], true)[0]!);
    if (row?.status !== 'removed')
      throw new HdsError(
        'TENANT_STATE',
        `The tenant ${orgId} is not marked removed. Remove it from the cluster (Partner Hub, then "Mark removed" here) before revoking its CMK.`,
        'orgId',
      );
    const keyVersion = Number((await tx.run(db.sql.readCmks([orgId])[0]!))[0]?.key_version ?? 0);
    for (const statement of db.sql.revokeTenant(orgId, now)) await tx.run(statement);
    await writeAudit(
      db,
      tx,
      [{ action: 'revoke-cmk', orgId, outcome: 'ok', detail: `key version ${keyVersion} deleted` }],
      now,
    );
    return keyVersion;
  });
}

/**
 * Revokes one tenant's CMK: irreversible — every piece of that tenant's content becomes unreadable.
 * The admin must have marked the tenant removed and must type the org's name exactly.
 */
export async function revokeTenantCmk(
  db: KeyDatabase,
  orgId: string,
  confirmName: string,
  options: { now?: Date; audit?: TenantAuditSender } = {},
): Promise<{ auditWarnings: TenantAuditWarning[] }> {
  const tenant = await findTenant(db, orgId);
  if (tenant.status !== 'removalPending')
    throw new HdsError(
      'TENANT_STATE',
      `The tenant "${tenant.name}" is not marked removed. Mark it removed first (after removing it from the cluster in Partner Hub), then revoke.`,
      'orgId',
    );
  // Names are stored composed (NFC); rows written before that may not be.
  if (confirmName.normalize('NFC') !== tenant.name.normalize('NFC'))
    throw new HdsError(
      'TENANT_CONFIRMATION_MISMATCH',
      `Type the organisation's name exactly as listed ("${tenant.name}") to confirm. Revoking cannot be undone.`,
      'confirm',
    );
  const keyVersion = await revokeOne(db, orgId, options.now ?? new Date());
  return {
    auditWarnings: await sendTenantAudit(options.audit, [
      { action: 'revoke-cmk', orgId, keyVersion, outcome: 'ok' },
    ]),
  };
}

/** Org ids of tenants marked removed (the Manage CMKs menu's "revoke all removed"). */
export async function removedTenantIds(db: KeyDatabase): Promise<string[]> {
  return (await db.run(db.sql.removedTenantIds())).map((r) => String(r.org_id));
}

/** The text the admin types to revoke every removed tenant's CMK at once. */
export function bulkRevokeConfirmation(count: number): string {
  return `revoke ${count}`;
}

/** Revokes the CMK of every removed tenant, one transaction per tenant, after a typed confirmation. */
export async function revokeRemovedCmks(
  db: KeyDatabase,
  confirm: string,
  options: BulkOptions = {},
): Promise<BulkOutcome> {
  const orgIds = await removedTenantIds(db);
  // Nothing to destroy, so nothing to confirm: "Type \"revoke 0\"" would only puzzle the admin.
  if (orgIds.length === 0) return new BulkTally(0, options.onProgress).finish('done');
  const expected = bulkRevokeConfirmation(orgIds.length);
  if (confirm.trim() !== expected)
    throw new HdsError(
      'TENANT_CONFIRMATION_MISMATCH',
      `Type "${expected}" to revoke the CMKs of all ${orgIds.length} removed tenants. Revoking cannot be undone.`,
      'confirm',
    );
  const tally = new BulkTally(orgIds.length, options.onProgress);
  for (const orgId of orgIds) {
    if (options.signal?.aborted) return tally.finish('cancelled');
    try {
      const keyVersion = await revokeOne(db, orgId, options.now?.() ?? new Date());
      tally.done++;
      await tally.sendAudit(options.audit, [{ action: 'revoke-cmk', orgId, keyVersion, outcome: 'ok' }]);
    } catch (error) {
      const e = error instanceof HdsError ? error : new HdsError('INTERNAL', String(error));
      if (e.code !== 'TENANT_STATE') return tally.finish('failed', { code: e.code, message: e.message });
      tally.failures.push({ orgId, code: e.code, message: e.message });
    }
    tally.report();
  }
  return tally.finish('done');
}
