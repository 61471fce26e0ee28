import type { z } from 'zod';
import { HdsError, HdsErrors } from './hds-error.js';

/**
 * Parses input with a contract schema. Each zod issue becomes its own INVALID_INPUT error
 * that keeps the field path, so the page can show it beside the right input.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, fieldPrefix?: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => {
    const path = [...(fieldPrefix ? [fieldPrefix] : []), ...issue.path.map(String)].join('.');
    return new HdsError('INVALID_INPUT', issue.message, path || undefined);
  });
  throw errors.length === 1 ? errors[0]! : new HdsErrors(errors);
}
