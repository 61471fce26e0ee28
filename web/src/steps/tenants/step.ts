import { lazyStep } from '../lazy-step';
import { tenantsApi } from './tenants-api';

/** The page's place in the wizard; its code loads when the admin first opens it. */
export const tenantsStep = lazyStep(
  {
    id: 'tenants',
    title: 'Tenant CMK Management',
    hint: 'Customer Main Keys',
    kind: 'tab',
    isAvailable: async () => (await tenantsApi.availability()).databaseConfigured,
  },
  () => import('./TenantsStep'),
);
