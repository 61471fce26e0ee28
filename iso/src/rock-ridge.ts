// Rock Ridge: SUSP 1.12 (System Use Sharing Protocol) entries and RRIP 1.12 (IEEE P1282) entries
// in the System Use field of directory records (ECMA-119 9.1.13).
import { readRecordingDate, writeRecordingDate } from './directory-record.js';
import { invalidImage } from './errors.js';
import { readBoth32, writeBoth32 } from './numerical-values.js';

// POSIX file types (st_mode & S_IFMT) recorded in PX.
export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;

/**
 * SUSP 4.1: BP 1–2 signature, BP 3 length (of the whole entry), BP 4 version (1), BP 5… data.
 * Allocated from Node's small-buffer pool (thousands of entries per image), zero-filled.
 */
function entry(signature: string, length: number): Buffer {
  const e = Buffer.allocUnsafe(length).fill(0);
  e.write(signature, 0, 'latin1');
  e[2] = length;
  e[3] = 1;
  return e;
}

/** SUSP 5.3 SP: first entry of the root's "." record; BP 5–6 check bytes BE EF, BP 7 bytes skipped (0). */
export function spEntry(): Buffer {
  const e = entry('SP', 7);
  e[4] = 0xbe;
  e[5] = 0xef;
  return e;
}

/** SUSP 5.1 CE: continuation area at block (BP 5–12), offset (BP 13–20), length (BP 21–28). */
export const CE_LENGTH = 28;
export function ceEntry(block: number, offset: number, length: number): Buffer {
  const e = entry('CE', CE_LENGTH);
  writeBoth32(e, 4, block);
  writeBoth32(e, 12, offset);
  writeBoth32(e, 20, length);
  return e;
}

/** SUSP 5.5 ER: extension reference; RRIP 1.12 section 5.5 gives its identifier and texts. */
export function erEntry(): Buffer {
  const id = Buffer.from('IEEE_P1282', 'latin1');
  const descriptor = Buffer.from(
    'THE IEEE P1282 PROTOCOL PROVIDES SUPPORT FOR POSIX FILE SYSTEM SEMANTICS.',
    'latin1',
  );
  const source = Buffer.from(
    'PLEASE CONTACT THE IEEE STANDARDS DEPARTMENT, PISCATAWAY, NJ, USA FOR THE P1282 SPECIFICATION.',
    'latin1',
  );
  const e = entry('ER', 8 + id.length + descriptor.length + source.length);
  // BP 5–8: LEN_ID, LEN_DES, LEN_SRC, EXT_VER; then the three texts
  e[4] = id.length;
  e[5] = descriptor.length;
  e[6] = source.length;
  e[7] = 1;
  Buffer.concat([id, descriptor, source]).copy(e, 8);
  return e;
}

/** RRIP 1.12 4.1.1 PX (44 bytes): mode, links, uid, gid, serial number — each both-byte-order 32-bit. */
export function pxEntry(mode: number, links: number, uid: number, gid: number, serial: number): Buffer {
  const e = entry('PX', 44);
  writeBoth32(e, 4, mode); // BP 5–12: file mode
  writeBoth32(e, 12, links); // BP 13–20: links
  writeBoth32(e, 20, uid); // BP 21–28: user id
  writeBoth32(e, 28, gid); // BP 29–36: group id
  writeBoth32(e, 36, serial); // BP 37–44: file serial number
  return e;
}

/** RRIP 1.12 4.1.6 TF flags: bit 1 modify, bit 2 access, bit 3 attributes (ctime); bit 7 long form. */
const TF_MODIFY = 0x02;
const TF_ACCESS = 0x04;
const TF_ATTRIBUTES = 0x08;
const TF_LONG_FORM = 0x80;

export function tfEntry(time: Date): Buffer {
  const e = entry('TF', 5 + 3 * 7);
  e[4] = TF_MODIFY | TF_ACCESS | TF_ATTRIBUTES; // BP 5: flags; BP 6…: the stamps, 9.1.5 form
  for (let i = 0; i < 3; i++) writeRecordingDate(e, 5 + i * 7, time);
  return e;
}

/** RRIP 1.12 4.1.4 NM: BP 5 flags (bit 0 CONTINUE), BP 6… name bytes. Longer names span entries. */
const NM_CONTINUE = 0x01;
const NM_CURRENT = 0x02;
const NM_PARENT = 0x04;
const NM_CHUNK = 250; // 255 − 5 header bytes

export function nmEntries(name: Buffer): Buffer[] {
  const entries: Buffer[] = [];
  let at = 0;
  while (at < name.length) {
    let end = Math.min(at + NM_CHUNK, name.length);
    // split between UTF-8 characters, never inside one
    while (end < name.length && end > at + 1 && (name[end]! & 0xc0) === 0x80) end--;
    const e = entry('NM', 5 + end - at);
    e[4] = end === name.length ? 0 : NM_CONTINUE;
    name.copy(e, 5, at, end);
    entries.push(e);
    at = end;
  }
  return entries;
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
    e.readInt8(at + 16) * 15 * 60_000;
  return new Date(Number.isFinite(ms) ? ms : 0);
}
