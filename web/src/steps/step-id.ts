import type { ComponentType } from 'react';

/** The wizard's pages, in the product's words. The current page is one of these, never a number. */
export type StepId =
  | 'overview'
  | 'isoImport'
  | 'certificate'
  | 'database'
  | 'syslog'
  | 'serviceAccounts'
  | 'review'
  | 'tenants';

export interface StepProps {
  /** Moves to the next page in the registry. */
  onContinue: () => void;
  goTo: (id: StepId) => void;
}

export interface WizardStep {
  id: StepId;
  title: string;
  /** Short line under the title in the step list. */
  hint?: string;
  Component: ComponentType<StepProps>;
  /** Tabs (tenant management) sit apart from the numbered steps. */
  kind?: 'step' | 'tab';
  /**
   * A page that only makes sense once something else is set up (the tenants tab needs a database)
   * says so here; the shell hides it until this resolves true, asking again on every page change.
   */
  isAvailable?: () => Promise<boolean>;
}
