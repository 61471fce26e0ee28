import { HdsError } from '../../../../contract/hds-error.js';
import type {
  AddTenantsResult,
  AlreadyListedTenant,
  PreviouslyRevokedTenant,
  TenantAuditWarning,
  TenantCmkStatus,
  TenantView,
} from '../../../../contract/tenants.js';
import { writeAudit } from '../keyDatabase/audit-log.js';
import type { KeyDatabase, SqlRow } from '../keyDatabase/key-database.js';
import { sendTenantAudit, type TenantAuditLine, type TenantAuditSender } from './tenant-audit.js';
import type { TenantToAdd } from './tenant-csv.js';

const iso = (value: unknown) => new Date(value as Date).toISOString();

/** The tenants shown in the Tenant CMK Management table (revoked ones leave it, as in the guide). */
export async function listTenants(db: KeyDatabase): Promise<TenantView[]> {
  return (await db.run(db.sql.listTenants())).map((r) => {
    const hasCmk = r.key_version !== null && r.key_version !== undefined;
    const status: TenantCmkStatus =
      r.status === 'removed' ? 'removalPending' : hasCmk ? 'managed' : 'pending';
    return {
      orgId: String(r.org_id).toLowerCase(),
      name: String(r.name),
      status,
      createdAt: iso(r.created_at),
      ...(hasCmk ? { keyVersion: Number(r.key_version), cmkCreatedAt: iso(r.cmk_created_at) } : {}),
    };
  });
}

/**
 * Adds tenants in one transaction (all or nothing). Orgs already listed are left as they are — under
 * another name they are named in `listedUnderOtherName`, since a name never changes silently; a
 * revoked org comes back as pending, and is named in `previouslyRevoked` so the admin is told plainly
 * that it had a CMK revoked and which key version its new CMK will be.
 */
export async function addTenants(
  db: KeyDatabase,
  tenants: TenantToAdd[],
  now: Date,
  options: { audit?: TenantAuditSender } = {},
): Promise<AddTenantsResult & { auditWarnings: TenantAuditWarning[] }> {
  const { result, auditLines } = await addTenantsReadingListed(db, tenants, now);
  return { ...result, auditWarnings: await sendTenantAudit(options.audit, auditLines) };
}

/** `addTenants`, with the rows (name, status) of the orgs that were already listed. */
async function addTenantsReadingListed(
  db: KeyDatabase,
  tenants: TenantToAdd[],
  now: Date,
): Promise<{ result: AddTenantsResult; listed: Map<string, SqlRow>; auditLines: TenantAuditLine[] }> {
  const listed = new Map<string, SqlRow>();
  if (tenants.length === 0)
    return {
      result: { added: 0, alreadyPresent: 0, previouslyRevoked: [], listedUnderOtherName: [] },
      listed,
      auditLines: [],
    };
  return db.transaction(async (tx) => {
    const revoked = new Map<string, SqlRow>();
    for (const statement of db.sql.revokedTenants(tenants.map((t) => t.orgId)))
      for (const row of await tx.run(statement)) revoked.set(String(row.org_id).toLowerCase(), row);
    const added: string[] = [];
    for (const statement of db.sql.addTenants(tenants, now))
      for (const row of await tx.run(statement)) added.push(String(row.org_id).toLowerCase());
    const previouslyRevoked: PreviouslyRevokedTenant[] = [];
    for (const { orgId, name } of tenants) {
      const row = revoked.get(orgId);
      if (!row) continue;
      const lastKeyVersion = Number(row.key_generation ?? 0);
      previouslyRevoked.push({
        orgId,
        name,
        revokedAt: iso(row.revoked_at),
        lastKeyVersion,
        nextKeyVersion: lastKeyVersion + 1,
      });
    }
    await writeAudit(
      db,
      tx,
      added.map((orgId) => {
        const before = revoked.get(orgId);
        const detail = before
          ? `added again after its CMK was revoked on ${iso(before.revoked_at)}; next key version ${Number(before.key_generation ?? 0) + 1}`
          : 'added';
        return { action: 'add-tenant', orgId, outcome: 'ok', detail };
      }),
      now,
    );
    const addedIds = new Set(added);
    const notAdded = tenants.filter((t) => !addedIds.has(t.orgId));
    if (notAdded.length)
      for (const statement of db.sql.readTenants(
        notAdded.map((t) => t.orgId),
        false,
      ))
        for (const row of await tx.run(statement)) listed.set(String(row.org_id).toLowerCase(), row);
    const listedUnderOtherName: AlreadyListedTenant[] = [];
    for (const { orgId, name } of notAdded) {
      const listedAs = listed.get(orgId)?.name;
      // Names are stored composed (NFC); rows written before that may not be.
      if (typeof listedAs === 'string' && listedAs.normalize('NFC') !== name.normalize('NFC'))
        listedUnderOtherName.push({ orgId, name, listedAs });
    }
    return {
      result: {
        added: added.length,
        alreadyPresent: notAdded.length,
        previouslyRevoked,
        listedUnderOtherName,
      },
      listed,
      // Sent once the transaction commits, one per audit row.
      auditLines: added.map((orgId): TenantAuditLine => {
        const before = revoked.get(orgId);
        return {
          action: 'add-tenant',
          orgId,
          outcome: 'ok',
          ...(before ? { revokedKeyVersion: Number(before.key_generation ?? 0) } : {}),
        };
      }),
    };
  });
}

/**
 * Adds one tenant; one that is already listed is TENANT_EXISTS. Returns the re-added notice, if any,
 * and the syslog audit line's failure, if any.
 */
export async function addTenant(
  db: KeyDatabase,
  tenant: TenantToAdd,
  now: Date,
  options: { audit?: TenantAuditSender } = {},
): Promise<{ previouslyRevoked?: PreviouslyRevokedTenant; auditWarnings: TenantAuditWarning[] }> {
  const { result, listed, auditLines } = await addTenantsReadingListed(db, [tenant], now);
  const { added, previouslyRevoked, listedUnderOtherName } = result;
  if (added === 0) {
    const renamed = listedUnderOtherName[0];
    const removed = listed.get(tenant.orgId)?.status === 'removed';
    throw new HdsError(
      'TENANT_EXISTS',
      [
        renamed
          ? `The organisation ${tenant.orgId} is already listed as ${renamed.listedAs}; its name was not changed.`
          : `The organisation ${tenant.orgId} is already in the tenant list.`,
        removed
          ? `It is marked removed (revocation pending): to bring it back as it was, restore it (Restore in its row, or hds-setup tenants restore --org ${tenant.orgId}).`
          : '',
        'Nothing was changed.',
      ]
        .filter(Boolean)
        .join(' '),
      'orgId',
    );
  }
  const auditWarnings = await sendTenantAudit(options.audit, auditLines);
  return previouslyRevoked[0]
    ? { previouslyRevoked: previouslyRevoked[0], auditWarnings }
    : { auditWarnings };
}

export async function findTenant(db: KeyDatabase, orgId: string): Promise<TenantView> {
  const tenant = (await listTenants(db)).find((t) => t.orgId === orgId);
  if (!tenant)
    throw new HdsError(
      'TENANT_NOT_FOUND',
      `There is no tenant with org id ${orgId} in the key database at ${db.where}. Check the id in Partner Hub.`,
      'orgId',
    );
  return tenant;
}

/**
 * Marks a tenant removed from the cluster (the guide's "Remove tenant organizations"). Its CMK stays
 * until the separate, confirmed revoke — removing is reversible, revoking is not. Audited in the
 * database and, after it commits, to syslog (a failed send is a warning; the removal stands).
 */
export async function markTenantRemoved(
  db: KeyDatabase,
  orgId: string,
  now: Date,
  options: { audit?: TenantAuditSender } = {},
): Promise<{ auditWarnings: TenantAuditWarning[] }> {
  const tenant = await findTenant(db, orgId);
  if (tenant.status === 'removalPending') return { auditWarnings: [] };
  await db.transaction(async (tx) => {
    const rows = await tx.run(db.sql.markTenantRemoved(orgId, now));
    if (rows.length === 0)
      throw new HdsError(
        'TENANT_STATE',
        `The organisation ${orgId} changed meanwhile; reload the list and try again.`,
      );
    await writeAudit(
      db,
      tx,
      [{ action: 'remove-tenant', orgId, outcome: 'ok', detail: 'removed from the cluster' }],
      now,
    );
  });
  const { keyVersion } = tenant;
  return {
    auditWarnings: await sendTenantAudit(options.audit, [
      { action: 'remove-tenant', orgId, outcome: 'ok', ...(keyVersion === undefined ? {} : { keyVersion }) },
    ]),
  };
}
