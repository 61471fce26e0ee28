import type { z } from 'zod';
import { HdsError, HdsErrors } from './hds-error.js';

/**
 * Parses input with a contract schema. Each zod issue becomes its own INVALID_INPUT error
 * that keeps the field path, so the page can show it beside the right input.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, fieldPrefix?: string): z.infer<S> {
  const result = checkInput(schema, input, fieldPrefix);
  if (result.ok) return result.data;
  const { errors } = result;
  throw errors.length === 1 ? errors[0]! : new HdsErrors(errors);
}

/** `parseInput` without the throw: for a caller that goes on to find the input's other problems. */
export function checkInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  fieldPrefix?: string,
): { ok: true; data: z.infer<S> } | { ok: false; errors: HdsError[] } {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, data: result.data };
  const errors = result.error.issues.flatMap((issue) => {
    const path = [...(fieldPrefix ? [fieldPrefix] : []), ...issue.path.map(String)];
    // One error per unknown key, on the key itself, so a typo is named where it is.
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => {
        const field = [...path, key].join('.');
        return new HdsError(
          'INVALID_INPUT',
          `${field} is not a known setting; remove it or correct its spelling.`,
          field,
        );
      });
    const field = path.join('.') || undefined;
    return [new HdsError('INVALID_INPUT', describeIssue(issue, field), field)];
  });
  return { ok: false, errors };
}

/**
 * zod's own wording ("Invalid input: expected string, received undefined") says neither which
 * setting nor what to do; the schemas' own messages are kept.
 */
function describeIssue(issue: z.core.$ZodIssue, field: string | undefined): string {
  if (issue.code !== 'invalid_type' || !issue.message.startsWith('Invalid input:')) return issue.message;
  const name = field ?? 'The input';
  if (issue.message.endsWith('received undefined')) return `${name} is missing: add it.`;
  return `${name} must be ${article(issue.expected)}.`;
}

function article(expected: string): string {
  const words: Record<string, string> = {
    string: 'text',
    number: 'a number',
    boolean: 'true or false',
    array: 'a list',
    object: 'a mapping of settings',
  };
  return words[expected] ?? `of type ${expected}`;
}
