// Tenant organisations and their Customer Main Keys in the key database.
export type { BulkOptions, BulkOutcome, BulkProgress } from './bulk-outcome.js';
export {
  CMK_ALGORITHM,
  CMK_ALGORITHM_GCM_V1,
  type CmkKek,
  deriveCmkKek,
  unwrapCmk,
  WRAPPED_CMK_BYTES,
  wrapCmk,
} from './cmk-wrap.js';
export { CMK_STATEMENT_SIZE, createCmks, DEFAULT_BATCH_SIZE, pendingTenantIds } from './create-cmks.js';
export { restoreTenant } from './restore-tenant.js';
export {
  bulkRevokeConfirmation,
  removedTenantIds,
  revokeRemovedCmks,
  revokeTenantCmk,
} from './revoke-cmks.js';
export { syslogAuditSender } from './syslog-audit-sender.js';
export {
  type AuditLinesNotSent,
  describeAuditLine,
  type TenantAuditLine,
  type TenantAuditSender,
} from './tenant-audit.js';
export { parseTenantCsv, type TenantToAdd } from './tenant-csv.js';
export {
  addTenant,
  addTenants,
  findTenant,
  listTenants,
  markTenantRemoved,
} from './tenant-registry.js';
