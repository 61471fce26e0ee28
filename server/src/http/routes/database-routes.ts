import type { Router } from 'express';
import { type DatabaseResponse, databaseRequestSchema } from '../../../../contract/database.js';
import type { DatabaseType } from '../../../../contract/database-host.js';
import { isDatabaseLiveTestCode } from '../../../../contract/database-live-test-codes.js';
import { HdsError, HdsErrors } from '../../../../contract/hds-error.js';
import { parseInput } from '../../../../contract/parse-input.js';
import {
  runDatabaseLiveTest,
  validateDatabaseRootCa,
  validateDatabaseSettings,
} from '../../core/database/index.js';
import { jsonBody } from '../body.js';
import { type AcceptedDatabase, databaseView } from '../database-section.js';
import type { RouteModule } from '../route-context.js';

/**
 * The Database page. PUT validates, runs the live test and keeps the section; a live-test failure
 * is refused unless the admin chose "Ignore and continue", which is then recorded.
 */
export const databaseRoutes: RouteModule = (router: Router, { state, logger, now }) => {
  const respond = (): DatabaseResponse => {
    const accepted = state.get('database');
    const previousType = state.get('previousDeployment')?.databaseType;
    return {
      ok: true,
      database: accepted ? databaseView(accepted) : null,
      ...(previousType ? { previousType } : {}),
    };
  };

  router.get('/database', (_req, res) => {
    res.json(respond());
  });

  router.put('/database', jsonBody('512kb'), async (req, res) => {
    const { request, settings } = validateRequest(req.body, state.get('previousDeployment')?.databaseType);
    const rootCa = validateDatabaseRootCa(settings, request.rootCaPem, now());
    const password = Buffer.from(request.password, 'utf8');
    let liveTest: AcceptedDatabase['liveTest'];
    try {
      liveTest = await runDatabaseLiveTest(settings, password, rootCa?.pem);
    } catch (error) {
      if (
        !(error instanceof HdsError) ||
        !isDatabaseLiveTestCode(error.code) ||
        !request.ignoreLiveTestFailure
      ) {
        password.fill(0);
        throw error;
      }
      liveTest = {
        ok: false,
        ignored: true,
        code: error.code,
        message: error.message,
        ...(error.field ? { field: error.field } : {}),
      };
      logger.warn('database live test failure ignored by the admin', { code: error.code });
    }
    state.set('database', {
      settings,
      password,
      ...(rootCa
        ? { rootCaPem: rootCa.pem, rootCa: { subject: rootCa.subject, notAfter: rootCa.notAfter } }
        : {}),
      liveTest,
    });
    res.json(respond());
  });
};

/**
 * The request and its settings, checked together so that every problem is named at once: an empty
 * form marks each empty field, not only the password.
 */
function validateRequest(body: unknown, previousType: DatabaseType | undefined) {
  const problems: HdsError[] = [];
  const attempt = <T>(check: () => T): T | undefined => {
    try {
      return check();
    } catch (error) {
      if (error instanceof HdsErrors) problems.push(...error.errors);
      else if (error instanceof HdsError) problems.push(error);
      else throw error;
      return undefined;
    }
  };
  const request = attempt(() => parseInput(databaseRequestSchema, body, 'database'));
  const hasSettings = typeof body === 'object' && body !== null && 'settings' in body;
  const settings = hasSettings
    ? attempt(() => validateDatabaseSettings((body as { settings: unknown }).settings, { previousType }))
    : undefined;
  if (!request || !settings || problems.length > 0)
    throw problems.length === 1 ? problems[0]! : new HdsErrors(problems);
  return { request, settings };
}
