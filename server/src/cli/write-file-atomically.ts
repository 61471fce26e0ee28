import { randomBytes } from 'node:crypto';
import { link, lstat, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
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
  const target = resolve(path);
  const exists = await lstat(target).then(
    () => true,
    () => false,
  );
  if (exists && !options.force)
    throw new HdsError(
      'ISO_OUTPUT_EXISTS',
      `"${path}" already exists; choose another name or add --force to replace it.`,
      'out',
    );
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
    throw new HdsError(
      'ISO_BAD_INPUT',
      `Cannot write "${path}" (${(error as Error).message}). Choose a folder you can write to.`,
      'out',
    );
  }
  return target;
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
