import express, { type RequestHandler } from 'express';

/** JSON bodies: small by default; routes that carry uploads (base64 files) ask for more. */
export function jsonBody(limit: string | number = '100kb'): RequestHandler {
  return express.json({ limit, strict: true, type: ['application/json'] });
}

/** Raw binary uploads (ISO images). */
export function binaryBody(limit: string | number): RequestHandler {
  return express.raw({ limit, type: ['application/octet-stream', 'application/x-iso9660-image'] });
}
