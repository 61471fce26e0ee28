import type { Router } from 'express';
import { type DatabaseResponse, databaseRequestSchema } from '../../../../contract/database.js';
import { isDatabaseLiveTestCode } from '../../../../contract/database-live-test-codes.js';
import { HdsError } from '../../../../contract/hds-error.js';
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
    const request = parseInput(databaseRequestSchema, req.body, 'database');
    const settings = validateDatabaseSettings(request.settings, {
      previousType: state.get('previousDeployment')?.databaseType,
    });
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
