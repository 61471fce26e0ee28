import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import { styleNonceOf } from './security/style-nonce.js';

/** The meta tag the web app reads at start-up to give its style elements this response's nonce. */
export const STYLE_NONCE_META = 'hds-style-nonce';

/**
 * Serves the single-page app's index.html with this response's style nonce in a meta tag (the CSP
 * header names the same nonce), so each page load has its own. Never cached.
 */
export function serveWizardPage(webRoot: string) {
  return async (_req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const html = await readFile(join(webRoot, 'index.html'), 'utf8');
      const head = html.indexOf('<head>');
      if (head < 0) throw new Error(`${join(webRoot, 'index.html')} has no <head>`);
      const at = head + '<head>'.length;
      const meta = `<meta name="${STYLE_NONCE_META}" content="${styleNonceOf(res)}">`;
      res.setHeader('Cache-Control', 'no-store');
      res.type('html').send(`${html.slice(0, at)}${meta}${html.slice(at)}`);
    } catch (error) {
      next(error);
    }
  };
}
