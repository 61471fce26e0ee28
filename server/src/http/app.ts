import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import express, { type Express } from 'express';
import { HdsError } from '../../../contract/hds-error.js';
import { packageRoot } from '../product.js';
import { allowedMethods } from './allowed-methods.js';
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
  // Headers first, so every refusal (a foreign Host included) carries the CSP and the rest.
  app.use(styleNonce);
  app.use(securityHeaders);
  app.use(hostCheck(options.host));
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
  api.use((req, res, next) => {
    const allow = allowedMethods(api, req.path);
    if (allow.length === 0)
      return next(new HdsError('NOT_FOUND', `There is no API route ${req.method} ${req.path}.`));
    res.setHeader('Allow', allow.join(', '));
    next(
      new HdsError(
        'METHOD_NOT_ALLOWED',
        `${req.method} is not accepted on ${req.baseUrl}${req.path}; it answers ${allow.join(', ')}.`,
      ),
    );
  });
  app.use('/api', api);

  const webRoot = options.webRoot ?? join(packageRoot(), 'dist', 'web');
  if (existsSync(webRoot)) {
    const wizardPage = serveWizardPage(webRoot);
    // index.html always goes through the page handler, however the path spells it
    // (`/assets/../index.html`): it carries this response's style nonce and is never cached.
    app.get(/.*/, (req, res, next) => (isIndexHtml(req.path) ? wizardPage(req, res, next) : next()));
    // No directory redirects: `/index.html/..` would otherwise answer 301 to a path of our making.
    app.use(express.static(webRoot, { index: false, redirect: false, maxAge: '1h', immutable: false }));
    // A file that is not there is a 404, not the wizard page served as a script or an image.
    app.get(/.*/, (req, _res, next) =>
      next(
        looksLikeFile(req.path)
          ? new HdsError('NOT_FOUND', `There is no file ${req.path} in the wizard; reload the page.`)
          : undefined,
      ),
    );
    // The SPA owns every other GET path (it reads ?token= itself).
    app.get(/^(?!\/api\/).*/, wizardPage);
  }
  // Everything outside /api is the page and its files: GET and HEAD only.
  app.use((req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD')
      return next(new HdsError('NOT_FOUND', `There is nothing at ${req.path}; open the sign-in link again.`));
    res.setHeader('Allow', 'GET, HEAD');
    next(
      new HdsError(
        'METHOD_NOT_ALLOWED',
        `${req.method} is not accepted here: the wizard page and its files are only read (GET). The API lives under /api.`,
      ),
    );
  });
  app.use(errorHandler(logger));
  return { app, state, sessions };
}

function isIndexHtml(path: string): boolean {
  try {
    return posix.normalize(decodeURIComponent(path)) === '/index.html';
  } catch {
    return false;
  }
}

/** `/assets/…` or a last segment with an extension (`/favicon.ico`): a file, never a wizard route. */
function looksLikeFile(path: string): boolean {
  return (
    path.startsWith('/assets/') || path === '/assets' || /\.[^/]*$/.test(path.slice(path.lastIndexOf('/')))
  );
}
