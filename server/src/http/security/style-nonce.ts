import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';

/**
 * The wizard's accessible primitives (Radix menus and dialogs, through react-remove-scroll) insert
 * one `<style>` element to lock the page's scrolling. A strict CSP blocks that unless the element
 * carries a nonce the response's policy names; so every response gets a fresh 128-bit nonce, its
 * CSP allows styles with it (never 'unsafe-inline'), and the wizard page hands it to the app.
 */
export function styleNonce(_req: Request, res: Response, next: NextFunction): void {
  res.locals.styleNonce = randomBytes(16).toString('base64');
  next();
}

/** The nonce of this response (set by `styleNonce`, which runs before the security headers). */
export function styleNonceOf(res: ServerResponse | Response): string {
  const nonce = (res as Response).locals?.styleNonce;
  if (typeof nonce !== 'string') throw new Error('styleNonce middleware did not run before the CSP');
  return nonce;
}
