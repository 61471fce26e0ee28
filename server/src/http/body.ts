import express, { type RequestHandler } from 'express';
import { HdsError } from '../../../contract/hds-error.js';

/**
 * JSON bodies: small by default; routes that carry uploads (base64 files) ask for more. Given
 * `upload`, a body over the limit is reported on that file's field, so the page shows it there.
 */
export function jsonBody(
  limit: string | number = '100kb',
  upload?: { field: string; message: string },
): RequestHandler {
  const parse = express.json({ limit, strict: true, type: ['application/json'] });
  if (!upload) return parse;
  return (req, res, next) =>
    parse(req, res, (error?: unknown) =>
      next(
        (error as { type?: string } | undefined)?.type === 'entity.too.large'
          ? new HdsError('PAYLOAD_TOO_LARGE', upload.message, upload.field)
          : error,
      ),
    );
}

/** Raw binary uploads (ISO images). */
export function binaryBody(limit: string | number): RequestHandler {
  return express.raw({ limit, type: ['application/octet-stream', 'application/x-iso9660-image'] });
}
