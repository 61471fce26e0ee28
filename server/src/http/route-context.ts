import type { Router } from 'express';
import type { Logger } from './logger.js';
import type { WizardState } from './wizard-state.js';

export interface RouteContext {
  state: WizardState;
  logger: Logger;
  /** Injectable clock for tests (certificate validity, service-account expiry…). */
  now: () => Date;
}

/** One wizard capability's API: it adds its routes (under /api) to the router. */
export type RouteModule = (router: Router, context: RouteContext) => void;
