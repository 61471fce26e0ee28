// The caller's description of an image (entries with POSIX paths) and its validation into a tree.
import { RECORDING_YEARS } from './directory-record.js';
import { badInput } from './errors.js';

export interface IsoTreeFile {
  type: 'file';
  /** POSIX relative path, e.g. "hds/manifest.json". */
  path: string;
  /** Permission bits (0o7777 at most); the file type is implied. */
  mode: number;
  uid?: number;
  gid?: number;
  mtime?: Date;
  /**
   * The bytes, or their size and a source read once when the image gets there: a stream (a
   * synchronous iterable, e.g. a generator over readSync, is read without a turn of the event loop
   * per chunk), or `open()` giving a synchronous reader that fills the writer's own buffer (no
   * copy in between: what `writeIsoSync` is fastest with).
   */
  content: Uint8Array | IsoStreamedContent | IsoReadableContent;
}

export interface IsoStreamedContent {
  size: number;
  stream: () => Iterable<Uint8Array> | AsyncIterable<Uint8Array> | NodeJS.ReadableStream;
}

export interface IsoReadableContent {
  size: number;
  open: () => IsoSyncReader;
}

/** Sequential, synchronous reads (like readSync on a file opened by `open`); closed once, always. */
export interface IsoSyncReader {
  /** Up to `length` bytes into `into` at `offset`; 0 at the end. */
  read(into: Uint8Array, offset: number, length: number): number;
  close(): void;
}

export interface IsoTreeDir {
  type: 'dir';
  path: string;
  mode: number;
  uid?: number;
  gid?: number;
  mtime?: Date;
}

/** Parent directories not listed are implied, with mode 0555. */
export type IsoTreeEntry = IsoTreeFile | IsoTreeDir;

export interface IsoWriteOptions {
  /** ECMA-119 8.4.6 volume identifier: up to 32 d-characters (A-Z, 0-9, _). */
  volumeId: string;
  /** Volume dates and the default time of every entry without mtime. */
  date: Date;
  publisher?: string;
  applicationId?: string;
  systemId?: string;
  volumeSetId?: string;
  preparer?: string;
}

export const IMPLIED_DIR_MODE = 0o555;
/** ISO 9660 records sizes in 32 bits (ECMA-119 9.1.4): one extent per file, so < 4 GiB. */
export const MAX_FILE_SIZE = 0xffff_ffff;
/** Rock Ridge NM names: the POSIX NAME_MAX. */
const MAX_NAME_BYTES = 255;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

interface NodeBase {
  name: string;
  nameBytes: Buffer;
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  parent: TreeDir | undefined;
  explicit: boolean;
}

export interface TreeDir extends NodeBase {
  kind: 'dir';
  children: Map<string, TreeNode>;
}

export interface TreeFile extends NodeBase {
  kind: 'file';
  size: number;
  content: IsoTreeFile['content'];
}

export type TreeNode = TreeDir | TreeFile;

/** Validates every entry and builds the directory tree. Throws ISO_BAD_INPUT naming the entry. */
export function buildTree(entries: IsoTreeEntry[], date: Date): TreeDir {
  const root: TreeDir = {
    kind: 'dir',
    name: '',
    nameBytes: Buffer.alloc(0),
    mode: IMPLIED_DIR_MODE,
    uid: 0,
    gid: 0,
    mtime: date,
    parent: undefined,
    explicit: false,
    children: new Map(),
  };
  if (!Array.isArray(entries)) throw badInput('entries must be an array of files and directories.');
  for (const entry of entries) addEntry(root, entry, date);
  return root;
}

function addEntry(root: TreeDir, entry: IsoTreeEntry, date: Date): void {
  if (!entry || (entry.type !== 'file' && entry.type !== 'dir'))
    throw badInput('every entry needs type "file" or "dir".');
  const segments = splitPath(entry.path);
  const attributes = {
    mode: checkMode(entry.path, entry.mode, entry.type),
    uid: checkId(entry.path, 'uid', entry.uid),
    gid: checkId(entry.path, 'gid', entry.gid),
    mtime: checkTime(`mtime of "${entry.path}"`, entry.mtime ?? date),
  };
  let dir = root;
  for (const [i, name] of segments.entries()) {
    const last = i === segments.length - 1;
    const existing = dir.children.get(name);
    if (!last) {
      if (existing?.kind === 'file')
        throw badInput(
          `"${segments.slice(0, i + 1).join('/')}" is a file, so "${entry.path}" cannot be inside it.`,
        );
      dir = existing ?? addChild(dir, name, impliedDir(name, dir, date));
      continue;
    }
    if (entry.type === 'dir') {
      if (existing?.kind === 'file' || existing?.explicit) throw badInput(`"${entry.path}" is listed twice.`);
      if (existing) Object.assign(existing, attributes, { explicit: true });
      else addChild(dir, name, { ...impliedDir(name, dir, date), ...attributes, explicit: true });
    } else {
      if (existing) throw badInput(`"${entry.path}" is listed twice.`);
      addChild(dir, name, {
        kind: 'file',
        name,
        nameBytes: Buffer.from(name, 'utf8'),
        parent: dir,
        explicit: true,
        ...attributes,
        size: checkContent(entry),
        content: entry.content,
      });
    }
  }
}

function impliedDir(name: string, parent: TreeDir, date: Date): TreeDir {
  return {
    kind: 'dir',
    name,
    nameBytes: Buffer.from(name, 'utf8'),
    mode: IMPLIED_DIR_MODE,
    uid: 0,
    gid: 0,
    mtime: date,
    parent,
    explicit: false,
    children: new Map(),
  };
}

function addChild<T extends TreeNode>(dir: TreeDir, name: string, node: T): T {
  dir.children.set(name, node);
  return node;
}

function splitPath(path: unknown): string[] {
  if (typeof path !== 'string' || path === '') throw badInput('every entry needs a non-empty path.');
  if (path.startsWith('/')) throw badInput(`"${path}" must be relative (no leading "/").`);
  if (path.includes('\0')) throw badInput(`"${path.replace(/\0/g, '\\0')}" contains a NUL character.`);
  const segments = path.split('/');
  for (const s of segments) {
    if (s === '') throw badInput(`"${path}" has an empty name (a doubled or trailing "/").`);
    if (s === '.' || s === '..') throw badInput(`"${path}" contains "${s}", which cannot be a name.`);
    if (Buffer.byteLength(s, 'utf8') > MAX_NAME_BYTES)
      throw badInput(`"${s}" in "${path}" is longer than ${MAX_NAME_BYTES} bytes (UTF-8).`);
    if (LONE_SURROGATE.test(s)) throw badInput(`"${path}" is not valid Unicode (a lone surrogate).`);
  }
  return segments;
}

function checkMode(path: string, mode: unknown, type: 'file' | 'dir'): number {
  const typeBits = type === 'dir' ? 0o040000 : 0o100000;
  if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0)
    throw badInput(`mode of "${path}" must be a number like 0o644.`);
  const kind = mode & ~0o7777;
  if (kind !== 0 && kind !== typeBits)
    throw badInput(
      `mode of "${path}" (0o${mode.toString(8)}) is not a ${type === 'dir' ? 'directory' : 'file'} mode.`,
    );
  return mode & 0o7777;
}

function checkId(path: string, what: string, id: unknown): number {
  if (id === undefined) return 0;
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffff_ffff)
    throw badInput(`${what} of "${path}" must be a whole number from 0 to 4294967295.`);
  return id;
}

export function checkTime(what: string, time: unknown): Date {
  if (!(time instanceof Date) || Number.isNaN(time.getTime()))
    throw badInput(`${what} must be a valid Date.`);
  const year = time.getUTCFullYear();
  if (year < RECORDING_YEARS.min || year > RECORDING_YEARS.max)
    throw badInput(
      `${what} (${time.toISOString()}) is outside ${RECORDING_YEARS.min}–${RECORDING_YEARS.max}, which ISO 9660 cannot record.`,
    );
  return time;
}

function checkContent(entry: IsoTreeFile): number {
  const c = entry.content as unknown;
  let size: unknown;
  if (c instanceof Uint8Array) size = c.byteLength;
  else if (
    c &&
    typeof c === 'object' &&
    (typeof (c as { stream?: unknown }).stream === 'function' ||
      typeof (c as { open?: unknown }).open === 'function')
  )
    size = (c as { size?: unknown }).size;
  else throw badInput(`content of "${entry.path}" must be bytes, { size, stream } or { size, open }.`);
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0)
    throw badInput(`size of "${entry.path}" must be a whole number of bytes.`);
  if (size > MAX_FILE_SIZE)
    throw badInput(`"${entry.path}" is ${size} bytes; ISO 9660 files must be smaller than 4 GiB.`);
  return size;
}
