import { createHash } from 'node:crypto';
import { HdsError } from '../../../../contract/hds-error.js';
import type { WizardState } from '../wizard-state.js';
import { collectConfigInput, missingPages } from './collect-config-input.js';
import type { BuiltIsoSection } from './config-iso-sections.js';

/**
 * One SHA-256 over everything the ISO is built from (its creation time aside). A page saved with
 * other values after the build changes it, so the built ISO no longer matches what the review
 * shows and must not be downloaded as if it did. Kept in memory only, like the secrets it covers.
 */
export function configInputSha256(state: WizardState, now: () => Date): string | undefined {
  if (missingPages(state).length > 0) return undefined;
  const { createdAt: _createdAt, ...input } = collectConfigInput(state, now);
  return createHash('sha256').update(JSON.stringify(input)).digest('hex');
}

/** The built ISO, only while the pages still hold what it was built from. */
export function currentBuiltIso(state: WizardState, now: () => Date): BuiltIsoSection | undefined {
  const built = state.get('builtIso');
  return built && built.inputSha256 === configInputSha256(state, now) ? built : undefined;
}

/** A page changed after the build: the ISO on offer would not be the one the review shows. */
export function isBuiltIsoStale(state: WizardState, now: () => Date): boolean {
  return state.get('builtIso') !== undefined && currentBuiltIso(state, now) === undefined;
}

export function requireCurrentBuiltIso(state: WizardState, now: () => Date): BuiltIsoSection {
  const built = currentBuiltIso(state, now);
  if (built) return built;
  throw new HdsError(
    'WIZARD_INCOMPLETE',
    state.get('builtIso')
      ? 'A page was changed after the ISO was built, so that ISO no longer matches your settings. Press Download ISO on the Review & download page again: it builds the ISO anew.'
      : 'Press Download ISO on the Review & download page first: it builds the ISO.',
  );
}
