import type { z } from 'zod';
import { HdsError, HdsErrors } from './hds-error.js';

/**
 * Parses input with a contract schema. Each zod issue becomes its own INVALID_INPUT error
 * that keeps the field path, so the page can show it beside the right input.
 */
/**
 * Where the input came from: the wizard's JSON forms (`form`), or an answers file, whose YAML
 * turns `5432`, `true` or an empty value into a number, a boolean or null unless quoted.
 */
export type InputSource = 'form' | 'answers-file';

export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  fieldPrefix?: string,
  source: InputSource = 'form',
): z.infer<S> {
  const result = checkInput(schema, input, fieldPrefix, source);
  if (result.ok) return result.data;
  const { errors } = result;
  throw errors.length === 1 ? errors[0]! : new HdsErrors(errors);
}

/** `parseInput` without the throw: for a caller that goes on to find the input's other problems. */
export function checkInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  fieldPrefix?: string,
  source: InputSource = 'form',
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
    const message =
      source === 'answers-file' && issue.code === 'invalid_type'
        ? describeYamlType(issue, field, valueAt(input, issue.path))
        : describeIssue(issue, field);
    return [new HdsError('INVALID_INPUT', message, field)];
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

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path)
    value =
      typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

/**
 * An answers file's wrong type usually comes from YAML, not from the admin: `name: 5432` is a
 * number and `tls: "yes"` is text. Say what YAML read and how to write it instead.
 */
function describeYamlType(
  issue: z.core.$ZodIssueInvalidType,
  field: string | undefined,
  value: unknown,
): string {
  const name = field ?? 'The input';
  const key = field?.split('.').at(-1);
  if (value === undefined) return `${name} is missing: add it.`;
  const expected = article(issue.expected);
  if (issue.expected === 'string') {
    if (typeof value === 'number' || typeof value === 'boolean')
      return `${name} must be text; YAML read ${String(value)} as ${typeof value === 'number' ? 'a number' : 'true/false'} — put it in quotes ("${String(value)}").`;
    if (value === null)
      return `${name} must be text; YAML read an empty value (or null, ~) as nothing — write the value${key && !/^\d+$/.test(key) ? ` after "${key}:"` : ''}, in quotes if it is null or ~.`;
  }
  if (typeof value === 'string') {
    if (issue.expected === 'number' && value.trim() !== '' && Number.isFinite(Number(value)))
      return `${name} must be a number; YAML read "${value}" as text — remove the quotes.`;
    if (issue.expected === 'boolean')
      return `${name} must be true or false, not text ("${value}") — write true or false without quotes.`;
  }
  return `${name} must be ${expected}, not ${kindOf(value)}.`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'an empty value (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping of settings';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'boolean') return 'true/false';
  return `a ${typeof value}`;
}
