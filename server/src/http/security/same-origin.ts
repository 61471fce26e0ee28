import type { RequestHandler } from 'express';
import { CLIENT_HEADER, CLIENT_HEADER_VALUE } from '../../../../contract/client-header.js';
import { HdsError } from '../../../../contract/hds-error.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence for state-changing requests: a browser always sends Origin on cross-origin
 * POSTs, and it must name this very server (scheme, name and port); without Origin the web app's
 * own header must be present (a cross-site form cannot set custom headers) and a Referer, if any,
 * must not name another site.
 */
export const requireSameOrigin: RequestHandler = (req, _res, next) => {
  if (SAFE_METHODS.has(req.method)) return next();
  // The server speaks plain HTTP (trust proxy is off, so req.protocol is what reached us).
  const self = `${req.protocol}://${req.headers.host ?? ''}`.toLowerCase();
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (origin.toLowerCase() === self) return next();
    return next(new HdsError('CSRF_REJECTED', 'This request came from another web site and was refused.'));
  }
  const referer = req.headers.referer;
  if (referer !== undefined && originOf(referer) !== self)
    return next(new HdsError('CSRF_REJECTED', 'This request came from another web site and was refused.'));
  if (req.headers[CLIENT_HEADER] === CLIENT_HEADER_VALUE) return next();
  next(
    new HdsError(
      'CSRF_REJECTED',
      `State-changing requests must come from the hds-setup page (same Origin or the ${CLIENT_HEADER} header).`,
    ),
  );
};

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin.toLowerCase();
  } catch {
    return undefined;
  }
}
