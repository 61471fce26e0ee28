import type { RequestHandler } from 'express';
import { HdsError } from '../../../../contract/hds-error.js';
import type { SessionRegistry } from '../sessions.js';
import { readCookie, SESSION_COOKIE } from './session-cookie.js';

export function requireSession(sessions: SessionRegistry): RequestHandler {
  return (req, _res, next) => {
    const state = sessions.touch(readCookie(req.headers.cookie, SESSION_COOKIE));
    if (state === 'valid') return next();
    if (state === 'expired')
      return next(
        new HdsError(
          'SESSION_EXPIRED',
          'Your session ended after 30 minutes without activity. Sign in again with the newest sign-in link hds-setup printed in its terminal (each link works once); what you entered is still here.',
        ),
      );
    next(
      new HdsError(
        'AUTH_REQUIRED',
        'Sign in first with the newest sign-in link hds-setup printed in its terminal.',
      ),
    );
  };
}
