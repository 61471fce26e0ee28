import { HdsError } from '../../../../contract/hds-error.js';
import {
  TENANT_STATUS_LABEL,
  type TenantAuditWarning,
  type TenantView,
} from '../../../../contract/tenants.js';
import { writeAudit } from '../keyDatabase/audit-log.js';
import type { KeyDatabase } from '../keyDatabase/key-database.js';
import { sendTenantAudit, type TenantAuditSender } from './tenant-audit.js';
import { findTenant } from './tenant-registry.js';

const day = (value: unknown) => new Date(value as Date).toISOString().slice(0, 10);

/**
 * Undoes "mark removed": the tenant is active again, with its CMK untouched (so *CMK managed* again,
 * or *CMK management pending* if it had none). Only a removed tenant can come back this way: a
 * revoked one has lost its CMK for good and must be added again. One transaction, audited (and,
 * after it commits, to syslog: a failed send is a warning, the restore stands).
 */
export async function restoreTenant(
  db: KeyDatabase,
  orgId: string,
  now: Date,
  options: { audit?: TenantAuditSender } = {},
): Promise<{ restored: TenantView; auditWarnings: TenantAuditWarning[] }> {
  const keyVersion = await db.transaction(async (tx) => {
    const [row] = await tx.run(db.sql.readTenants([orgId], true)[0]!);
    if (!row)
      throw new HdsError(
        'TENANT_NOT_FOUND',
        `There is no tenant with org id ${orgId} in the key database at ${db.where}, so there is nothing to restore. Check the id in Partner Hub; a new organisation is added, not restored.`,
        'orgId',
      );
    const name = String(row.name);
    if (row.status === 'revoked') {
      const [revoked] = await tx.run(db.sql.revokedTenants([orgId])[0]!);
      const last = Number(row.key_generation ?? 0);
      const when = revoked ? ` on ${day(revoked.revoked_at)}` : '';
      throw new HdsError(
        'TENANT_STATE',
        `${last > 0 ? `The CMK (key version ${last}) of ${name} (${orgId}) was revoked${when}` : `${name} (${orgId}) was revoked${when}`}, so it cannot be restored: its content stays unreadable for good. Add it again (Add tenant, a CSV import, or hds-setup tenants add); its new CMK will be key version ${last + 1}.`,
        'orgId',
      );
    }
    if (row.status !== 'removed') {
      const status = row.has_cmk === true || Number(row.has_cmk) === 1 ? 'managed' : 'pending';
      throw new HdsError(
        'TENANT_STATE',
        `${name} (${orgId}) is not removed: it is listed as ${TENANT_STATUS_LABEL[status]}. Nothing to restore.`,
        'orgId',
      );
    }
    if ((await tx.run(db.sql.restoreTenant(orgId, now))).length === 0)
      throw new HdsError(
        'TENANT_STATE',
        `The organisation ${orgId} changed meanwhile; reload the list and try again.`,
        'orgId',
      );
    const [cmk] = await tx.run(db.sql.readCmks([orgId])[0]!);
    const detail = cmk
      ? `restored to the cluster; its CMK (key version ${Number(cmk.key_version)}) was kept`
      : 'restored to the cluster; no CMK yet';
    await writeAudit(db, tx, [{ action: 'restore-tenant', orgId, outcome: 'ok', detail }], now);
    return cmk ? Number(cmk.key_version) : undefined;
  });
  const auditWarnings = await sendTenantAudit(options.audit, [
    { action: 'restore-tenant', orgId, outcome: 'ok', ...(keyVersion === undefined ? {} : { keyVersion }) },
  ]);
  return { restored: await findTenant(db, orgId), auditWarnings };
}
