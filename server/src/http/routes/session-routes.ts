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

/** Sign-in: exchanges the printed token for a session cookie. The only route open without one. */
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
          'Too many wrong sign-in tokens. Wait a minute, then paste the link hds-setup printed.',
        ),
      ),
  });

  router.post('/session', slowDownFailures, jsonBody(), (req, res) => {
    const { token } = parseInput(signInRequestSchema, req.body);
    if (!sessions.tokenMatches(token))
      throw new HdsError(
        'AUTH_BAD_TOKEN',
        'That sign-in token is not right. Use the link printed by hds-setup when it started (it changes every time the tool starts).',
        'token',
      );
    res.setHeader('Set-Cookie', sessionCookieHeader(sessions.open()));
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
