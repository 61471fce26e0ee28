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
 */
export async function runCommand(json: boolean, action: () => Promise<CommandResult>): Promise<number> {
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
        ? error
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
 * Usage problems found by a command itself (not by commander) exit 2 like commander's own: only
 * when the command line itself is wrong (conflicting or missing options, a malformed option value).
 */
export class UsageError extends Error {}
