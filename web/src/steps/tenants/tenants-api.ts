import type {
  AddTenantResponse,
  BulkJobView,
  ImportTenantsResponse,
  RemoveTenantResponse,
  RestoreTenantResponse,
  RevokeTenantResponse,
  TenantAvailability,
  TenantListResponse,
} from '../../../../contract/tenants';
import { api } from '../../api/client';

export const tenantsApi = {
  availability: () => api<TenantAvailability>('GET', '/tenants/availability'),
  list: () => api<TenantListResponse>('GET', '/tenants'),
  add: (orgId: string, name: string) => api<AddTenantResponse>('POST', '/tenants', { orgId, name }),
  importCsv: (csv: string) => api<ImportTenantsResponse>('POST', '/tenants/import', { csv }),
  remove: (orgId: string) =>
    api<RemoveTenantResponse>('POST', `/tenants/${encodeURIComponent(orgId)}/remove`),
  restore: (orgId: string) =>
    api<RestoreTenantResponse>('POST', `/tenants/${encodeURIComponent(orgId)}/restore`),
  revoke: (orgId: string, confirm: string) =>
    api<RevokeTenantResponse>('POST', `/tenants/${encodeURIComponent(orgId)}/revoke`, { confirm }),
  createCmks: (orgIds?: string[]) => api<BulkJobView>('POST', '/tenants/jobs', { action: 'create', orgIds }),
  revokeRemoved: (confirm: string) =>
    api<BulkJobView>('POST', '/tenants/jobs', { action: 'revoke', confirm }),
  job: (id: string) => api<BulkJobView>('GET', `/tenants/jobs/${encodeURIComponent(id)}`),
  cancel: (id: string) => api<BulkJobView>('POST', `/tenants/jobs/${encodeURIComponent(id)}/cancel`),
};
