import type { Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { HdsError } from '../../../../contract/hds-error.js';
import { parseInput } from '../../../../contract/parse-input.js';
import { type SessionStatus, signInRequestSchema } from '../../../../contract/session.js';
import { productVersion } from '../../product.js';
import { jsonBody } from '../body.js';
import {
  clearedSessionCookieHeader,
  readCookie,
  SESSION_COOKIE,
  sessionCookieHeader,
} from '../security/session-cookie.js';
import { IDLE_TIMEOUT_MS, type SessionRegistry } from '../sessions.js';

/**
 * Sign-in: exchanges the printed one-time token for a session cookie. The only route open
 * without one. A used token is accepted again only together with the session it opened, which
 * then continues unchanged. Refusals never repeat the token.
 */
export function signInRoutes(router: Router, sessions: SessionRegistry): void {
  // Guessing a 192-bit token is hopeless anyway; the limit keeps a local page from burning CPU trying.
  const slowDownFailures = rateLimit({
    windowMs: 60_000,
    limit: 10,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, _res, next) =>
      next(
        new HdsError(
          'AUTH_RATE_LIMITED',
          'Too many wrong or used sign-in tokens. Wait a minute, then paste the newest link hds-setup printed in its terminal.',
        ),
      ),
  });

  router.post('/session', slowDownFailures, jsonBody(), (req, res) => {
    const { token } = parseInput(signInRequestSchema, req.body);
    // The cookie lets a browser reopening the link that signed it in carry on (see SessionRegistry).
    const result = sessions.signIn(token, readCookie(req.headers.cookie, SESSION_COOKIE));
    if (result.outcome === 'used')
      throw new HdsError(
        'SIGN_IN_TOKEN_USED',
        'This sign-in link was already used; each link signs in once. A new sign-in link is printed in the terminal where hds-setup runs (for a container, in the output of docker logs): open that one. If you did not use it, stop the tool with Ctrl+C: someone else may have signed in.',
        'token',
      );
    if (result.outcome === 'wrong')
      throw new HdsError(
        'AUTH_BAD_TOKEN',
        'That sign-in token is not right. Use the newest link printed by hds-setup in its terminal (each link signs in once, and they change every time the tool starts).',
        'token',
      );
    if (result.outcome === 'signedIn') res.setHeader('Set-Cookie', sessionCookieHeader(result.sessionId));
    res.json(status());
  });

  router.delete('/session', (req, res) => {
    sessions.close(readCookie(req.headers.cookie, SESSION_COOKIE));
    res.setHeader('Set-Cookie', clearedSessionCookieHeader());
    res.json({ ok: true });
  });
}

/** Behind the session check: lets the page find out whether its cookie is still good. */
export function sessionStatusRoutes(router: Router): void {
  router.get('/session', (_req, res) => {
    res.json(status());
  });
}

function status(): SessionStatus {
  return {
    ok: true,
    signedIn: true,
    idleTimeoutMinutes: IDLE_TIMEOUT_MS / 60_000,
    version: productVersion(),
  };
}
