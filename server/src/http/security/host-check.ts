import type { RequestHandler } from 'express';
import { HdsError } from '../../../../contract/hds-error.js';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

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
        : configuredHost,
    );
  }
  for (const extra of (process.env.HDS_ALLOWED_HOSTS ?? '').split(','))
    if (extra.trim()) allowed.add(extra.trim());
  return (req, _res, next) => {
    const host = (req.headers.host ?? '').toLowerCase();
    const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
    if (allowed.has(name)) return next();
    next(
      new HdsError(
        'HOST_NOT_ALLOWED',
        `This server only answers requests addressed to ${[...allowed].join(', ')}. Open the sign-in link exactly as hds-setup printed it.`,
      ),
    );
  };
}
