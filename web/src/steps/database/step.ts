import { lazyStep } from '../lazy-step';

/** The page's place in the wizard; its code loads when the admin first opens it. */
export const databaseStep = lazyStep(
  {
    id: 'database',
    title: 'Database',
    hint: 'Key database and live test',
  },
  () => import('./DatabaseStep'),
);
