// Lays out and streams an ISO 9660 image (ECMA-119) with Rock Ridge (SUSP/RRIP 1.12) and Joliet.
//
// Layout, in 2048-byte sectors (ECMA-119 6.2, 6.7):
//   0–15 system area (zeros) · 16 primary VD · 17 Joliet SVD · 18 terminator
//   path tables (primary L, M; Joliet L, M) · primary directories · Rock Ridge continuation
//   areas · Joliet directories · file data (shared by both trees), each file from a sector start.
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
} from './directory-record.js';
import { badInput } from './errors.js';
import {
  buildTree,
  checkTime,
  type IsoTreeEntry,
  type IsoWriteOptions,
  type TreeDir,
  type TreeFile,
  type TreeNode,
} from './iso-tree.js';
import { JOLIET_ESCAPE, jolietIdentifiers, jolietText } from './joliet.js';
import { SECTOR, sectorsFor } from './numerical-values.js';
import { type PathTableDirectory, pathTableSize, serializePathTable } from './path-table.js';
import {
  CE_LENGTH,
  ceEntry,
  erEntry,
  nmEntries,
  pxEntry,
  S_IFDIR,
  S_IFREG,
  spEntry,
  tfEntry,
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
 * are kept between planning and writing; `entries` builds the bytes again when the record is
 * written, so a large tree does not hold every entry in memory at once.
 */
interface SystemUse {
  entries: () => SuspEntries;
  /** Bytes in the record (a CE entry included), before the even-length padding. */
  inlineLength: number;
  /** Bytes moved to the continuation area; 0 when everything fits in the record. */
  continuationLength: number;
  /** Where the continuation was placed; filled in by the layout. */
  ceBlock: number;
  ceOffset: number;
}

/** `fixed` entries always stay in the record; `movable` ones go to a continuation area if needed. */
interface SuspEntries {
  fixed: Buffer[];
  movable: Buffer[];
}

interface PlannedRecord {
  location: () => number;
  dataLength: () => number;
  date: Date;
  flags: number;
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
  yield* sink.push(layout.metadata);
  for (const file of layout.files) {
    let written = 0;
    for await (const chunk of fileChunks(file.node)) {
      written += chunk.byteLength;
      if (written > file.node.size) throw changedSize(file.node, written);
      yield* sink.push(chunk);
    }
    if (written !== file.node.size) throw changedSize(file.node, written);
    const pad = (SECTOR - (written % SECTOR)) % SECTOR;
    if (pad) yield* sink.push(ZEROS.subarray(0, pad));
  }
  yield* sink.flush();
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

async function* fileChunks(file: TreeFile): AsyncGenerator<Uint8Array> {
  if (file.content instanceof Uint8Array) {
    if (file.content.byteLength) yield file.content;
    return;
  }
  for await (const chunk of file.content.stream() as AsyncIterable<unknown>) {
    if (!(chunk instanceof Uint8Array))
      throw badInput(`the stream of "${pathOf(file)}" must give bytes, not ${typeof chunk} (no encoding).`);
    if (chunk.byteLength) yield chunk;
  }
}

/** Gathers small chunks so a consumer writing each chunk makes few large writes. */
class Coalescer {
  private buffer = Buffer.allocUnsafe(COALESCE_SIZE);
  private used = 0;

  *push(chunk: Uint8Array): Generator<Uint8Array> {
    if (chunk.byteLength >= SMALL_CHUNK) {
      yield* this.flush();
      yield chunk;
      return;
    }
    if (this.used + chunk.byteLength > COALESCE_SIZE) yield* this.flush();
    this.buffer.set(chunk, this.used);
    this.used += chunk.byteLength;
  }

  *flush(): Generator<Uint8Array> {
    if (this.used === 0) return;
    const out = this.buffer.subarray(0, this.used);
    this.buffer = Buffer.allocUnsafe(COALESCE_SIZE);
    this.used = 0;
    yield out;
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
    const jolietIds = jolietIdentifiers(described);
    const planned = children.map((c, i): Planned => {
      const isoId = Buffer.from(isoIds[i]!, 'latin1');
      const jId = jolietIds[i]!;
      if (c.kind === 'dir') {
        dir.subdirs++;
        return planDir(c, dir, isoId, jId);
      }
      return { node: c, isoId, jolietId: jId, serial: serial++, location: 0 };
    });
    dir.isoOrder = sortedBy(planned, (p) => identifierKey(p.isoId));
    dir.jolietOrder = sortedBy(planned, (p) => identifierKey(ucs2Units(p.jolietId)));
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
  const continuations: SystemUse[] = [];
  for (const dir of primaryDirs) {
    const records = primaryDirRecords(dir, root);
    for (const r of records) if (r.systemUse?.continuationLength) continuations.push(r.systemUse);
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
  for (const dir of primaryDirs) dir.isoLocation = place(dir.isoSize);
  const ceStart = next;
  let ceAt = 0;
  for (const su of continuations) {
    const length = su.continuationLength;
    if ((ceAt % SECTOR) + length > SECTOR) ceAt = sectorsFor(ceAt) * SECTOR; // SUSP: one area per block
    su.ceBlock = ceStart + Math.floor(ceAt / SECTOR);
    su.ceOffset = ceAt % SECTOR;
    ceAt += length;
  }
  next += sectorsFor(ceAt);
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

/** ECMA-119 9.3 order, each identifier split once. */
function sortedBy(planned: Planned[], key: (p: Planned) => IdentifierKey): Planned[] {
  const keyed = planned.map((p) => ({ p, key: key(p) }));
  keyed.sort((a, b) => compareIdentifierKeys(a.key, b.key));
  return keyed.map((k) => k.p);
}

function ucs2Units(id: Buffer): number[] {
  const units: number[] = [];
  for (let i = 0; i + 1 < id.length; i += 2) units.push(id.readUInt16BE(i));
  return units;
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

/** RRIP PX + TF for a node (RRIP 1.12 4.1.1, 4.1.6). */
function posixEntries(p: PlannedDir | PlannedFile): Buffer[] {
  const n = p.node;
  const mode = n.kind === 'dir' ? S_IFDIR | n.mode : S_IFREG | n.mode;
  const links = n.kind === 'dir' ? 2 + (p as PlannedDir).subdirs : 1;
  return [pxEntry(mode, links, n.uid, n.gid, p.serial), tfEntry(n.mtime)];
}

/**
 * Splits System Use entries between the record and a continuation area: everything inline when
 * the record stays within 255 bytes (ECMA-119 9.1.1), else the fixed entries inline plus a CE
 * entry pointing at the rest (SUSP 5.1).
 */
function systemUse(identifierLength: number, entries: () => SuspEntries): SystemUse {
  const room = MAX_RECORD - recordBaseLength(identifierLength);
  const { fixed, movable } = entries();
  const fixedLength = total(fixed);
  const movableLength = total(movable);
  if (fixedLength + movableLength <= room)
    return {
      entries,
      inlineLength: fixedLength + movableLength,
      continuationLength: 0,
      ceBlock: 0,
      ceOffset: 0,
    };
  if (fixedLength + CE_LENGTH > room) throw new RangeError('fixed System Use entries exceed a record');
  return {
    entries,
    inlineLength: fixedLength + CE_LENGTH,
    continuationLength: movableLength,
    ceBlock: 0,
    ceOffset: 0,
  };
}

function total(buffers: Buffer[]): number {
  let n = 0;
  for (const b of buffers) n += b.length;
  return n;
}

/** The record's System Use bytes; a continuation goes straight into the image at its place. */
function systemUseBytes(su: SystemUse, image: Buffer): Buffer {
  const { fixed, movable } = su.entries();
  const parts = su.continuationLength ? fixed : [...fixed, ...movable];
  if (su.continuationLength) {
    Buffer.concat(movable).copy(image, su.ceBlock * SECTOR + su.ceOffset);
    parts.push(ceEntry(su.ceBlock, su.ceOffset, su.continuationLength));
  }
  // keep the record length even (ECMA-119 9.1.13 pads the System Use field to an even length)
  if (su.inlineLength % 2) parts.push(Buffer.alloc(1));
  return Buffer.concat(parts);
}

function recordLength(identifierLength: number, su: SystemUse | undefined): number {
  if (!su) return recordBaseLength(identifierLength);
  return recordBaseLength(identifierLength) + su.inlineLength + (su.inlineLength % 2);
}

function primaryDirRecords(dir: PlannedDir, root: PlannedDir): PlannedRecord[] {
  const parent = dir.parent ?? dir;
  const selfSu =
    dir === root
      ? systemUse(1, () => ({ fixed: [spEntry(), ...posixEntries(dir)], movable: [erEntry()] })) // SUSP 5.3: SP first; 5.5: ER in the root's "."
      : systemUse(1, () => ({ fixed: posixEntries(dir), movable: [] }));
  const records: PlannedRecord[] = [
    dirRecord(
      dir,
      SELF_ID,
      selfSu,
      (d) => d.isoLocation,
      (d) => d.isoSize,
    ),
    dirRecord(
      parent,
      PARENT_ID,
      systemUse(1, () => ({ fixed: posixEntries(parent), movable: [] })),
      (d) => d.isoLocation,
      (d) => d.isoSize,
    ),
  ];
  for (const c of dir.isoOrder) {
    const su = systemUse(c.isoId.length, () => ({
      fixed: posixEntries(c),
      movable: nmEntries(c.node.nameBytes),
    }));
    records.push(
      c.node.kind === 'dir'
        ? dirRecord(
            c as PlannedDir,
            c.isoId,
            su,
            (d) => d.isoLocation,
            (d) => d.isoSize,
          )
        : fileRecord(c as PlannedFile, c.isoId, su),
    );
  }
  return records;
}

function jolietDirRecords(dir: PlannedDir): PlannedRecord[] {
  const parent = dir.parent ?? dir;
  const records = [
    dirRecord(
      dir,
      SELF_ID,
      undefined,
      (d) => d.jolietLocation,
      (d) => d.jolietSize,
    ),
    dirRecord(
      parent,
      PARENT_ID,
      undefined,
      (d) => d.jolietLocation,
      (d) => d.jolietSize,
    ),
  ];
  for (const c of dir.jolietOrder)
    records.push(
      c.node.kind === 'dir'
        ? dirRecord(
            c as PlannedDir,
            c.jolietId,
            undefined,
            (d) => d.jolietLocation,
            (d) => d.jolietSize,
          )
        : fileRecord(c as PlannedFile, c.jolietId, undefined),
    );
  return records;
}

function dirRecord(
  dir: PlannedDir,
  identifier: Buffer,
  su: SystemUse | undefined,
  location: (d: PlannedDir) => number,
  size: (d: PlannedDir) => number,
): PlannedRecord {
  return {
    location: () => location(dir),
    dataLength: () => size(dir),
    date: dir.node.mtime,
    flags: FLAG_DIRECTORY,
    identifier,
    systemUse: su,
    length: recordLength(identifier.length, su),
  };
}

function fileRecord(file: PlannedFile, identifier: Buffer, su: SystemUse | undefined): PlannedRecord {
  return {
    location: () => file.location,
    dataLength: () => file.node.size,
    date: file.node.mtime,
    flags: 0,
    identifier,
    systemUse: su,
    length: recordLength(identifier.length, su),
  };
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
    const bytes = serializeDirectoryRecord({
      location: r.location(),
      dataLength: r.dataLength(),
      recorded: r.date,
      flags: r.flags,
      identifier: r.identifier,
      systemUse: r.systemUse ? systemUseBytes(r.systemUse, image) : undefined,
    });
    bytes.copy(image, location * SECTOR + at);
    at += r.length;
  }
}
