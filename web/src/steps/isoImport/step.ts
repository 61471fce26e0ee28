import { lazyStep } from '../lazy-step';

/** The page's place in the wizard; its code loads when the admin first opens it. */
export const isoImportStep = lazyStep(
  {
    id: 'isoImport',
    title: 'ISO import',
    hint: 'New or existing deployment',
  },
  () => import('./IsoImportStep'),
);
