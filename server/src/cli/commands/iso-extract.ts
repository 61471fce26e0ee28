import { chmod, lstat, mkdir, open, readdir, utimes } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { HdsError } from '../../../../contract/hds-error.js';
import { type IsoEntryInfo, IsoError, openIsoImage } from '../../../../iso/src/index.js';
import { assertIsoImageReadable, fileSystemError, withIsoErrors } from './iso-errors.js';

const INVALID_HINT = 'The file is not a usable ISO image; build it again or copy it again.';

export interface ExtractResult {
  target: string;
  files: number;
  directories: number;
  bytes: number;
}

/**
 * `iso extract`: every entry of the image into `dir` (new or empty), keeping modes and times.
 * Nothing may land outside `dir`: every path is checked before anything is written, links are
 * refused, and files are created exclusively (O_EXCL) so nothing already there is followed.
 */
export async function extractIso(file: string, dir: string): Promise<ExtractResult> {
  const target = resolve(dir);
  assertIsoImageReadable(file);
  const image = await withIsoErrors(
    { invalid: INVALID_HINT, badInput: 'Check the path of the ISO file.' },
    () =>
      openIsoImage({ path: file }).catch((error: unknown) => {
        if (error instanceof IsoError && error.unsafeName !== undefined)
          throw new HdsError(
            'ISO_PATH_ESCAPE',
            `The image names an entry "${error.unsafeName}", which would land outside "${dir}"; nothing was extracted. Do not use this image.`,
          );
        throw error;
      }),
  );
  try {
    const entries = image.list();
    for (const e of entries) checkInside(target, e);
    await prepareTarget(target, dir);

    let bytes = 0;
    for (const e of entries) {
      const path = join(target, e.path);
      if (e.type === 'dir') {
        await mkdir(path, { mode: 0o700 }).catch((err) => {
          throw fileSystemError('create the folder', path, err);
        });
        continue;
      }
      const handle = await open(path, 'wx', 0o600).catch((err) => {
        throw fileSystemError('create', path, err);
      });
      try {
        await withIsoErrors({ invalid: INVALID_HINT, badInput: '' }, async () => {
          for await (const chunk of image.createReadStream(e.path)) {
            await handle.write(chunk);
            bytes += chunk.byteLength;
          }
        });
      } finally {
        await handle.close();
      }
      await applyAttributes(path, e);
    }
    // Folders last and deepest first: a read-only folder (0500) must be filled before it is closed.
    const dirs = entries.filter((e) => e.type === 'dir').sort((a, b) => b.path.length - a.path.length);
    for (const e of dirs) await applyAttributes(join(target, e.path), e);
    return {
      target,
      files: entries.filter((e) => e.type === 'file').length,
      directories: dirs.length,
      bytes,
    };
  } finally {
    await image.close();
  }
}

const SPECIAL = {
  'char-device': 'character device',
  'block-device': 'block device',
  fifo: 'FIFO (named pipe)',
  socket: 'socket',
} as const;

function checkInside(target: string, e: IsoEntryInfo): void {
  if (e.type === 'symlink')
    throw new HdsError(
      'ISO_PATH_ESCAPE',
      `"${e.path}" in the image is a symbolic link, which could point outside the folder; nothing was extracted.`,
    );
  if (e.type !== 'file' && e.type !== 'dir')
    throw new HdsError(
      'ISO_BAD_INPUT',
      `"${e.path}" in the image is a ${SPECIAL[e.type]}; iso extract writes only files and folders, so nothing was extracted. Use \`xorriso -osirrox on -indev <image> -extract / <dir>\` (as root) to recreate it.`,
    );
  const path = resolve(target, e.path);
  const parts = e.path.split('/');
  if (e.path.startsWith('/') || parts.includes('..') || parts.includes('.') || !path.startsWith(target + sep))
    throw new HdsError(
      'ISO_PATH_ESCAPE',
      `"${e.path}" in the image would land outside "${target}"; nothing was extracted.`,
    );
}

async function prepareTarget(target: string, dir: string): Promise<void> {
  const st = await lstat(target).catch(() => undefined);
  if (!st) {
    await mkdir(target, { recursive: true }).catch((err) => {
      throw fileSystemError('create the folder', dir, err);
    });
    return;
  }
  if (!st.isDirectory())
    throw new HdsError(
      'ISO_OUTPUT_EXISTS',
      `"${dir}" exists and is not a folder; extract into a new or empty folder.`,
    );
  if ((await readdir(target)).length > 0)
    throw new HdsError('ISO_OUTPUT_EXISTS', `"${dir}" is not empty; extract into a new or empty folder.`);
}

async function applyAttributes(path: string, e: IsoEntryInfo): Promise<void> {
  await chmod(path, e.mode).catch((err) => {
    throw fileSystemError('set the mode of', path, err);
  });
  await utimes(path, e.atime ?? e.mtime, e.mtime).catch((err) => {
    throw fileSystemError('set the times of', path, err);
  });
}
