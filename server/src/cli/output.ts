import { errorBody, HdsError, HdsErrors } from '../../../contract/hds-error.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface CommandResult {
  /** The JSON printed with --json (the `ok: true` is added). */
  data: Record<string, unknown>;
  /** What a person reads without --json. */
  human: string;
  /** Non-fatal findings, printed in both modes; the exit code stays 0. */
  warnings?: { code: string; message: string }[];
}

/**
 * Runs one CLI action and turns its outcome into output and an exit code: 0 ok, 1 a
 * validation/integrity failure (HdsError), 2 usage. Unknown errors print a short line, not a stack.
 * `field`: with --json, the input an error naming none is about (a person reads the path in the message).
 */
export async function runCommand(
  json: boolean,
  action: () => Promise<CommandResult>,
  { field }: { field?: string } = {},
): Promise<number> {
  try {
    const result = await action();
    if (json) {
      process.stdout.write(
        JSON.stringify({ ok: true, ...result.data, warnings: result.warnings ?? [] }, null, 2) + '\n',
      );
    } else {
      process.stdout.write(result.human.endsWith('\n') ? result.human : result.human + '\n');
      for (const w of result.warnings ?? []) process.stderr.write(`warning ${w.code}: ${w.message}\n`);
    }
    return EXIT_OK;
  } catch (error) {
    // A usage problem found inside an action (conflicting or missing options) is still a usage
    // error: main() reports it with exit 2. A named file that cannot be read is not: FILE_UNREADABLE, 1.
    if (error instanceof UsageError) throw error;
    const known =
      error instanceof HdsError || error instanceof HdsErrors
        ? field === undefined || !json
          ? error
          : withDefaultField(error, field)
        : new HdsError(
            'INTERNAL',
            `hds-setup failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
          );
    if (json) process.stdout.write(JSON.stringify(errorBody(known), null, 2) + '\n');
    else
      for (const e of errorBody(known).errors)
        process.stderr.write(`error ${e.code}${e.field ? ` (${e.field})` : ''}: ${e.message}\n`);
    return EXIT_FAILED;
  }
}

/**
 * The core checks a file's contents without knowing which option or argument named it; the
 * command does. Errors that name no input get `field` (the command-level default); those that do
 * keep theirs. Applied by the CLI only: the HTTP API's errors keep the core's shape for the wizard.
 */
export function withDefaultField<E extends HdsError | HdsErrors>(error: E, field: string): E {
  const named = (e: HdsError) => (e.field === undefined ? new HdsError(e.code, e.message, field) : e);
  return (error instanceof HdsErrors ? new HdsErrors(error.errors.map(named)) : named(error)) as E;
}

/**
 * Usage problems found by a command itself (not by commander) exit 2 like commander's own: only
 * when the command line itself is wrong (conflicting or missing options, a malformed option value).
 */
export class UsageError extends Error {}
