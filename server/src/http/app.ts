import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express } from 'express';
import { HdsError } from '../../../contract/hds-error.js';
import { packageRoot } from '../product.js';
import { errorHandler } from './error-handler.js';
import { createLogger, type Logger } from './logger.js';
import { routeModules } from './routes/index.js';
import { sessionStatusRoutes, signInRoutes } from './routes/session-routes.js';
import { securityHeaders } from './security/headers.js';
import { hostCheck } from './security/host-check.js';
import { requireSession } from './security/require-session.js';
import { requireSameOrigin } from './security/same-origin.js';
import { styleNonce } from './security/style-nonce.js';
import { SessionRegistry } from './sessions.js';
import { serveWizardPage } from './wizard-page.js';
import { WizardState } from './wizard-state.js';

export interface AppOptions {
  /** The first one-time sign-in token. */
  signInToken: string;
  /** Receives each token issued when the previous one signs in (serve prints it as a link). */
  onSignInTokenIssued?: (token: string) => void;
  /** The address the server binds; also accepted in the Host header. */
  host: string;
  logger?: Logger;
  now?: () => Date;
  /** Folder of the built web app; defaults to dist/web. */
  webRoot?: string;
  idleTimeoutMs?: number;
}

export interface HdsApp {
  app: Express;
  state: WizardState;
  sessions: SessionRegistry;
}

/** Builds the Express app without listening, so tests drive it directly. */
export function createApp(options: AppOptions): HdsApp {
  const logger = options.logger ?? createLogger();
  const now = options.now ?? (() => new Date());
  const state = new WizardState();
  const sessions = new SessionRegistry(
    options.signInToken,
    () => now().getTime(),
    options.idleTimeoutMs,
    options.onSignInTokenIssued,
  );

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(hostCheck(options.host));
  app.use(styleNonce);
  app.use(securityHeaders);
  // Liveness for the container HEALTHCHECK: no token, no session, no state, and before the
  // request log so a probe every 30 s does not flood `docker logs`.
  app.get('/healthz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ ok: true });
  });
  app.use((req, res, next) => {
    const started = performance.now();
    res.on('finish', () =>
      logger.info('request', {
        method: req.method,
        path: req.originalUrl.split('?')[0],
        status: res.statusCode,
        ms: Math.round(performance.now() - started),
      }),
    );
    next();
  });

  const api = express.Router();
  api.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  api.use(requireSameOrigin);
  signInRoutes(api, sessions);
  api.use(requireSession(sessions));
  sessionStatusRoutes(api);
  for (const register of routeModules) register(api, { state, logger, now });
  api.use((req, _res, next) =>
    next(new HdsError('NOT_FOUND', `There is no API route ${req.method} ${req.path}.`)),
  );
  app.use('/api', api);

  const webRoot = options.webRoot ?? join(packageRoot(), 'dist', 'web');
  if (existsSync(webRoot)) {
    const wizardPage = serveWizardPage(webRoot);
    // index.html always goes through the page handler: it carries this response's style nonce.
    app.get('/index.html', wizardPage);
    app.use(express.static(webRoot, { index: false, maxAge: '1h', immutable: false }));
    // The SPA owns every other GET path (it reads ?token= itself).
    app.get(/^(?!\/api\/).*/, wizardPage);
  }
  app.use(errorHandler(logger));
  return { app, state, sessions };
}
