import { type ComponentType, lazy } from 'react';
import type { StepProps, WizardStep } from './step-id';

/**
 * A page whose code is split from the first load (the 150 KB budget): the step list knows its
 * name at once, and the page loads when the admin first opens it.
 */
export function lazyStep(
  meta: Omit<WizardStep, 'Component'>,
  load: () => Promise<{ default: ComponentType<StepProps> }>,
): WizardStep {
  return { ...meta, Component: lazy(load) };
}
