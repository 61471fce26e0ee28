import { overviewStep } from './overview/OverviewStep';
import type { WizardStep } from './step-id';

/**
 * The wizard's pages in order. Only pages that work are listed; each capability adds its own
 * line here and its folder beside this file. Steps never import each other.
 */
export const wizardSteps: WizardStep[] = [overviewStep];
