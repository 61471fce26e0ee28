// Lays out and streams an ISO 9660 image (ECMA-119) with Rock Ridge (SUSP/RRIP 1.12) and Joliet.
//
// Layout, in 2048-byte sectors (ECMA-119 6.2, 6.7):
//   0–15 system area (zeros) · 16 primary VD · 17 Joliet SVD · 18 terminator
//   path tables (primary L, M; Joliet L, M) · primary directories, each followed by its Rock Ridge
//   continuation areas · Joliet directories · file data (shared by both trees), each file from a
//   sector start.
// Everything before the file data is built in memory (it grows with the number of entries, not
// their size); file contents are streamed through once. Nothing depends on the clock or on
// randomness: the same entries and date give the same bytes.
import {
  checkDescriptorText,
  compareIdentifierKeys,
  type IdentifierKey,
  identifierKey,
  plainIdentifiers,
} from './d-characters.js';
import {
  FLAG_DIRECTORY,
  MAX_RECORD,
  PARENT_ID,
  recordBaseLength,
  SELF_ID,
  serializeDirectoryRecord,
  writeDirectoryRecord,
} from './directory-record.js';
import { badInput } from './errors.js';
import {
  buildTree,
  checkTime,
  type IsoReadableContent,
  type IsoTreeEntry,
  type IsoWriteOptions,
  type TreeDir,
  type TreeFile,
  type TreeNode,
} from './iso-tree.js';
import { encodeUcs2, JOLIET_ESCAPE, jolietNames, jolietText } from './joliet.js';
import { SECTOR, sectorsFor } from './numerical-values.js';
import { type PathTableDirectory, pathTableSize, serializePathTable } from './path-table.js';
import {
  CE_LENGTH,
  ER_LENGTH,
  nmLength,
  PX_LENGTH,
  S_IFDIR,
  S_IFREG,
  SP_LENGTH,
  TF_LENGTH,
  writeCe,
  writeEr,
  writeNm,
  writePx,
  writeSp,
  writeTf,
} from './rock-ridge.js';
import {
  FIRST_DESCRIPTOR_SECTOR,
  serializeTerminator,
  serializeVolumeDescriptor,
  TYPE_PRIMARY,
  TYPE_SUPPLEMENTARY,
} from './volume-descriptor.js';

/** The path table's parent number is 16 bits (ECMA-119 9.4.4). */
const MAX_DIRECTORIES = 0xffff;
const MAX_SECTORS = 0xffff_ffff;
/** Chunks smaller than this are gathered into one write of COALESCE_SIZE. */
const SMALL_CHUNK = 64 * 1024;
const COALESCE_SIZE = 1024 * 1024;

interface PlannedNode {
  node: TreeNode;
  isoId: Buffer;
  jolietId: Buffer;
  serial: number;
}

interface PlannedDir extends PlannedNode {
  node: TreeDir;
  parent: PlannedDir | undefined;
  isoOrder: Planned[];
  jolietOrder: Planned[];
  subdirs: number;
  isoLocation: number;
  isoSize: number;
  jolietLocation: number;
  jolietSize: number;
}

interface PlannedFile extends PlannedNode {
  node: TreeFile;
  location: number;
}

type Planned = PlannedDir | PlannedFile;

/**
 * A System Use field split between the record and a continuation area (SUSP 5.1). Only lengths
 * are kept between planning and writing (computed, not built); the entries are written straight
 * into the image when the record is, so a large tree never holds them in memory.
 *
 * What it holds: PX and TF of `owner` (fixed, always in the record), preceded by SP for the
 * root's "." (`root`, whose ER is movable), or followed by the NM entries of its name (`named`,
 * movable). Movable entries go to a continuation area when the record would be too long.
 */
interface SystemUse {
  owner: Planned;
  kind: 'root' | 'posix' | 'named';
  /** Bytes in the record (a CE entry included), before the even-length padding. */
  inlineLength: number;
  /** Bytes moved to the continuation area; 0 when everything fits in the record. */
  continuationLength: number;
  /** Where the continuation was placed; filled in by the layout. */
  ceBlock: number;
  ceOffset: number;
}

/** A directory record: where `target` (a directory or file) is in the primary or the Joliet tree. */
interface PlannedRecord {
  target: Planned;
  joliet: boolean;
  identifier: Buffer;
  systemUse: SystemUse | undefined;
  length: number;
}

/** Streams the image. Errors (bad input, a file that changed size) reject the iteration. */
export async function* writeIso(
  entries: IsoTreeEntry[],
  options: IsoWriteOptions,
): AsyncGenerator<Uint8Array> {
  const layout = planImage(entries, options);
  const sink = new Coalescer();
  // Only what is ready is yielded (each yield of an async generator costs a turn of the event
  // loop): thousands of small files go by without one, and a synchronous source is read without
  // awaiting each chunk.
  for (const out of sink.push(layout.metadata)) yield out;
  for (const file of layout.files) {
    const node = file.node;
    let written = 0;
    const take = (chunk: unknown): Uint8Array[] => {
      if (!(chunk instanceof Uint8Array))
        throw badInput(`the stream of "${pathOf(node)}" must give bytes, not ${typeof chunk} (no encoding).`);
      written += chunk.byteLength;
      if (written > node.size) throw changedSize(node, written);
      return sink.push(chunk);
    };
    const content = node.content;
    if (content instanceof Uint8Array) for (const out of take(content)) yield out;
    else if ('open' in content) for (const chunk of readerChunks(content, node.size)) yield* take(chunk);
    else {
      const source = content.stream();
      if (typeof source === 'object' && source !== null && Symbol.iterator in source)
        for (const chunk of source) for (const out of take(chunk)) yield out;
      else for await (const chunk of source) for (const out of take(chunk)) yield out;
    }
    if (written !== node.size) throw changedSize(node, written);
    const pad = (SECTOR - (written % SECTOR)) % SECTOR;
    if (pad) for (const out of sink.push(ZEROS.subarray(0, pad))) yield out;
  }
  for (const out of sink.flush()) yield out;
}

/** An `open` source as chunks of their own (a consumer may keep a chunk it was handed). */
function* readerChunks(content: IsoReadableContent, size: number): Generator<Uint8Array> {
  const reader = content.open();
  try {
    // One byte more than the size is asked for, so a file that grew is noticed.
    for (let left = size + 1; left > 0; ) {
      const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK, left));
      const n = reader.read(chunk, 0, chunk.length);
      if (n === 0) return;
      left -= n;
      yield chunk.subarray(0, n);
    }
  } finally {
    reader.close();
  }
}

/**
 * Writes the image synchronously through `write`, which gets each part of the image in order and
 * must be done with it when it returns (the same buffer is filled again). Files are read with
 * their `open()` readers straight into that buffer, so every byte is copied once on the way in
 * and once on the way out, as `cat` does, and small files go out together in one write. Contents
 * given as streams are refused: use `writeIso`. Returns the image's size in bytes.
 */
export function writeIsoSync(
  entries: IsoTreeEntry[],
  options: IsoWriteOptions,
  write: (bytes: Uint8Array) => void,
): number {
  const layout = planImage(entries, options);
  for (const file of layout.files)
    if (!(file.node.content instanceof Uint8Array) && !('open' in file.node.content))
      throw badInput(
        `"${pathOf(file.node)}" is given as a stream; a synchronous write needs bytes or { size, open }.`,
      );
  const out = new ReusedBuffer(write);
  out.passThrough(layout.metadata);
  for (const file of layout.files) {
    const node = file.node;
    const content = node.content as Uint8Array | IsoReadableContent;
    if (content instanceof Uint8Array) out.copy(content);
    else {
      const reader = content.open();
      try {
        let left = node.size;
        for (;;) {
          const room = out.room(); // first: it may flush, which moves `used` back to 0
          // One byte more than what is left is asked for, so a file that grew is noticed.
          const n = reader.read(out.buffer, out.used, Math.min(room, left + 1));
          if (n === 0) break;
          if (n > left) throw changedSize(node, node.size + 1);
          out.used += n;
          left -= n;
        }
        if (left) throw changedSize(node, node.size - left);
      } finally {
        reader.close();
      }
    }
    out.zeros((SECTOR - (node.size % SECTOR)) % SECTOR);
  }
  out.flush();
  return out.total;
}

const READ_CHUNK = 256 * 1024;
/** Like `cat`'s buffer, small enough to stay in the CPU cache between the read and the write. */
const SYNC_BUFFER_SIZE = 256 * 1024;

/** The one buffer of `writeIsoSync`: filled, handed to `write`, filled again. */
class ReusedBuffer {
  readonly buffer = Buffer.allocUnsafe(SYNC_BUFFER_SIZE);
  used = 0;
  total = 0;

  constructor(private readonly write: (bytes: Uint8Array) => void) {}

  /** Bytes free for the next read; flushes first when the buffer is full. */
  room(): number {
    if (this.used === this.buffer.length) this.flush();
    return this.buffer.length - this.used;
  }

  copy(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.byteLength; ) {
      const n = Math.min(this.room(), bytes.byteLength - at);
      this.buffer.set(bytes.subarray(at, at + n), this.used);
      this.used += n;
      at += n;
    }
  }

  /** Bytes of the caller's own at least a buffer long go out as they are, after what is buffered. */
  passThrough(bytes: Uint8Array): void {
    if (bytes.byteLength < this.buffer.length) {
      this.copy(bytes);
      return;
    }
    this.flush();
    this.write(bytes);
    this.total += bytes.byteLength;
  }

  zeros(count: number): void {
    for (let left = count; left > 0; ) {
      const n = Math.min(this.room(), left);
      this.buffer.fill(0, this.used, this.used + n);
      this.used += n;
      left -= n;
    }
  }

  flush(): void {
    if (!this.used) return;
    this.write(this.buffer.subarray(0, this.used));
    this.total += this.used;
    this.used = 0;
  }
}

/** The whole image in memory: for small images (like a configuration ISO). */
export async function buildIsoImage(entries: IsoTreeEntry[], options: IsoWriteOptions): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of writeIso(entries, options)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const ZEROS = Buffer.alloc(SECTOR);

function changedSize(file: TreeFile, written: number): Error {
  const path = pathOf(file);
  return badInput(
    written > file.size
      ? `"${path}" grew while the image was being written (expected ${file.size} bytes, got more).`
      : `"${path}" shrank while the image was being written (expected ${file.size} bytes, got ${written}).`,
  );
}

function pathOf(node: TreeNode): string {
  const parts: string[] = [];
  for (let n: TreeNode | undefined = node; n?.parent; n = n.parent) parts.unshift(n.name);
  return parts.join('/');
}

const NOTHING_READY: Uint8Array[] = [];

/**
 * Gathers small chunks so a consumer writing each chunk makes few large writes. `push` and
 * `flush` return what is ready to go out, in order (usually nothing). A buffer handed out is
 * never written again: a new one is taken for what follows.
 */
class Coalescer {
  private buffer: Buffer | undefined;
  private used = 0;

  push(chunk: Uint8Array): Uint8Array[] {
    if (chunk.byteLength === 0) return NOTHING_READY;
    if (chunk.byteLength >= SMALL_CHUNK) return this.used ? [this.take(), chunk] : [chunk];
    const ready = this.used + chunk.byteLength > COALESCE_SIZE ? [this.take()] : NOTHING_READY;
    this.buffer ??= Buffer.allocUnsafe(COALESCE_SIZE);
    this.buffer.set(chunk, this.used);
    this.used += chunk.byteLength;
    return ready;
  }

  flush(): Uint8Array[] {
    return this.used ? [this.take()] : NOTHING_READY;
  }

  private take(): Uint8Array {
    const out = this.buffer!.subarray(0, this.used);
    this.buffer = undefined;
    this.used = 0;
    return out;
  }
}

interface Layout {
  metadata: Buffer;
  files: PlannedFile[];
}

function planImage(entries: IsoTreeEntry[], options: IsoWriteOptions): Layout {
  const text = checkOptions(options);
  const date = options.date;
  const tree = buildTree(entries, date);

  // Names and orders. Children are visited in real-name byte order so mangling is deterministic.
  let serial = 1;
  const root = planDir(tree, undefined, SELF_ID, SELF_ID);
  function planDir(
    node: TreeDir,
    parent: PlannedDir | undefined,
    isoId: Buffer,
    jolietId: Buffer,
  ): PlannedDir {
    const dir: PlannedDir = {
      node,
      parent,
      isoId,
      jolietId,
      serial: serial++,
      isoOrder: [],
      jolietOrder: [],
      subdirs: 0,
      isoLocation: 0,
      isoSize: 0,
      jolietLocation: 0,
      jolietSize: 0,
    };
    const children = [...node.children.values()].sort((a, b) => Buffer.compare(a.nameBytes, b.nameBytes));
    const described = children.map((c) => ({ name: c.name, isDir: c.kind === 'dir' }));
    const isoIds = plainIdentifiers(described);
    const jolietIds = jolietNames(described);
    const planned = children.map((c, i): Planned => {
      const isoId = Buffer.from(isoIds[i]!, 'latin1');
      const jId = encodeUcs2(jolietIds[i]!);
      if (c.kind === 'dir') {
        dir.subdirs++;
        return planDir(c, dir, isoId, jId);
      }
      return { node: c, isoId, jolietId: jId, serial: serial++, location: 0 };
    });
    dir.isoOrder = sortedBy(planned, isoIds);
    dir.jolietOrder = sortedBy(planned, jolietIds);
    return dir;
  }

  // ECMA-119 6.9.1: path table order is breadth-first over the sorted children.
  const primaryDirs = breadthFirst(root, (d) => d.isoOrder);
  const jolietDirs = breadthFirst(root, (d) => d.jolietOrder);
  if (primaryDirs.length > MAX_DIRECTORIES)
    throw badInput(
      `the tree has ${primaryDirs.length} directories; ISO 9660 allows at most ${MAX_DIRECTORIES}.`,
    );

  // Directory records (sizes first; locations are filled in once everything is placed).
  const primaryRecords = new Map<PlannedDir, PlannedRecord[]>();
  const continuations = new Map<PlannedDir, SystemUse[]>();
  for (const dir of primaryDirs) {
    const records = primaryDirRecords(dir, root);
    continuations.set(
      dir,
      records.flatMap((r) => (r.systemUse?.continuationLength ? [r.systemUse] : [])),
    );
    primaryRecords.set(dir, records);
    dir.isoSize = extentSize(records);
  }
  const jolietRecords = new Map<PlannedDir, PlannedRecord[]>();
  for (const dir of jolietDirs) {
    const records = jolietDirRecords(dir);
    jolietRecords.set(dir, records);
    dir.jolietSize = extentSize(records);
  }

  // Placement.
  let next = FIRST_DESCRIPTOR_SECTOR + 3;
  const place = (bytes: number) => {
    const at = next;
    next += sectorsFor(bytes);
    return at;
  };
  const primaryTableSize = pathTableSize(
    primaryDirs.map((d) => ({ identifier: d.isoId, location: 0, parentNumber: 0 })),
  );
  const jolietTableSize = pathTableSize(
    jolietDirs.map((d) => ({ identifier: d.jolietId, location: 0, parentNumber: 0 })),
  );
  const tables = {
    primaryL: place(primaryTableSize),
    primaryM: place(primaryTableSize),
    jolietL: place(jolietTableSize),
    jolietM: place(jolietTableSize),
  };
  for (const dir of primaryDirs) {
    dir.isoLocation = place(dir.isoSize);
    // Each directory's continuation areas right after it, as xorriso lays them out: a reader that
    // goes through the image in order (libarchive, so bsdtar) then has the Rock Ridge names of a
    // directory's entries before it descends into them. With every area after all directories,
    // bsdtar listed a directory whose name lives in one by its 8.3 name (an extra empty folder).
    const ceStart = next;
    let ceAt = 0;
    for (const su of continuations.get(dir)!) {
      const length = su.continuationLength;
      if ((ceAt % SECTOR) + length > SECTOR) ceAt = sectorsFor(ceAt) * SECTOR; // SUSP: one area per block
      su.ceBlock = ceStart + Math.floor(ceAt / SECTOR);
      su.ceOffset = ceAt % SECTOR;
      ceAt += length;
    }
    next += sectorsFor(ceAt);
  }
  for (const dir of jolietDirs) dir.jolietLocation = place(dir.jolietSize);
  const filesStart = next;
  const files: PlannedFile[] = [];
  for (const dir of primaryDirs)
    for (const c of dir.isoOrder)
      if (c.node.kind === 'file') {
        const f = c as PlannedFile;
        // Empty files own no sector; location 0 is what mkisofs and libisofs record too.
        f.location = f.node.size === 0 ? 0 : place(f.node.size);
        files.push(f);
      }
  if (next > MAX_SECTORS) throw badInput('the tree is too large: an ISO 9660 image holds at most 8 TiB.');
  const volumeSpaceSize = next;

  // Serialization of everything before the file data.
  const metadata = Buffer.alloc(filesStart * SECTOR);
  const rootRecord = (location: number, size: number) =>
    serializeDirectoryRecord({
      location,
      dataLength: size,
      recorded: root.node.mtime,
      flags: FLAG_DIRECTORY,
      identifier: SELF_ID,
    });
  const common = {
    systemId: options.systemId ?? '',
    volumeId: options.volumeId,
    volumeSetId: options.volumeSetId ?? '',
    publisher: options.publisher ?? '',
    preparer: options.preparer ?? '',
    applicationId: options.applicationId ?? '',
    volumeSpaceSize,
    date,
  };
  serializeVolumeDescriptor({
    ...common,
    type: TYPE_PRIMARY,
    text,
    pathTableSize: primaryTableSize,
    lPathTable: tables.primaryL,
    mPathTable: tables.primaryM,
    rootRecord: rootRecord(root.isoLocation, root.isoSize),
  }).copy(metadata, FIRST_DESCRIPTOR_SECTOR * SECTOR);
  serializeVolumeDescriptor({
    ...common,
    type: TYPE_SUPPLEMENTARY,
    text: jolietText,
    escapeSequences: JOLIET_ESCAPE,
    pathTableSize: jolietTableSize,
    lPathTable: tables.jolietL,
    mPathTable: tables.jolietM,
    rootRecord: rootRecord(root.jolietLocation, root.jolietSize),
  }).copy(metadata, (FIRST_DESCRIPTOR_SECTOR + 1) * SECTOR);
  serializeTerminator().copy(metadata, (FIRST_DESCRIPTOR_SECTOR + 2) * SECTOR);

  const primaryTable = pathTableOf(
    primaryDirs,
    (d) => d.isoId,
    (d) => d.isoLocation,
  );
  serializePathTable(primaryTable, 'L').copy(metadata, tables.primaryL * SECTOR);
  serializePathTable(primaryTable, 'M').copy(metadata, tables.primaryM * SECTOR);
  const jolietTable = pathTableOf(
    jolietDirs,
    (d) => d.jolietId,
    (d) => d.jolietLocation,
  );
  serializePathTable(jolietTable, 'L').copy(metadata, tables.jolietL * SECTOR);
  serializePathTable(jolietTable, 'M').copy(metadata, tables.jolietM * SECTOR);

  for (const dir of primaryDirs) writeExtent(metadata, dir.isoLocation, primaryRecords.get(dir)!);
  for (const dir of jolietDirs) writeExtent(metadata, dir.jolietLocation, jolietRecords.get(dir)!);
  return { metadata, files };
}

function checkOptions(options: IsoWriteOptions): (value: string, width: number) => Buffer {
  if (!options || typeof options !== 'object') throw badInput('options with volumeId and date are required.');
  checkTime('date', options.date);
  const fields: [keyof IsoWriteOptions, string, 'd' | 'a', number][] = [
    ['volumeId', 'volume id', 'd', 32], // ECMA-119 8.4.6
    ['systemId', 'system id', 'a', 32], // 8.4.5
    ['volumeSetId', 'volume set id', 'd', 128], // 8.4.14
    ['publisher', 'publisher', 'a', 128], // 8.4.20
    ['preparer', 'data preparer', 'a', 128], // 8.4.21
    ['applicationId', 'application id', 'a', 128], // 8.4.22
  ];
  for (const [key, label, kind, max] of fields) {
    const value = options[key];
    if (value === undefined && key !== 'volumeId') continue;
    if (typeof value !== 'string') throw badInput(`${label} must be text.`);
    checkDescriptorText(label, value, kind, max);
  }
  if (options.volumeId === '') throw badInput('volume id must not be empty.');
  return (value, width) => {
    const b = Buffer.alloc(width, 0x20);
    b.write(value, 0, width, 'latin1');
    return b;
  };
}

/** ECMA-119 9.3 order of `planned` by their identifiers (`ids[i]` is the one of `planned[i]`), each split once. */
function sortedBy(planned: Planned[], ids: string[]): Planned[] {
  const keyed = planned.map((p, i): { p: Planned; key: IdentifierKey } => ({
    p,
    key: identifierKey(ids[i]!),
  }));
  keyed.sort((a, b) => compareIdentifierKeys(a.key, b.key));
  return keyed.map((k) => k.p);
}

function breadthFirst(root: PlannedDir, order: (d: PlannedDir) => Planned[]): PlannedDir[] {
  const dirs = [root];
  for (let i = 0; i < dirs.length; i++)
    for (const c of order(dirs[i]!)) if (c.node.kind === 'dir') dirs.push(c as PlannedDir);
  return dirs;
}

function pathTableOf(
  dirs: PlannedDir[],
  id: (d: PlannedDir) => Buffer,
  location: (d: PlannedDir) => number,
): PathTableDirectory[] {
  const number = new Map(dirs.map((d, i) => [d, i + 1]));
  return dirs.map((d) => ({
    identifier: id(d),
    location: location(d),
    parentNumber: d.parent ? number.get(d.parent)! : 1,
  }));
}

/**
 * Splits System Use entries between the record and a continuation area: everything inline when
 * the record stays within 255 bytes (ECMA-119 9.1.1), else the fixed entries inline plus a CE
 * entry pointing at the rest (SUSP 5.1).
 */
function systemUse(identifierLength: number, owner: Planned, kind: SystemUse['kind']): SystemUse {
  const room = MAX_RECORD - recordBaseLength(identifierLength);
  const fixedLength = (kind === 'root' ? SP_LENGTH : 0) + PX_LENGTH + TF_LENGTH;
  const movableLength = kind === 'root' ? ER_LENGTH : kind === 'named' ? nmLength(owner.node.nameBytes) : 0;
  if (fixedLength + movableLength <= room)
    return {
      owner,
      kind,
      inlineLength: fixedLength + movableLength,
      continuationLength: 0,
      ceBlock: 0,
      ceOffset: 0,
    };
  if (fixedLength + CE_LENGTH > room) throw new RangeError('fixed System Use entries exceed a record');
  return {
    owner,
    kind,
    inlineLength: fixedLength + CE_LENGTH,
    continuationLength: movableLength,
    ceBlock: 0,
    ceOffset: 0,
  };
}

/** Writes the record's System Use entries at `at`; a continuation goes straight to its place. */
function writeSystemUse(image: Buffer, at: number, su: SystemUse): void {
  const p = su.owner;
  const n = p.node;
  if (su.kind === 'root') at = writeSp(image, at); // SUSP 5.3: SP first
  // RRIP 1.12 4.1.1 PX and 4.1.6 TF
  const mode = n.kind === 'dir' ? S_IFDIR | n.mode : S_IFREG | n.mode;
  const links = n.kind === 'dir' ? 2 + (p as PlannedDir).subdirs : 1;
  at = writePx(image, at, mode, links, n.uid, n.gid, p.serial);
  at = writeTf(image, at, n.mtime);
  if (su.continuationLength) {
    writeMovable(image, su.ceBlock * SECTOR + su.ceOffset, su);
    writeCe(image, at, su.ceBlock, su.ceOffset, su.continuationLength);
  } else writeMovable(image, at, su);
  // The even-length padding byte (ECMA-119 9.1.13) is already zero: the image starts zeroed.
}

function writeMovable(image: Buffer, at: number, su: SystemUse): void {
  if (su.kind === 'root')
    writeEr(image, at); // SUSP 5.5: ER in the root's "."
  else if (su.kind === 'named') writeNm(image, at, su.owner.node.nameBytes);
}

function recordLength(identifierLength: number, su: SystemUse | undefined): number {
  return recordBaseLength(identifierLength) + systemUseLength(su);
}

/** The System Use field's bytes in the record, kept even (ECMA-119 9.1.13). */
function systemUseLength(su: SystemUse | undefined): number {
  return su ? su.inlineLength + (su.inlineLength % 2) : 0;
}

function primaryDirRecords(dir: PlannedDir, root: PlannedDir): PlannedRecord[] {
  const parent = dir.parent ?? dir;
  const records: PlannedRecord[] = [
    record(dir, false, SELF_ID, systemUse(1, dir, dir === root ? 'root' : 'posix')),
    record(parent, false, PARENT_ID, systemUse(1, parent, 'posix')),
  ];
  for (const c of dir.isoOrder)
    records.push(record(c, false, c.isoId, systemUse(c.isoId.length, c, 'named')));
  return records;
}

function jolietDirRecords(dir: PlannedDir): PlannedRecord[] {
  const parent = dir.parent ?? dir;
  const records = [record(dir, true, SELF_ID, undefined), record(parent, true, PARENT_ID, undefined)];
  for (const c of dir.jolietOrder) records.push(record(c, true, c.jolietId, undefined));
  return records;
}

function record(
  target: Planned,
  joliet: boolean,
  identifier: Buffer,
  su: SystemUse | undefined,
): PlannedRecord {
  return { target, joliet, identifier, systemUse: su, length: recordLength(identifier.length, su) };
}

/** ECMA-119 6.8.1.1: a record never crosses a sector boundary; the rest of the sector is zeros. */
function extentSize(records: PlannedRecord[]): number {
  let at = 0;
  for (const r of records) {
    if ((at % SECTOR) + r.length > SECTOR) at = sectorsFor(at) * SECTOR;
    at += r.length;
  }
  return sectorsFor(at) * SECTOR;
}

function writeExtent(image: Buffer, location: number, records: PlannedRecord[]): void {
  let at = 0;
  for (const r of records) {
    if ((at % SECTOR) + r.length > SECTOR) at = sectorsFor(at) * SECTOR;
    const t = r.target;
    const isDir = t.node.kind === 'dir';
    const dir = t as PlannedDir;
    const systemUseAt = writeDirectoryRecord(
      image,
      location * SECTOR + at,
      {
        location: isDir ? (r.joliet ? dir.jolietLocation : dir.isoLocation) : (t as PlannedFile).location,
        dataLength: isDir ? (r.joliet ? dir.jolietSize : dir.isoSize) : (t as PlannedFile).node.size,
        recorded: t.node.mtime,
        flags: isDir ? FLAG_DIRECTORY : 0,
        identifier: r.identifier,
      },
      systemUseLength(r.systemUse),
    );
    if (r.systemUse) writeSystemUse(image, systemUseAt, r.systemUse);
    at += r.length;
  }
}
