import { certificateStep } from './certificate/step';
import { databaseStep } from './database/step';
import { isoImportStep } from './isoImport/step';
import { overviewStep } from './overview/OverviewStep';
import { reviewStep } from './review/step';
import { serviceAccountsStep } from './serviceAccounts/step';
import type { WizardStep } from './step-id';
import { syslogStep } from './syslog/step';
import { tenantsStep } from './tenants/step';

/**
 * The wizard's pages in order. Only pages that work are listed; each capability adds its own
 * line here and its folder beside this file. Steps never import each other.
 */
export const wizardSteps: WizardStep[] = [
  overviewStep,
  isoImportStep,
  certificateStep,
  databaseStep,
  syslogStep,
  serviceAccountsStep,
  reviewStep,
  tenantsStep,
];
