import type { RequestHandler } from 'express';
import { HdsError } from '../../../../contract/hds-error.js';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** `name` or `name:port` (a bracketed IPv6 literal or a name without colons), nothing else. */
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[^:[\]@/\\\s]+)(?::\d{1,5})?$/;

/**
 * DNS-rebinding defence: a page on evil.example that re-points its name at 127.0.0.1 still
 * sends `Host: evil.example`, so only the names this server is reached by are accepted.
 * The port is not compared: a container may be published on any host port.
 */
export function hostCheck(configuredHost: string): RequestHandler {
  const allowed = new Set(LOOPBACK_NAMES);
  if (configuredHost && configuredHost !== '0.0.0.0' && configuredHost !== '::') {
    allowed.add(
      configuredHost.includes(':') && !configuredHost.startsWith('[')
        ? `[${configuredHost}]`
        : configuredHost.toLowerCase(),
    );
  }
  for (const extra of (process.env.HDS_ALLOWED_HOSTS ?? '').split(','))
    if (extra.trim()) allowed.add(extra.trim().toLowerCase());
  const allowedHost = (value: string | undefined): boolean => {
    const name = HOST_HEADER.exec((value ?? '').toLowerCase())?.[1];
    return name !== undefined && allowed.has(name);
  };
  return (req, _res, next) => {
    // Node keeps only the first of two Host headers; a second one is a smuggling attempt (RFC 9112 §3.2).
    const hostHeaders = req.rawHeaders.filter((_, i) => i % 2 === 0 && /^host$/i.test(req.rawHeaders[i]!));
    // An absolute-form target (`GET http://name/…`) names the host itself and overrides Host.
    const target = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(req.url)?.[1];
    if (
      hostHeaders.length === 1 &&
      allowedHost(req.headers.host) &&
      (target === undefined || allowedHost(target))
    )
      return next();
    next(
      new HdsError(
        'HOST_NOT_ALLOWED',
        `This server only answers requests addressed to ${[...allowed].join(', ')}. Open the sign-in link exactly as hds-setup printed it.`,
      ),
    );
  };
}
