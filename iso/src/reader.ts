// Reads ISO 9660 images — ours and those of xorriso/genisoimage — choosing Rock Ridge names over
// Joliet over plain ISO 9660. Every offset, length and count read from the image is checked
// against the image size and fixed limits before it is used: a hostile image ends in
// ISO_INVALID, never a hang, a crash or an unbounded allocation.
import {
  FLAG_DIRECTORY,
  FLAG_MULTI_EXTENT,
  type ParsedDirectoryRecord,
  parseDirectoryRecord,
} from './directory-record.js';
import { badInput, IsoError, invalidImage, tooManyEntries } from './errors.js';
import { fileSource, type ImageSource, memorySource } from './image-source.js';
import { decodeUcs2 } from './joliet.js';
import { SECTOR } from './numerical-values.js';
import {
  parseSuspArea,
  type RockRidgeFields,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFLNK,
  S_IFMT,
  S_IFSOCK,
} from './rock-ridge.js';
import {
  FIRST_DESCRIPTOR_SECTOR,
  JOLIET_ESCAPES,
  parseVolumeDescriptor,
  TYPE_PRIMARY,
  TYPE_SUPPLEMENTARY,
  TYPE_TERMINATOR,
} from './volume-descriptor.js';
import { checkZisofs, inflateZisofs, type ZisofsInfo } from './zisofs.js';

export interface IsoEntryInfo {
  /** POSIX relative path, e.g. "hds/manifest.json". */
  path: string;
  /** Rock Ridge may also record device files, FIFOs and sockets (xorriso does): never readable. */
  type: 'file' | 'dir' | 'symlink' | 'char-device' | 'block-device' | 'fifo' | 'socket';
  /** Bytes of the file's contents (uncompressed for a zisofs file; any size for a multi-extent one). */
  size: number;
  /** A symbolic link's target as recorded (RRIP SL); it may point anywhere. */
  linkTarget?: string;
  /** Set for a file stored zisofs-compressed (read back decompressed). */
  compressed?: 'zisofs';
  /** Permission bits (0o7777 at most). */
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  atime?: Date;
  ctime?: Date;
}

export interface IsoImage {
  volumeId: string;
  namesFrom: 'rockridge' | 'joliet' | 'plain';
  /** Every entry but the root, sorted by path. */
  list(): IsoEntryInfo[];
  stat(path: string): IsoEntryInfo | undefined;
  readFile(path: string): Promise<Buffer>;
  createReadStream(path: string): AsyncIterable<Uint8Array>;
  close(): Promise<void>;
}

/** Bounds that keep hostile images from exhausting time or memory. */
const LIMITS = {
  descriptors: 64,
  entries: 500_000,
  records: 2_000_000,
  depth: 256,
  directoryBytes: 64 * 1024 * 1024,
  allDirectoryBytes: 512 * 1024 * 1024,
  continuationHops: 32,
  continuationBytes: 64 * 1024,
};
const READ_CHUNK = 1024 * 1024;
/** A 4 GiB extent each: far beyond any real file, small enough to keep one entry's list bounded. */
const MAX_EXTENTS = 4096;
const PLAIN_FILE_MODE = 0o444;
const PLAIN_DIR_MODE = 0o555;

interface Entry extends IsoEntryInfo {
  location: number;
  /** ECMA-119 6.5.1: a file in several extents (multi-extent records, each under 4 GiB), in order. */
  extents: { location: number; size: number }[];
  zisofs?: ZisofsInfo;
  stored: number;
}

export interface OpenIsoOptions {
  /**
   * Stop reading the tree past this many entries (at most the library's own limit): a caller that
   * expects a small image refuses a huge one before holding its whole tree in memory.
   */
  maxEntries?: number;
}

/** Opens an image from memory or from a file (read by positional reads, never whole). */
export async function openIsoImage(
  source: Uint8Array | { path: string },
  options: OpenIsoOptions = {},
): Promise<IsoImage> {
  let image: ImageSource;
  if (source instanceof Uint8Array) image = memorySource(source);
  else if (source && typeof source === 'object' && typeof source.path === 'string')
    image = await fileSource(source.path);
  else throw badInput('openIsoImage needs bytes or { path }.');
  try {
    return await readImage(image, Math.min(options.maxEntries ?? LIMITS.entries, LIMITS.entries));
  } catch (error) {
    await image.close();
    if (error instanceof IsoError) throw error;
    // Any other failure while parsing is still a malformed image, reported as such.
    throw invalidImage(
      `the image could not be parsed (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
}

async function readImage(image: ImageSource, maxEntries: number): Promise<IsoImage> {
  const minimum = (FIRST_DESCRIPTOR_SECTOR + 1) * SECTOR;
  if (image.size < minimum)
    throw invalidImage(
      `the image is ${image.size} bytes; an ISO 9660 image has at least ${minimum} (system area + one descriptor).`,
    );

  // ECMA-119 6.7.1: volume descriptors from sector 16 up to the set terminator (8.3).
  let primary: ReturnType<typeof parseVolumeDescriptor> | undefined;
  let joliet: ReturnType<typeof parseVolumeDescriptor> | undefined;
  for (let i = 0; ; i++) {
    const sector = FIRST_DESCRIPTOR_SECTOR + i;
    if (i >= LIMITS.descriptors || (sector + 1) * SECTOR > image.size)
      throw invalidImage('no volume descriptor set terminator found after sector 16.');
    const d = parseVolumeDescriptor(
      await image.read(sector * SECTOR, SECTOR, `volume descriptor ${sector}`),
      sector,
    );
    if (d.type === TYPE_TERMINATOR) break;
    if (d.type === TYPE_PRIMARY) primary ??= d;
    if (d.type === TYPE_SUPPLEMENTARY && JOLIET_ESCAPES.some((e) => d.escapeSequences.startsWith(e)))
      joliet ??= d;
  }
  if (!primary) throw invalidImage('the image has no primary volume descriptor.');
  for (const d of [primary, joliet]) {
    if (d && d.logicalBlockSize !== SECTOR)
      throw invalidImage(`logical block size ${d.logicalBlockSize} is not supported (only ${SECTOR}).`);
  }
  if (primary.volumeSpaceSize * SECTOR > image.size)
    throw invalidImage(
      `the image is truncated: its volume is ${primary.volumeSpaceSize} sectors but only ${Math.floor(image.size / SECTOR)} are present.`,
    );

  const primaryRoot = rootOf(primary.rootRecord, 'primary root directory');
  const rr = await rockRidgeAt(image, primaryRoot);
  const namesFrom = rr ? 'rockridge' : joliet ? 'joliet' : 'plain';
  const root = namesFrom === 'joliet' ? rootOf(joliet!.rootRecord, 'Joliet root directory') : primaryRoot;
  const entries = await walk(image, root, namesFrom, rr?.skip ?? 0, maxEntries);
  const sorted = [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const volumeId = primary.volumeId.toString('latin1').replace(/[\s\0]+$/, '');

  const fileEntry = (path: string): Entry => {
    const e = entries.get(normalize(path));
    if (!e) throw badInput(`"${path}" is not in the image.`);
    if (e.type !== 'file') throw badInput(`"${path}" is a ${TYPE_NAMES[e.type]}, not a file.`);
    return e;
  };
  async function* chunks(e: Entry): AsyncGenerator<Buffer> {
    if (e.zisofs) {
      checkZisofs(e.zisofs, e.path);
      const ext = e.extents[0]!;
      yield* inflateZisofs(
        e.zisofs,
        e.stored,
        (offset, length) => image.read(ext.location * SECTOR + offset, length, `file "${e.path}"`),
        e.path,
      );
      return;
    }
    for (const ext of e.extents)
      for (let at = 0; at < ext.size; at += READ_CHUNK)
        yield await image.read(
          ext.location * SECTOR + at,
          Math.min(READ_CHUNK, ext.size - at),
          `file "${e.path}"`,
        );
  }
  return {
    volumeId,
    namesFrom,
    list: () => sorted.map(publicInfo),
    stat: (path) => {
      const e = entries.get(normalize(path));
      return e && publicInfo(e);
    },
    async readFile(path) {
      const e = fileEntry(path);
      if (e.size > MAX_READ_FILE)
        throw badInput(`"${path}" is ${e.size} bytes, too large to read at once; use createReadStream.`);
      if (!e.zisofs && e.extents.length === 1)
        return Buffer.from(await image.read(e.location * SECTOR, e.size, `file "${e.path}"`));
      const parts: Buffer[] = [];
      for await (const chunk of chunks(e)) parts.push(chunk);
      return Buffer.concat(parts);
    },
    createReadStream(path) {
      return chunks(fileEntry(path));
    },
    close: () => image.close(),
  };
}

function normalize(path: string): string {
  return String(path).replace(/^\/+|\/+$/g, '');
}

const MAX_READ_FILE = 1024 * 1024 * 1024;
const TYPE_NAMES = {
  file: 'file',
  dir: 'directory',
  symlink: 'symbolic link',
  'char-device': 'character device',
  'block-device': 'block device',
  fifo: 'FIFO (named pipe)',
  socket: 'socket',
} as const;

function publicInfo(e: Entry): IsoEntryInfo {
  const { location: _location, extents: _extents, zisofs: _zisofs, stored: _stored, ...info } = e;
  return { ...info };
}

/** The entry type a Rock Ridge PX mode names; plain/Joliet entries are files or directories. */
function typeOf(isDir: boolean, mode: number | undefined): IsoEntryInfo['type'] {
  if (isDir) return 'dir';
  switch (mode === undefined ? 0 : mode & S_IFMT) {
    case S_IFLNK:
      return 'symlink';
    case S_IFCHR:
      return 'char-device';
    case S_IFBLK:
      return 'block-device';
    case S_IFIFO:
      return 'fifo';
    case S_IFSOCK:
      return 'socket';
    default:
      return 'file';
  }
}

interface DirectoryRef {
  location: number;
  size: number;
}

function rootOf(record: Buffer, what: string): DirectoryRef & { record: ParsedDirectoryRecord } {
  if (record[0] !== 34) throw invalidImage(`the ${what} record is ${record[0]} bytes, not 34.`);
  const r = parseDirectoryRecord(record, 0, what);
  if (!(r.flags & FLAG_DIRECTORY)) throw invalidImage(`the ${what} record is not marked as a directory.`);
  return { location: r.location, size: r.dataLength, record: r };
}

/** SUSP 5.3: Rock Ridge is in use when the root's "." record starts its System Use with SP. */
async function rockRidgeAt(image: ImageSource, root: DirectoryRef): Promise<{ skip: number } | undefined> {
  const first = await image.read(
    root.location * SECTOR,
    Math.min(SECTOR, Math.max(root.size, 34)),
    'root directory',
  );
  if (!first[0]) return undefined;
  const self = parseDirectoryRecord(first, 0, 'root directory "." record');
  const fields: RockRidgeFields = { hasSp: false };
  parseSuspArea(self.systemUse.subarray(0, 7), fields, 'root directory "." record');
  return fields.hasSp ? { skip: fields.skip ?? 0 } : undefined;
}

async function walk(
  image: ImageSource,
  root: DirectoryRef,
  namesFrom: IsoImage['namesFrom'],
  skip: number,
  maxEntries: number,
): Promise<Map<string, Entry>> {
  const entries = new Map<string, Entry>();
  const visited = new Set<number>();
  /** Folders that held RE-marked (relocated) directories, like genisoimage's "rr_moved". */
  const relocationHolders = new Set<string>();
  let directoryBytes = 0;
  let records = 0;
  const queue: { path: string; ref: DirectoryRef; depth: number }[] = [{ path: '', ref: root, depth: 0 }];
  for (let q = 0; q < queue.length; q++) {
    const { path: dirPath, ref, depth } = queue[q]!;
    const where = dirPath ? `directory "${dirPath}"` : 'root directory';
    if (visited.has(ref.location))
      throw invalidImage(`${where} points back to a directory already read (a loop).`);
    visited.add(ref.location);
    if (ref.size > LIMITS.directoryBytes)
      throw invalidImage(
        `${where} claims ${ref.size} bytes, more than the ${LIMITS.directoryBytes} allowed.`,
      );
    directoryBytes += ref.size;
    if (directoryBytes > LIMITS.allDirectoryBytes)
      throw invalidImage('the directories add up to more than 512 MiB.');
    const data = await image.read(ref.location * SECTOR, ref.size, where);

    /** Extents of a multi-extent file read so far (ECMA-119 9.1.6 bit 7: more records follow). */
    let pending: { identifier: Buffer; extents: { location: number; size: number }[] } | undefined;
    let at = 0;
    while (at < data.length) {
      if (data[at] === 0) {
        at = (Math.floor(at / SECTOR) + 1) * SECTOR; // ECMA-119 6.8.1.1: rest of the sector unused
        continue;
      }
      if (++records > LIMITS.records)
        throw invalidImage(`the image has more than ${LIMITS.records} directory records.`);
      const record = parseDirectoryRecord(data, at, where);
      at += record.length;
      const id = record.identifier;
      if (id.length === 1 && (id[0] === 0 || id[0] === 1)) continue; // "." and ".."
      if (pending && !pending.identifier.equals(id))
        throw invalidImage(`${where}: a multi-extent file's records are interrupted by another entry.`);
      if (record.flags & FLAG_MULTI_EXTENT) {
        if (record.flags & FLAG_DIRECTORY)
          throw invalidImage(`${where}: a directory is marked multi-extent.`);
        if (record.dataLength % SECTOR)
          throw invalidImage(`${where}: a non-final extent of a multi-extent file is not whole sectors.`);
        pending ??= { identifier: id, extents: [] };
        if (pending.extents.length >= MAX_EXTENTS)
          throw invalidImage(`${where}: a file has more than ${MAX_EXTENTS} extents.`);
        pending.extents.push({ location: record.location, size: record.dataLength });
        continue;
      }
      const extents = [...(pending?.extents ?? []), { location: record.location, size: record.dataLength }];
      pending = undefined;

      const rr: RockRidgeFields = { hasSp: false };
      if (namesFrom === 'rockridge') await readRockRidge(image, record, skip, rr, where);
      if (rr.relocated) {
        relocationHolders.add(dirPath); // RRIP 4.1.5.3: shown where its CL entry points from
        continue;
      }

      const name = entryName(record, rr, namesFrom, where);
      const path = dirPath ? `${dirPath}/${name}` : name;
      if (entries.has(path)) throw invalidImage(`"${path}" appears twice in ${where}.`);
      if (entries.size >= maxEntries) throw tooManyEntries(maxEntries);

      const isDir = rr.childLink !== undefined || (record.flags & FLAG_DIRECTORY) !== 0;
      const type = typeOf(isDir, rr.mode);
      if (extents.length > 1 && (isDir || type !== 'file'))
        throw invalidImage(`"${path}" has several extents but is not a regular file.`);
      let location = record.location;
      let size = extents.reduce((sum, e) => sum + e.size, 0);
      const stored = size;
      if (type === 'file' && rr.zisofs) {
        if (extents.length > 1)
          throw invalidImage(`"${path}" is zisofs-compressed and multi-extent, which zisofs does not allow.`);
        size = rr.zisofs.size; // an unreadable algorithm is still listed; reading it says why
      }
      if (rr.childLink !== undefined) {
        location = rr.childLink;
        size = await relocatedSize(image, location, path);
      }
      if (isDir && rr.mode !== undefined && (rr.mode & S_IFMT) !== S_IFDIR && rr.childLink === undefined)
        throw invalidImage(`"${path}" is a directory whose Rock Ridge mode says otherwise.`);
      if (type === 'file')
        for (const e of extents) if (e.size > 0) checkExtent(image, e.location, e.size, `file "${path}"`);
      entries.set(path, {
        path,
        type,
        size: type === 'file' ? size : 0,
        ...(type === 'symlink' && rr.linkTarget !== undefined ? { linkTarget: rr.linkTarget } : {}),
        ...(type === 'file' && rr.zisofs ? { compressed: 'zisofs' as const, zisofs: rr.zisofs } : {}),
        extents,
        stored,
        mode: rr.mode !== undefined ? rr.mode & 0o7777 : isDir ? PLAIN_DIR_MODE : PLAIN_FILE_MODE,
        uid: rr.uid ?? 0,
        gid: rr.gid ?? 0,
        mtime: rr.mtime ?? record.recorded,
        ...(rr.atime ? { atime: rr.atime } : {}),
        ...(rr.ctime ? { ctime: rr.ctime } : {}),
        location,
      });
      if (isDir) {
        if (depth + 1 > LIMITS.depth)
          throw invalidImage(`"${path}" is nested deeper than ${LIMITS.depth} levels.`);
        checkExtent(image, location, size, `directory "${path}"`);
        queue.push({ path, ref: { location, size }, depth: depth + 1 });
      }
    }
    if (pending) throw invalidImage(`${where}: a multi-extent file has no final record.`);
  }
  // A relocation folder left empty once its directories are shown in place is bookkeeping, not content.
  for (const holder of relocationHolders) {
    const prefix = `${holder}/`;
    if (holder && ![...entries.keys()].some((p) => p.startsWith(prefix))) entries.delete(holder);
  }
  return entries;
}

function checkExtent(image: ImageSource, location: number, size: number, what: string): void {
  if (location * SECTOR + size > image.size)
    throw invalidImage(`${what} (sector ${location}, ${size} bytes) lies past the end of the image.`);
}

/** SUSP entries of one record and its continuation areas (5.1 CE), hop- and size-bounded. */
async function readRockRidge(
  image: ImageSource,
  record: ParsedDirectoryRecord,
  skip: number,
  into: RockRidgeFields,
  where: string,
): Promise<void> {
  parseSuspArea(record.systemUse.subarray(skip), into, where);
  let total = 0;
  for (let hop = 0; into.continuation; hop++) {
    const { block, offset, length } = into.continuation;
    if (hop >= LIMITS.continuationHops)
      throw invalidImage(`${where}: too many Rock Ridge continuation areas (a loop?).`);
    total += length;
    if (total > LIMITS.continuationBytes)
      throw invalidImage(`${where}: Rock Ridge continuation areas are too large.`);
    const area = await image.read(block * SECTOR + offset, length, `${where}: Rock Ridge continuation area`);
    parseSuspArea(area, into, where);
  }
}

/** A relocated directory's size is in its own "." record (RRIP 4.1.5.1). */
async function relocatedSize(image: ImageSource, location: number, path: string): Promise<number> {
  const where = `relocated directory "${path}"`;
  const first = await image.read(location * SECTOR, Math.min(SECTOR, image.size - location * SECTOR), where);
  if (!first[0]) throw invalidImage(`${where} has no "." record.`);
  return parseDirectoryRecord(first, 0, where).dataLength;
}

function entryName(
  record: ParsedDirectoryRecord,
  rr: RockRidgeFields,
  namesFrom: IsoImage['namesFrom'],
  where: string,
): string {
  let name: string;
  if (rr.name && !rr.nameIsDot) name = rr.name.toString('utf8');
  else if (namesFrom === 'joliet') name = stripVersion(decodeUcs2(record.identifier), record.flags);
  else name = stripVersion(record.identifier.toString('latin1'), record.flags).replace(/\.$/, '');
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0'))
    throw new IsoError(
      'ISO_INVALID',
      `${where} holds an entry named "${name.replace(/\0/g, '\\0')}", which is not a valid name.`,
      name,
    );
  return name;
}

/** ECMA-119 7.5.1: file identifiers end in ";" and a version number, which is not part of the name. */
function stripVersion(id: string, flags: number): string {
  return flags & FLAG_DIRECTORY ? id : id.replace(/;\d*$/, '');
}
