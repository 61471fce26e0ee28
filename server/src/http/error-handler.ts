import type { ErrorRequestHandler } from 'express';
import { httpStatusFor } from '../../../contract/error-codes.js';
import { errorBody, HdsError, HdsErrors } from '../../../contract/hds-error.js';
import type { Logger } from './logger.js';

/** The one place an error becomes an HTTP answer: always `{ok:false, errors:[…]}`, never a stack. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const known = toHdsError(error);
    const first = known instanceof HdsErrors ? known.errors[0]! : known;
    const status = httpStatusFor(first.code);
    if (status >= 500)
      logger.error('request failed', {
        method: req.method,
        path: req.originalUrl.split('?')[0],
        error: describe(error),
      });
    else
      logger.info('request refused', {
        method: req.method,
        path: req.originalUrl.split('?')[0],
        code: first.code,
      });
    res.status(status).json(errorBody(known));
  };
}

function toHdsError(error: unknown): HdsError | HdsErrors {
  if (error instanceof HdsError || error instanceof HdsErrors) return error;
  const e = error as { type?: string; status?: number; limit?: number };
  if (e?.type === 'entity.too.large')
    return new HdsError(
      'PAYLOAD_TOO_LARGE',
      `The upload is larger than this form accepts (${e.limit ?? '?'} bytes). Check that you chose the right file.`,
    );
  if (e?.type === 'entity.parse.failed')
    return new HdsError('INVALID_INPUT', 'The request body is not valid JSON.');
  if (e?.status && e.status >= 400 && e.status < 500)
    return new HdsError('INVALID_INPUT', 'The request could not be read; reload the page and try again.');
  return new HdsError(
    'INTERNAL',
    'Something went wrong inside hds-setup. Nothing was saved; try again, and report it if it repeats.',
  );
}

// Only the error's class and message (never a request body) go to the log.
function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
