import { lazyStep } from '../lazy-step';

/** The page's place in the wizard; its code loads when the admin first opens it. */
export const certificateStep = lazyStep(
  {
    id: 'certificate',
    title: 'Certificate',
    hint: 'TLS certificate of the nodes',
  },
  () => import('./CertificateStep'),
);
