import { lazyStep } from '../lazy-step';

/** The page's place in the wizard; its code loads when the admin first opens it. */
export const serviceAccountsStep = lazyStep(
  {
    id: 'serviceAccounts',
    title: 'Service accounts',
    hint: 'Machine credentials',
  },
  () => import('./ServiceAccountsStep'),
);
