import { certificateStep } from './certificate/CertificateStep';
import { databaseStep } from './database/DatabaseStep';
import { isoImportStep } from './isoImport/IsoImportStep';
import { overviewStep } from './overview/OverviewStep';
import { reviewStep } from './review/ReviewStep';
import { serviceAccountsStep } from './serviceAccounts/ServiceAccountsStep';
import { syslogStep } from './syslog/SyslogStep';
import { tenantsStep } from './tenants/TenantsStep';
import type { WizardStep } from './step-id';

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
