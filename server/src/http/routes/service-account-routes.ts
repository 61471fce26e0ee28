import { HdsError } from '../../../../contract/hds-error.js';
import { parseInput } from '../../../../contract/parse-input.js';
import type { ServiceAccountsState } from '../../../../contract/service-accounts.js';
import { rotationRequestSchema } from '../../../../contract/service-accounts.js';
import {
  allowedRotationModes,
  rotateServiceAccounts,
  viewServiceAccounts,
} from '../../core/secrets/service-accounts.js';
import { jsonBody } from '../body.js';
import '../config-iso/config-iso-sections.js';
import type { RouteModule } from '../route-context.js';
import type { WizardState } from '../wizard-state.js';

/** Page 7: the nodes' service-account secrets — generated, or kept / soft / hard reset after an import. */
export const serviceAccountRoutes: RouteModule = (router, { state, now }) => {
  router.get('/service-accounts', (_req, res) => {
    res.json(serviceAccountsState(state, now()));
  });

  router.put('/service-accounts', jsonBody(), (req, res) => {
    const { mode } = parseInput(rotationRequestSchema, req.body);
    const section = requireSection(state);
    if (!section.imported)
      throw new HdsError(
        'INVALID_INPUT',
        'A new deployment gets new service-account secrets; keep, soft and hard reset apply after an ISO import.',
        'mode',
      );
    state.set('serviceAccounts', {
      mode,
      imported: section.imported,
      accounts: rotateServiceAccounts(section.imported, mode, now()),
    });
    state.clear('builtIso');
    res.json(serviceAccountsState(state, now()));
  });
};

function requireSection(state: WizardState) {
  const section = state.get('serviceAccounts');
  if (!section)
    throw new HdsError(
      'WIZARD_INCOMPLETE',
      'Start on the ISO import page: choose a new deployment or import your configuration ISO first.',
    );
  return section;
}

export function serviceAccountsState(state: WizardState, now: Date): ServiceAccountsState {
  const section = requireSection(state);
  return {
    ok: true,
    mode: section.mode,
    allowedModes: section.imported ? allowedRotationModes(section.imported, now) : ['new'],
    accounts: viewServiceAccounts(section.accounts, now),
    ...(section.imported ? { imported: viewServiceAccounts(section.imported, now) } : {}),
  };
}
