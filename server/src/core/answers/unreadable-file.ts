import { closeSync, fstatSync, openSync } from 'node:fs';
import { HdsError } from '../../../../contract/hds-error.js';
import { readLimitedFile } from './read-limited-file.js';

/** A file the admin named (on the command line or in an answers file), described for messages. */
export interface NamedFile {
  path: string;
  /** What the file is meant to be, e.g. "the ISO file", "the answers file". */
  what: string;
  /** The option or answers-file key that named it. */
  field?: string;
  /** What to do when the path does not exist (default: check the path). */
  notFoundHint?: string;
  /** What to do when the path is a folder (default: give the file inside it). */
  folderHint?: string;
}

/** Whether an error comes from the operating system (ENOENT, EACCES…): the file, not its content, is the problem. */
export function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return error instanceof Error && typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

/**
 * FILE_UNREADABLE for a named file the system would not let us read, with the reason in plain
 * words and what to do. One code whichever command or kind of file, so scripts can key on it.
 */
export function unreadableFile(file: NamedFile, error: { code?: string | undefined }): HdsError {
  const [reason, todo] = explain(file, error.code);
  return new HdsError(
    'FILE_UNREADABLE',
    `Cannot read ${file.what} "${file.path}": ${reason}. ${todo}`,
    file.field,
  );
}

function explain(file: NamedFile, code: string | undefined): [string, string] {
  switch (code) {
    case 'ENOENT':
      return ['it does not exist', file.notFoundHint ?? CHECK_PATH];
    case 'ENOTDIR':
      return [
        'it does not exist (a part of its path is a file, not a folder)',
        file.notFoundHint ?? CHECK_PATH,
      ];
    case 'EACCES':
    case 'EPERM':
      return [
        'permission denied',
        'Give this user read access to it and to its folders, or copy it somewhere this user can read.',
      ];
    case 'EISDIR':
      return ['it is a folder', file.folderHint ?? 'Give the path of the file itself.'];
    case 'ELOOP':
      return ['its symbolic links form a loop', 'Give the path of the real file.'];
    default:
      return [
        `the system refused (${code ?? 'unknown error'})`,
        'Check the file and its folder, then run the command again.',
      ];
  }
}

const CHECK_PATH = 'Check the path for typos; a relative path starts from the folder hds-setup runs in.';

/**
 * Reads a named file, at most `maxBytes`. The system refusing it is FILE_UNREADABLE; a file that
 * is too large is the caller's own error (it was read, it is just not what was asked for).
 */
export function readNamedFile(
  file: NamedFile,
  maxBytes: number,
  tooLarge: (reason: string) => HdsError,
): Buffer {
  try {
    return readLimitedFile(file.path, maxBytes);
  } catch (error) {
    if (isFileSystemError(error)) throw unreadableFile(file, error);
    throw tooLarge((error as Error).message);
  }
}

/**
 * Checks that a file a library will open by path (an ISO image) exists, is a file and may be read,
 * so that a wrong path gets the same FILE_UNREADABLE as every other named file.
 */
export function assertFileReadable(file: NamedFile): void {
  let fd: number;
  try {
    fd = openSync(file.path, 'r');
  } catch (error) {
    throw unreadableFile(file, error as NodeJS.ErrnoException);
  }
  try {
    if (fstatSync(fd).isDirectory()) throw unreadableFile(file, { code: 'EISDIR' });
  } finally {
    closeSync(fd);
  }
}
