import express, { type Request, type RequestHandler } from 'express';
import { HdsError } from '../../../contract/hds-error.js';

const JSON_TYPES = ['application/json'];
const BINARY_TYPES = ['application/octet-stream', 'application/x-iso9660-image'];

/**
 * JSON bodies: small by default; routes that carry uploads (base64 files) ask for more. Given
 * `upload`, a body over the limit is reported on that file's field, so the page shows it there.
 */
export function jsonBody(
  limit: string | number = '100kb',
  upload?: { field: string; message: string },
): RequestHandler {
  const parse = express.json({ limit, strict: true, type: JSON_TYPES });
  const typed = requireType(JSON_TYPES, 'JSON (Content-Type: application/json)', parse);
  if (!upload) return typed;
  return (req, res, next) =>
    typed(req, res, (error?: unknown) =>
      next(
        (error as { type?: string } | undefined)?.type === 'entity.too.large'
          ? new HdsError('PAYLOAD_TOO_LARGE', upload.message, upload.field)
          : error,
      ),
    );
}

/** Raw binary uploads (ISO images). */
export function binaryBody(limit: string | number): RequestHandler {
  return requireType(
    BINARY_TYPES,
    'the file’s raw bytes (Content-Type: application/octet-stream)',
    express.raw({ limit, type: BINARY_TYPES }),
  );
}

/**
 * A body of another type would be skipped by the parser and then read as "every field missing";
 * it is refused by name instead. A request without a body (a plain confirmation POST) passes.
 */
function requireType(types: string[], what: string, parse: RequestHandler): RequestHandler {
  return (req, res, next) => {
    if (carriesBody(req) && !req.is(types))
      return next(
        new HdsError(
          'UNSUPPORTED_MEDIA_TYPE',
          `This request must carry ${what}, not ${req.headers['content-type'] ?? 'a body without a type'}. Reload the page and try again.`,
        ),
      );
    parse(req, res, (error?: unknown) => {
      const e = error as { type?: string } | undefined;
      // body-parser's own 415s: a charset or content encoding it cannot read.
      if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported')
        return next(
          new HdsError(
            'UNSUPPORTED_MEDIA_TYPE',
            `This request must carry ${what} in UTF-8 without a content encoding. Reload the page and try again.`,
          ),
        );
      next(error);
    });
  };
}

// type-is counts `Content-Length: 0` (what a bodiless fetch POST sends) as a body; we do not.
function carriesBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}
