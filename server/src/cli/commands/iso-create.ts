import { createReadStream } from 'node:fs';
import { lstat, mkdtemp, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { HdsError } from '../../../../contract/hds-error.js';
import { type IsoTreeEntry, writeIso } from '../../../../iso/src/index.js';
import { fileSystemError, withIsoErrors } from './iso-errors.js';

const READ_SIZE = 1024 * 1024;

export interface CreateResult {
  output: string;
  bytes: number;
  files: number;
  directories: number;
}

/**
 * `iso create`: the tree under `dir` (modes, owners, times) into `output`, written to a temporary
 * file in the same directory and renamed into place, so a failure never leaves a partial ISO.
 */
export async function createIsoFromDirectory(
  dir: string,
  output: string,
  options: { volumeId: string; date: Date; force: boolean },
): Promise<CreateResult> {
  const source = resolve(dir);
  const target = resolve(output);
  const info = await lstat(source).catch((e) => {
    throw fileSystemError('read the directory', dir, e);
  });
  if (!info.isDirectory())
    throw new HdsError('ISO_BAD_INPUT', `"${dir}" is not a directory; give the folder to pack.`);
  if (target === source || target.startsWith(source + sep))
    throw new HdsError(
      'ISO_BAD_INPUT',
      `The output "${output}" is inside "${dir}"; write the ISO somewhere else.`,
    );
  if (!options.force && (await exists(target)))
    throw new HdsError(
      'ISO_OUTPUT_EXISTS',
      `"${output}" already exists; choose another name or add --force to replace it.`,
    );

  const entries: IsoTreeEntry[] = [];
  await collect(source, '', entries);
  const temp = await mkdtemp(join(dirname(target), `.${basename(target)}.`)).catch((e) => {
    throw fileSystemError('write to the folder of', output, e);
  });
  const tempFile = join(temp, 'image.iso');
  try {
    let bytes = 0;
    const handle = await open(tempFile, 'wx', 0o644);
    try {
      await withIsoErrors(
        { invalid: '', badInput: 'Fix what is named and run iso create again.' },
        async () => {
          try {
            for await (const chunk of writeIso(entries, { volumeId: options.volumeId, date: options.date })) {
              await handle.write(chunk);
              bytes += chunk.byteLength;
            }
          } catch (error) {
            if ((error as NodeJS.ErrnoException).syscall)
              throw fileSystemError('read the files or write', output, error);
            throw error;
          }
        },
      );
    } finally {
      await handle.close();
    }
    await rename(tempFile, target).catch((e) => {
      throw fileSystemError('write', output, e);
    });
    return {
      output: target,
      bytes,
      files: entries.filter((e) => e.type === 'file').length,
      directories: entries.filter((e) => e.type === 'dir').length,
    };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

async function collect(dir: string, prefix: string, into: IsoTreeEntry[]): Promise<void> {
  const names = await readdir(dir).catch((e) => {
    throw fileSystemError('list', dir, e);
  });
  names.sort();
  for (const name of names) {
    const full = join(dir, name);
    const path = prefix ? `${prefix}/${name}` : name;
    const st = await lstat(full).catch((e) => {
      throw fileSystemError('read', full, e);
    });
    const attributes = { path, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
    if (st.isDirectory()) {
      into.push({ type: 'dir', ...attributes });
      await collect(full, path, into);
    } else if (st.isFile()) {
      into.push({
        type: 'file',
        ...attributes,
        content: { size: st.size, stream: () => createReadStream(full, { highWaterMark: READ_SIZE }) },
      });
    } else {
      throw new HdsError(
        'ISO_BAD_INPUT',
        `"${full}" is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a regular file or folder'}; the ISO holds only files and folders, so replace it with a copy of its target or remove it.`,
      );
    }
  }
}
