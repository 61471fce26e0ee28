import { randomBytes } from 'node:crypto';
import { accessSync, constants, statSync } from 'node:fs';
import { link, lstat, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { HdsError } from '../../../contract/hds-error.js';

/**
 * Writes `bytes` to a temporary file beside `path`, flushes it, and renames it into place, so a
 * crash never leaves half a file. Refuses to replace an existing file unless `force`.
 */
export async function writeFileAtomically(
  path: string,
  bytes: Uint8Array,
  options: { force: boolean; mode: number },
): Promise<string> {
  const target = assertOutputWritable(path, options.force);
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.part`);
  try {
    const handle = await open(temp, 'wx', options.mode);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.force) await rename(temp, target);
    else await placeWithoutReplacing(temp, target, path);
  } catch (error) {
    await rm(temp, { force: true });
    if (error instanceof HdsError) throw error;
    throw cannotWrite(path, (error as NodeJS.ErrnoException).code);
  }
  return target;
}

/**
 * Checks `--out` before any work (nothing is tested or bound for an ISO that cannot be saved):
 * a file name, in a folder that exists and this user may write, not an existing file unless
 * `force`. Returns the absolute path.
 */
export function assertOutputWritable(path: string, force: boolean): string {
  if (path.trim() === '')
    throw new HdsError(
      'ISO_BAD_INPUT',
      '--out is empty; give the file name to write, e.g. hds-config.iso.',
      'out',
    );
  const target = resolve(path);
  const folder = dirname(target);
  let kind: 'file' | 'folder' | 'none' = 'none';
  try {
    kind = statSync(target).isDirectory() ? 'folder' : 'file';
  } catch {
    // Absent (or a dangling link): the parent folder below decides.
  }
  if (kind === 'folder' || path.endsWith('/') || path.endsWith(sep))
    throw new HdsError(
      'ISO_BAD_INPUT',
      `"${path}" is a folder; give the ISO's file name, e.g. ${join(target, 'hds-config.iso')}.`,
      'out',
    );
  if (kind === 'file' && !force)
    throw new HdsError(
      'ISO_OUTPUT_EXISTS',
      `"${path}" already exists; choose another name or add --force to replace it.`,
      'out',
    );
  try {
    if (!statSync(folder).isDirectory()) throw cannotWrite(path, 'ENOTDIR');
    accessSync(folder, constants.W_OK);
  } catch (error) {
    if (error instanceof HdsError) throw error;
    throw cannotWrite(path, (error as NodeJS.ErrnoException).code);
  }
  return target;
}

function cannotWrite(path: string, code: string | undefined): HdsError {
  const folder = dirname(resolve(path));
  const reason =
    code === 'ENOENT' || code === 'ENOTDIR'
      ? `the folder ${folder} does not exist; create it (mkdir -p ${folder}) or choose another`
      : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? `this user may not write in ${folder}; choose a folder you can write to`
        : code === 'ENOSPC' || code === 'EDQUOT'
          ? `${folder} is full; free some space or choose another folder`
          : `the system refused (${code ?? 'unknown error'}); choose a folder you can write to`;
  return new HdsError('ISO_BAD_INPUT', `Cannot write "${path}": ${reason}.`, 'out');
}

/**
 * A file that appeared since the check above (another run, another tool) must still not be
 * replaced: link() fails with EEXIST where rename() would overwrite. Filesystems without hard
 * links (FAT/exFAT USB sticks) fall back to rename after a fresh check.
 */
export async function placeWithoutReplacing(temp: string, target: string, shown: string): Promise<void> {
  try {
    await link(temp, target);
    await rm(temp, { force: true });
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw new HdsError(
        'ISO_OUTPUT_EXISTS',
        `"${shown}" already exists; choose another name or add --force to replace it.`,
        'out',
      );
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw error;
  }
  if (
    await lstat(target).then(
      () => true,
      () => false,
    )
  )
    throw new HdsError(
      'ISO_OUTPUT_EXISTS',
      `"${shown}" already exists; choose another name or add --force to replace it.`,
      'out',
    );
  await rename(temp, target);
}
