import { closeSync, lstatSync, openSync, readdirSync, readSync, type Stats, writeSync } from 'node:fs';
import { lstat, mkdtemp, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { HdsError } from '../../../../contract/hds-error.js';
import { type IsoSyncReader, type IsoTreeEntry, writeIsoSync } from '../../../../iso/src/index.js';
import { unreadableFile } from '../../core/answers/unreadable-file.js';
import { placeWithoutReplacing } from '../write-file-atomically.js';
import { fileSystemError, withIsoErrors } from './iso-errors.js';

export interface CreateResult {
  output: string;
  bytes: number;
  files: number;
  directories: number;
}

/**
 * `iso create`: the tree under `dir` (modes, owners, times) into `output`, written to a temporary
 * file in the same directory and renamed into place, so a failure never leaves a partial ISO.
 *
 * A CLI run does nothing else meanwhile, so files are read and the image written with synchronous
 * calls (no thread-pool hop per small file): the writer reads each file straight into its one
 * reused buffer and writes it out, as `cat` does. That keeps it near `cat` speed and memory flat.
 */
export async function createIsoFromDirectory(
  dir: string,
  output: string,
  options: { volumeId: string; date: Date; force: boolean },
): Promise<CreateResult> {
  const source = resolve(dir);
  const target = resolve(output);
  const info = await lstat(source).catch((e) => {
    throw unreadableFile({ path: dir, what: 'the folder to pack' }, e);
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
  collect(source, '', entries);
  const temp = await mkdtemp(join(dirname(target), `.${basename(target)}.`)).catch((e) => {
    throw fileSystemError('write to the folder of', output, e);
  });
  const tempFile = join(temp, 'image.iso');
  try {
    let bytes = 0;
    const fd = openSync(tempFile, 'wx', 0o644);
    try {
      await withIsoErrors(
        { invalid: '', badInput: 'Fix what is named and run iso create again.' },
        async () => {
          try {
            bytes = writeIsoSync(entries, { volumeId: options.volumeId, date: options.date }, (chunk) => {
              for (let done = 0; done < chunk.byteLength; )
                done += writeSync(fd, chunk, done, chunk.byteLength - done);
            });
          } catch (error) {
            if ((error as NodeJS.ErrnoException).syscall)
              throw fileSystemError('read the files or write', output, error);
            throw error;
          }
        },
      );
    } finally {
      closeSync(fd);
    }
    // Without --force, a file that appeared meanwhile is not replaced either.
    await (options.force ? rename(tempFile, target) : placeWithoutReplacing(tempFile, target, output)).catch(
      (e) => {
        if (e instanceof HdsError) throw e;
        throw fileSystemError('write', output, e);
      },
    );
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

function collect(dir: string, prefix: string, into: IsoTreeEntry[]): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    throw unreadableFile({ path: dir, what: 'a folder to pack' }, e as NodeJS.ErrnoException);
  }
  for (const name of names) {
    const full = `${dir}${dir.endsWith(sep) ? '' : sep}${name}`;
    const path = prefix ? `${prefix}/${name}` : name;
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(full);
    } catch (e) {
      throw unreadableFile({ path: full, what: 'a file to pack' }, e as NodeJS.ErrnoException);
    }
    const attributes = { path, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
    if (st.isDirectory()) {
      into.push({ type: 'dir', ...attributes });
      collect(full, path, into);
    } else if (st.isFile()) {
      const size = st.size;
      into.push({
        type: 'file',
        ...attributes,
        content: { size, open: () => openForReading(full) },
      });
    } else {
      throw new HdsError(
        'ISO_BAD_INPUT',
        st.isSymbolicLink()
          ? `"${full}" is a symbolic link; the ISO holds only files and folders, so replace it with a copy of its target or remove it.`
          : `"${full}" is ${specialKind(st)}, not a file or folder; the ISO holds only files and folders, so move it out of the folder to pack or remove it.`,
      );
    }
  }
}

/** What a special file is, in the words of `ls -l`'s type letter. */
function specialKind(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'a special file';
}

/** The file, opened when the writer gets to it, read sequentially into the writer's buffer. */
function openForReading(path: string): IsoSyncReader {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    // A file this user may not read is FILE_UNREADABLE naming it, as everywhere (not the output's fault).
    throw unreadableFile({ path, what: 'a file to pack' }, e as NodeJS.ErrnoException);
  }
  return {
    read: (into, offset, length) => readSync(fd, into, offset, length, null),
    close: () => closeSync(fd),
  };
}
