import { lazyStep } from '../lazy-step';

/** The page's place in the wizard; its code loads when the admin first opens it. */
export const syslogStep = lazyStep(
  {
    id: 'syslog',
    title: 'System logs',
    hint: 'Syslog server',
  },
  () => import('./SyslogStep'),
);
