import { closeSync, openSync, readSync } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { HdsError } from '../../../../contract/hds-error.js';
import { IsoError, type IsoImage, openIsoImage } from '../../../../iso/src/index.js';
import {
  assertFileReadable,
  isFileSystemError,
  type NamedFile,
  unreadableFile,
} from '../answers/unreadable-file.js';

export interface SourceEntry {
  path: string;
  type: 'file' | 'dir' | 'other';
  size: number;
  mode: number;
}

/**
 * Where a configuration is read from: an ISO image (file or bytes), or the folder a node has
 * mounted at /media/configdrive. Both answer the same questions, so one verifier serves both.
 */
export interface ConfigSource {
  kind: 'iso' | 'directory';
  /** A folder's root (the folder that holds `hds/`), for messages. */
  root?: string;
  /**
   * Where an image's names and modes come from: only Rock Ridge carries modes (ours always has it);
   * Joliet or plain names mean the image was re-packed without them. Undefined for a folder.
   */
  namesFrom?: 'rockridge' | 'joliet' | 'plain';
  entries(): Promise<SourceEntry[]>;
  read(path: string, maxBytes: number): Promise<Buffer>;
  close(): Promise<void>;
}

export async function openIsoSource(source: Buffer | string): Promise<ConfigSource> {
  let image: IsoImage;
  if (typeof source === 'string') assertFileReadable(configIsoFile(source));
  try {
    image = await openIsoImage(typeof source === 'string' ? { path: source } : source, {
      maxEntries: MAX_ENTRIES,
    });
  } catch (error) {
    if (typeof source === 'string' && isFileSystemError(error))
      throw unreadableFile(configIsoFile(source), error);
    if (error instanceof IsoError && error.entryLimit !== undefined)
      throw tooManyEntries(typeof source === 'string' ? source : 'The uploaded ISO');
    const what = typeof source === 'string' ? source : 'The uploaded file';
    const volumeId = error instanceof IsoError ? configVolumeId(source) : undefined;
    if (volumeId && error instanceof IsoError)
      throw new HdsError(
        'ISO_INVALID',
        `${what} is an hds-setup configuration ISO (volume ${volumeId}), but it is damaged (${error.message.replace(/\.+$/, '')}). Use an intact copy of it (another backup).`,
      );
    throw asHdsError(error, what);
  }
  return {
    kind: 'iso',
    namesFrom: image.namesFrom,
    async entries() {
      return image.list().map((e) => ({
        path: e.path,
        type: e.type === 'file' || e.type === 'dir' ? e.type : 'other',
        size: e.size,
        mode: e.mode & 0o7777,
      }));
    },
    async read(path, maxBytes) {
      const info = image.stat(path);
      if (!info || info.size > maxBytes)
        throw new HdsError(
          'ISO_CORRUPT',
          `${path} in the ISO is larger than a configuration file can be: the ISO was damaged or edited. Use an intact copy (your backup).`,
        );
      try {
        return await image.readFile(path);
      } catch (error) {
        // The image opened and lists hds/ files: it is ours, damaged inside.
        if (error instanceof IsoError)
          throw new HdsError(
            'ISO_CORRUPT',
            `${path} cannot be read from the ISO (${error.message.replace(/\.+$/, '')}): the ISO was damaged. Use an intact copy of it (another backup).`,
          );
        throw asHdsError(error, path);
      }
    },
    close: () => image.close(),
  };
}

/**
 * A configuration holds about twenty files (the manifest lists at most 1000): past this, reading
 * stops — a huge image or folder is refused in a second, never held in memory whole.
 */
const MAX_ENTRIES = 2000;

function tooManyEntries(what: string): HdsError {
  return new HdsError(
    'ISO_CORRUPT',
    `${what} holds more than ${MAX_ENTRIES} files and folders; a configuration holds about twenty. It is not a configuration ISO, or files were added to one. Use the configuration ISO hds-setup produced (your backup).`,
  );
}

function asHdsError(error: unknown, what: string): HdsError {
  if (error instanceof HdsError) return error;
  // Nothing says whose image this is (another file, or a copy cut before its volume descriptor).
  if (error instanceof IsoError)
    return new HdsError(
      'ISO_INVALID',
      `${what} is not a readable ISO 9660 image (${error.message.replace(/\.+$/, '')}). Choose the configuration ISO that hds-setup produced, or an intact copy of it.`,
    );
  return new HdsError('ISO_INVALID', `${what} could not be read (${(error as Error).message}).`);
}

/**
 * The volume id when the image's primary volume descriptor is there and names an hds-setup
 * configuration (`HDS_CONFIG_GEN<n>`): a damaged copy of ours, so the fix is another copy, not
 * another file. PVD at sector 16 (ECMA-119 8.4): byte 0 type 1, bytes 1-5 "CD001", 40-71 volume id.
 */
function configVolumeId(source: Buffer | string): string | undefined {
  const pvd = Buffer.alloc(72);
  if (typeof source === 'string') {
    try {
      const fd = openSync(source, 'r');
      try {
        if (readSync(fd, pvd, 0, pvd.length, 16 * 2048) < pvd.length) return undefined;
      } finally {
        closeSync(fd);
      }
    } catch {
      return undefined;
    }
  } else if (source.length >= 16 * 2048 + pvd.length) source.copy(pvd, 0, 16 * 2048, 16 * 2048 + pvd.length);
  else return undefined;
  if (pvd[0] !== 1 || pvd.toString('latin1', 1, 6) !== 'CD001') return undefined;
  const volumeId = pvd.toString('latin1', 40, 72).trimEnd();
  return /^HDS_CONFIG_GEN\d+$/.test(volumeId) ? volumeId : undefined;
}

/** The configuration ISO named by a path (the CLI's `inspect`, `build --import`, `tenants --iso`). */
function configIsoFile(path: string): NamedFile {
  return {
    path,
    what: 'the configuration ISO',
    folderHint: `Give the ISO file itself (to check a mounted or extracted configuration folder, run hds-setup verify ${path}).`,
  };
}

/** A mounted (or extracted) configuration: the folder that holds `hds/`, or `hds/` itself. */
export async function openDirectorySource(dir: string): Promise<ConfigSource> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw unreadableFile({ path: dir, what: 'the configuration folder' }, error as NodeJS.ErrnoException);
  }
  // Accept the mount point (holding hds/) or the hds/ folder itself.
  const root = !names.includes('hds') && basename(resolve(dir)) === 'hds' ? dirname(resolve(dir)) : dir;
  return {
    kind: 'directory',
    root,
    async entries() {
      const out: SourceEntry[] = [];
      const walk = async (folder: string): Promise<void> => {
        for (const name of await readdir(folder)) {
          if (out.length > MAX_ENTRIES) throw tooManyEntries(dir);
          const full = join(folder, name);
          const s = await lstat(full);
          const path = relative(root, full).split(sep).join('/');
          const type = s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'other';
          out.push({ path, type, size: s.size, mode: s.mode & 0o7777 });
          if (type === 'dir') await walk(full);
        }
      };
      await walk(join(root, 'hds')).catch((error) => {
        if (error instanceof HdsError) throw error;
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw folderUnreadable(root, error);
      });
      return out;
    },
    async read(path, maxBytes) {
      const handle = await open(join(root, path), 'r').catch((error: unknown) => {
        throw folderUnreadable(root, error);
      });
      try {
        const { size } = await handle.stat();
        if (size > maxBytes)
          throw new HdsError(
            'ISO_CORRUPT',
            `${path} is larger than a configuration file can be: the configuration was damaged or edited. Use an intact copy of the ISO (your backup).`,
          );
        const buffer = Buffer.alloc(size);
        // A read may return less than asked (FUSE mounts, network folders): read until it is full.
        let filled = 0;
        while (filled < size) {
          const { bytesRead } = await handle.read(buffer, filled, size - filled, filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        return buffer.subarray(0, filled);
      } finally {
        await handle.close();
      }
    },
    close: async () => {},
  };
}

/**
 * A part of a mounted configuration this user may not read: the secrets are their owner's only
 * (0400 files in 0500 folders, as the ISO records them), so the fix is to verify as that user,
 * never to open the modes. Other system errors are named with the path as FILE_UNREADABLE too.
 */
function folderUnreadable(root: string, error: unknown): HdsError {
  if (!isFileSystemError(error)) return error instanceof HdsError ? error : asHdsError(error, root);
  const path = error.path ?? root;
  if (error.code === 'EACCES' || error.code === 'EPERM')
    return new HdsError(
      'FILE_UNREADABLE',
      `Cannot read "${path}" of the configuration: permission denied. Its secrets are readable by their owner only (0400 files in 0500 folders, as the ISO records them): run hds-setup verify as that user (normally root, e.g. with sudo) rather than opening the modes.`,
    );
  return unreadableFile({ path, what: 'a part of the configuration' }, error);
}
