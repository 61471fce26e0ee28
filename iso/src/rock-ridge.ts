// Rock Ridge: SUSP 1.12 (System Use Sharing Protocol) entries and RRIP 1.12 (IEEE P1282) entries
// in the System Use field of directory records (ECMA-119 9.1.13).
import { gmtOffset, readRecordingDate, writeRecordingDate } from './directory-record.js';
import { invalidImage } from './errors.js';
import { readBoth32, writeBoth32 } from './numerical-values.js';

// POSIX file types (st_mode & S_IFMT) recorded in PX.
export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFIFO = 0o010000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
export const S_IFSOCK = 0o140000;

// Every entry is written straight into the image at `at` (no buffer per entry: thousands of
// records per image) and each writer returns the offset just past its entry. Lengths are known
// up front, so the layout is planned without building any entry.

/** SUSP 4.1: BP 1–2 signature, BP 3 length (of the whole entry), BP 4 version (1), BP 5… data (zeroed). */
function entry(into: Buffer, at: number, signature: string, length: number): void {
  into.fill(0, at, at + length);
  into[at] = signature.charCodeAt(0);
  into[at + 1] = signature.charCodeAt(1);
  into[at + 2] = length;
  into[at + 3] = 1;
}

/** SUSP 5.3 SP: first entry of the root's "." record; BP 5–6 check bytes BE EF, BP 7 bytes skipped (0). */
export const SP_LENGTH = 7;
export function writeSp(into: Buffer, at: number): number {
  entry(into, at, 'SP', SP_LENGTH);
  into[at + 4] = 0xbe;
  into[at + 5] = 0xef;
  return at + SP_LENGTH;
}

/** SUSP 5.1 CE: continuation area at block (BP 5–12), offset (BP 13–20), length (BP 21–28). */
export const CE_LENGTH = 28;
export function writeCe(into: Buffer, at: number, block: number, offset: number, length: number): number {
  entry(into, at, 'CE', CE_LENGTH);
  writeBoth32(into, at + 4, block);
  writeBoth32(into, at + 12, offset);
  writeBoth32(into, at + 20, length);
  return at + CE_LENGTH;
}

/** SUSP 5.5 ER: extension reference; RRIP 1.12 section 5.5 gives its identifier and texts. */
const ER_ID = Buffer.from('IEEE_P1282', 'latin1');
const ER_DESCRIPTOR = Buffer.from(
  'THE IEEE P1282 PROTOCOL PROVIDES SUPPORT FOR POSIX FILE SYSTEM SEMANTICS.',
  'latin1',
);
const ER_SOURCE = Buffer.from(
  'PLEASE CONTACT THE IEEE STANDARDS DEPARTMENT, PISCATAWAY, NJ, USA FOR THE P1282 SPECIFICATION.',
  'latin1',
);
export const ER_LENGTH = 8 + ER_ID.length + ER_DESCRIPTOR.length + ER_SOURCE.length;
export function writeEr(into: Buffer, at: number): number {
  entry(into, at, 'ER', ER_LENGTH);
  // BP 5–8: LEN_ID, LEN_DES, LEN_SRC, EXT_VER; then the three texts
  into[at + 4] = ER_ID.length;
  into[at + 5] = ER_DESCRIPTOR.length;
  into[at + 6] = ER_SOURCE.length;
  into[at + 7] = 1;
  let text = at + 8;
  for (const part of [ER_ID, ER_DESCRIPTOR, ER_SOURCE]) text += part.copy(into, text);
  return at + ER_LENGTH;
}

/** RRIP 1.12 4.1.1 PX (44 bytes): mode, links, uid, gid, serial number — each both-byte-order 32-bit. */
export const PX_LENGTH = 44;
export function writePx(
  into: Buffer,
  at: number,
  mode: number,
  links: number,
  uid: number,
  gid: number,
  serial: number,
): number {
  entry(into, at, 'PX', PX_LENGTH);
  writeBoth32(into, at + 4, mode); // BP 5–12: file mode
  writeBoth32(into, at + 12, links); // BP 13–20: links
  writeBoth32(into, at + 20, uid); // BP 21–28: user id
  writeBoth32(into, at + 28, gid); // BP 29–36: group id
  writeBoth32(into, at + 36, serial); // BP 37–44: file serial number
  return at + PX_LENGTH;
}

/** RRIP 1.12 4.1.6 TF flags: bit 1 modify, bit 2 access, bit 3 attributes (ctime); bit 7 long form. */
const TF_MODIFY = 0x02;
const TF_ACCESS = 0x04;
const TF_ATTRIBUTES = 0x08;
const TF_LONG_FORM = 0x80;

export const TF_LENGTH = 5 + 3 * 7;
export function writeTf(into: Buffer, at: number, time: Date): number {
  entry(into, at, 'TF', TF_LENGTH);
  into[at + 4] = TF_MODIFY | TF_ACCESS | TF_ATTRIBUTES; // BP 5: flags; BP 6…: the stamps, 9.1.5 form
  writeRecordingDate(into, at + 5, time);
  into.copyWithin(at + 12, at + 5, at + 12); // the same time three times
  into.copyWithin(at + 19, at + 5, at + 12);
  return at + TF_LENGTH;
}

/** RRIP 1.12 4.1.4 NM: BP 5 flags (bit 0 CONTINUE), BP 6… name bytes. Longer names span entries. */
const NM_CONTINUE = 0x01;
const NM_CURRENT = 0x02;
const NM_PARENT = 0x04;
const NM_CHUNK = 250; // 255 − 5 header bytes

/** Where the NM entry holding `name` from `at` ends: between UTF-8 characters, never inside one. */
function nmPartEnd(name: Buffer, at: number): number {
  let end = Math.min(at + NM_CHUNK, name.length);
  while (end < name.length && end > at + 1 && (name[end]! & 0xc0) === 0x80) end--;
  return end;
}

/** Bytes the NM entries of `name` take. */
export function nmLength(name: Buffer): number {
  let length = 0;
  for (let at = 0; at < name.length; ) {
    const end = nmPartEnd(name, at);
    length += 5 + end - at;
    at = end;
  }
  return length;
}

export function writeNm(into: Buffer, at: number, name: Buffer): number {
  for (let from = 0; from < name.length; ) {
    const end = nmPartEnd(name, from);
    entry(into, at, 'NM', 5 + end - from);
    into[at + 4] = end === name.length ? 0 : NM_CONTINUE;
    into.set(name.subarray(from, end), at + 5);
    at += 5 + end - from;
    from = end;
  }
  return at;
}

/** What the reader learns from one record's SUSP entries (continuation areas included). */
export interface RockRidgeFields {
  hasSp: boolean;
  skip?: number;
  name?: Buffer;
  nameIsDot?: boolean;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: Date;
  atime?: Date;
  ctime?: Date;
  /** RRIP 4.1.5.1 CL: the real location of a relocated directory. */
  childLink?: number;
  /** RRIP 4.1.5.3 RE: this record is the relocated directory itself — hidden from the tree. */
  relocated?: boolean;
  continuation?: { block: number; offset: number; length: number };
  /** RRIP 4.1.3 SL: a symbolic link's target, joined from its components. */
  linkTarget?: string;
  /** The last SL component said CONTINUE: the next one joins it without a "/". */
  linkContinues?: boolean;
  /** zisofs ZF entry (xorriso/mkzftree): the file's data is compressed. */
  zisofs?: { algorithm: string; headerSize: number; blockLog2: number; size: number };
}

/**
 * Parses one System Use area (or continuation area). Entries are bounded by the area; a length
 * byte below 4 ends the area (SUSP 4: padding), an entry running past it is an error.
 */
export function parseSuspArea(area: Buffer, into: RockRidgeFields, where: string): void {
  let at = 0;
  into.continuation = undefined;
  const nameParts: Buffer[] = into.name ? [into.name] : [];
  while (at + 4 <= area.length) {
    const length = area[at + 2]!;
    if (length < 4) break;
    if (at + length > area.length)
      throw invalidImage(`${where}: a System Use entry of ${length} bytes runs past its area.`);
    const sig = area.toString('latin1', at, at + 2);
    const e = area.subarray(at, at + length);
    switch (sig) {
      case 'SP':
        if (length >= 7 && e[4] === 0xbe && e[5] === 0xef) {
          into.hasSp = true;
          into.skip = e[6]!;
        }
        break;
      case 'CE':
        if (length >= 28)
          into.continuation = {
            block: readBoth32(e, 4),
            offset: readBoth32(e, 12),
            length: readBoth32(e, 20),
          };
        break;
      case 'PX':
        if (length >= 36) {
          into.mode = readBoth32(e, 4);
          into.uid = readBoth32(e, 20);
          into.gid = readBoth32(e, 28);
        }
        break;
      case 'NM':
        if (length >= 5) {
          const flags = e[4]!;
          if (flags & (NM_CURRENT | NM_PARENT)) into.nameIsDot = true;
          else nameParts.push(e.subarray(5));
        }
        break;
      case 'TF':
        if (length >= 5) parseTimestamps(e, into);
        break;
      case 'CL':
        if (length >= 12) into.childLink = readBoth32(e, 4);
        break;
      case 'RE':
        into.relocated = true;
        break;
      case 'SL':
        if (length >= 5) parseSymlink(e, into);
        break;
      case 'ZF':
        if (length >= 16)
          into.zisofs = {
            algorithm: e.toString('latin1', 4, 6),
            headerSize: e[6]! * 4,
            blockLog2: e[7]!,
            size: readBoth32(e, 8),
          };
        break;
      case 'ST':
        finish();
        return;
    }
    at += length;
  }
  finish();

  function finish(): void {
    if (nameParts.length) into.name = Buffer.concat(nameParts);
  }
}

/** SL component flags (RRIP 4.1.3.1): CONTINUE, CURRENT ".", PARENT "..", ROOT "/". */
const SL_CONTINUE = 0x01;
const SL_CURRENT = 0x02;
const SL_PARENT = 0x04;
const SL_ROOT = 0x08;
const MAX_LINK_TARGET = 4096;

function parseSymlink(e: Buffer, into: RockRidgeFields): void {
  let target = into.linkTarget ?? '';
  let joins = into.linkContinues ?? false;
  for (let at = 5; at + 2 <= e.length; ) {
    const flags = e[at]!;
    const length = e[at + 1]!;
    if (at + 2 + length > e.length) break;
    const text =
      flags & SL_ROOT
        ? '/'
        : flags & SL_PARENT
          ? '..'
          : flags & SL_CURRENT
            ? '.'
            : e.toString('utf8', at + 2, at + 2 + length);
    if (flags & SL_ROOT) target = '/';
    else target += (target && !target.endsWith('/') && !joins ? '/' : '') + text;
    joins = (flags & SL_CONTINUE) !== 0;
    at += 2 + length;
  }
  if (target.length > MAX_LINK_TARGET)
    throw invalidImage(`a symbolic link target is longer than ${MAX_LINK_TARGET} characters.`);
  into.linkTarget = target;
  into.linkContinues = joins;
}

function parseTimestamps(e: Buffer, into: RockRidgeFields): void {
  const flags = e[4]!;
  const width = flags & TF_LONG_FORM ? 17 : 7;
  let at = 5;
  for (let bit = 0; bit < 7; bit++) {
    if (!(flags & (1 << bit))) continue;
    if (at + width > e.length) return;
    const time = width === 7 ? readRecordingDate(e, at) : readLongDate(e, at);
    if (bit === 1) into.mtime = time;
    else if (bit === 2) into.atime = time;
    else if (bit === 3) into.ctime = time;
    at += width;
  }
}

/** ECMA-119 8.4.26.1 digits form, used by TF's long form. */
function readLongDate(e: Buffer, at: number): Date {
  const digits = e.toString('latin1', at, at + 16);
  const n = (from: number, to: number) => Number.parseInt(digits.slice(from, to), 10) || 0;
  const ms =
    Date.UTC(n(0, 4), n(4, 6) - 1, n(6, 8), n(8, 10), n(10, 12), n(12, 14), n(14, 16) * 10) -
    gmtOffset(e.readInt8(at + 16)) * 15 * 60_000;
  return new Date(Number.isFinite(ms) ? ms : 0);
}
