import type { ErrorCode } from './error-codes.js';

/** What every failure looks like on the wire and in `--json` output. */
export interface ErrorDetail {
  code: ErrorCode;
  message: string;
  /** Dotted path of the input the error concerns, e.g. `database.hosts.0`. */
  field?: string;
}

export interface ErrorBody {
  ok: false;
  errors: ErrorDetail[];
}

/**
 * The one error type of the product. `message` is shown to the admin as is: it says what is
 * wrong and what to do, and never carries a secret.
 */
export class HdsError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'HdsError';
    this.code = code;
    this.field = field;
  }

  toDetail(): ErrorDetail {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}

/** Several independent problems found at once (e.g. every bad line of a CSV). */
export class HdsErrors extends Error {
  readonly errors: HdsError[];

  constructor(errors: HdsError[]) {
    super(errors.map((e) => `${e.code}: ${e.message}`).join('\n'));
    this.name = 'HdsErrors';
    this.errors = errors;
  }
}

export function errorBody(error: HdsError | HdsErrors): ErrorBody {
  const list = error instanceof HdsErrors ? error.errors : [error];
  return { ok: false, errors: list.map((e) => e.toDetail()) };
}
