import { lazyStep } from '../lazy-step';

/** The page's place in the wizard; its code loads when the admin first opens it. */
export const reviewStep = lazyStep(
  {
    id: 'review',
    title: 'Review & download',
    hint: 'Download the ISO',
  },
  () => import('./ReviewStep'),
);
