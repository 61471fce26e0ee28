import type { Router } from 'express';
import { HdsError } from '../../../../contract/hds-error.js';
import { parseInput } from '../../../../contract/parse-input.js';
import { type SyslogTestResponse, syslogRequestSchema } from '../../../../contract/syslog.js';
import {
  newTestMessageId,
  parseSyslogRootCa,
  parseSyslogSettings,
  sendSyslogTestMessage,
} from '../../core/syslog/index.js';
import { jsonBody } from '../body.js';
import type { RouteModule } from '../route-context.js';
import { type AcceptedSyslog, syslogView } from '../syslog-section.js';
import type { WizardState } from '../wizard-state.js';

/**
 * The System logs page. PUT keeps the settings; POST /syslog/test keeps them too, then sends the
 * test message and records its outcome. A failed test does not block the wizard.
 */
export const syslogRoutes: RouteModule = (router: Router, { state, logger, now }) => {
  router.get('/syslog', (_req, res) => {
    res.json(syslogView(state.get('syslog')));
  });

  router.put('/syslog', jsonBody('512kb'), (req, res) => {
    state.set('syslog', accept(state, req.body));
    res.json(syslogView(state.get('syslog')));
  });

  router.post('/syslog/test', jsonBody('512kb'), async (req, res) => {
    const accepted = accept(state, req.body);
    const msgId = newTestMessageId();
    try {
      const report = await sendSyslogTestMessage(accepted.settings, accepted.rootCaPem, { msgId });
      state.set('syslog', {
        ...accepted,
        lastTest: { at: now().toISOString(), msgId, ok: true, summary: report.summary },
      });
      logger.info('syslog test message sent', { msgId, transport: report.transport });
      const body: SyslogTestResponse = { ok: true, report };
      res.json(body);
    } catch (error) {
      if (error instanceof HdsError)
        state.set('syslog', {
          ...accepted,
          lastTest: { at: now().toISOString(), msgId, ok: false, code: error.code, summary: error.message },
        });
      logger.warn('syslog test message failed', {
        msgId,
        code: error instanceof HdsError ? error.code : 'INTERNAL',
      });
      throw error;
    }
  });
};

/** Validates a request into the section to keep. An omitted CA file keeps the one uploaded before. */
function accept(state: WizardState, body: unknown): AcceptedSyslog {
  const request = parseInput(syslogRequestSchema, body);
  const settings = parseSyslogSettings(request);
  const previous = state.get('syslog');
  let rootCa: { pem: string; view: NonNullable<AcceptedSyslog['rootCa']> } | undefined;
  if (settings.tls && request.rootCaBase64 !== undefined)
    rootCa = parseSyslogRootCa(Buffer.from(request.rootCaBase64, 'base64'));
  else if (settings.tls && previous?.rootCaPem && previous.rootCa)
    rootCa = { pem: previous.rootCaPem, view: previous.rootCa };
  const unchanged =
    previous !== undefined &&
    JSON.stringify(previous.settings) === JSON.stringify(settings) &&
    previous.rootCaPem === rootCa?.pem;
  return {
    settings,
    ...(rootCa ? { rootCaPem: rootCa.pem, rootCa: rootCa.view } : {}),
    ...(unchanged && previous.lastTest ? { lastTest: previous.lastTest } : {}),
  };
}
