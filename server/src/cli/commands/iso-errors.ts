import { HdsError } from '../../../../contract/hds-error.js';
import { IsoError } from '../../../../iso/src/index.js';
import { assertFileReadable } from '../../core/answers/unreadable-file.js';

/** Runs a step of an `iso` command, turning the library's IsoError into an HdsError with the same code. */
export async function withIsoErrors<T>(
  hint: { invalid: string; badInput: string },
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof IsoError)
      throw new HdsError(
        error.code,
        `${error.message} ${error.code === 'ISO_INVALID' ? hint.invalid : hint.badInput}`,
      );
    throw error;
  }
}

/** The image named on the command line: missing, a folder or unreadable is FILE_UNREADABLE, as for every named file. */
export function assertIsoImageReadable(path: string): void {
  assertFileReadable({ path, what: 'the ISO image' });
}

/** File system failures (EACCES, ENOSPC…) as an HdsError naming the path, never a stack trace. */
export function fileSystemError(action: string, path: string, error: unknown): HdsError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? String(error);
  return new HdsError(
    'ISO_BAD_INPUT',
    `Could not ${action} "${path}" (${code}); check the path and its permissions.`,
  );
}
