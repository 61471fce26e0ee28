// ECMA-119 9.1 directory record and 9.1.5 recording date and time.
import { invalidImage } from './errors.js';
import { readBoth32, writeBoth16, writeBoth32 } from './numerical-values.js';

/** 9.1.6 file flags: bit 1 directory, bit 7 multi-extent. */
export const FLAG_DIRECTORY = 0x02;
export const FLAG_MULTI_EXTENT = 0x80;
/** 9.1.11: "." is the single byte 0x00, ".." the single byte 0x01. */
export const SELF_ID = Buffer.from([0]);
export const PARENT_ID = Buffer.from([1]);
/** 9.1.1: a record is at most 255 bytes (its length is one byte). */
export const MAX_RECORD = 255;
export const RECORD_BASE = 33;

/** Bytes before the System Use field: 33 + identifier + the 9.1.12 padding byte if its length is even. */
export function recordBaseLength(identifierLength: number): number {
  return RECORD_BASE + identifierLength + (identifierLength % 2 === 0 ? 1 : 0);
}

export interface DirectoryRecordFields {
  location: number;
  dataLength: number;
  recorded: Date;
  flags: number;
  identifier: Buffer;
  systemUse?: Buffer;
}

export function serializeDirectoryRecord(fields: DirectoryRecordFields): Buffer {
  const systemUse = fields.systemUse;
  const r = Buffer.alloc(recordBaseLength(fields.identifier.length) + (systemUse?.length ?? 0));
  const systemUseAt = writeDirectoryRecord(r, 0, fields, systemUse?.length ?? 0);
  systemUse?.copy(r, systemUseAt);
  return r;
}

/**
 * Writes a record into `into` at `at` (an area of zeros: the image being laid out), all but its
 * System Use field of `systemUseLength` bytes; returns where that field starts.
 */
export function writeDirectoryRecord(
  into: Buffer,
  at: number,
  fields: Omit<DirectoryRecordFields, 'systemUse'>,
  systemUseLength: number,
): number {
  const base = recordBaseLength(fields.identifier.length);
  const length = base + systemUseLength;
  if (length > MAX_RECORD) throw new RangeError(`directory record of ${length} bytes`);
  into[at] = length; // BP 1: length of directory record
  into[at + 1] = 0; // BP 2: extended attribute record length
  writeBoth32(into, at + 2, fields.location); // BP 3–10: location of extent
  writeBoth32(into, at + 10, fields.dataLength); // BP 11–18: data length
  writeRecordingDate(into, at + 18, fields.recorded); // BP 19–25: recording date and time
  into[at + 25] = fields.flags; // BP 26: file flags
  into[at + 26] = 0; // BP 27: file unit size (not interleaved)
  into[at + 27] = 0; // BP 28: interleave gap size
  writeBoth16(into, at + 28, 1); // BP 29–32: volume sequence number
  into[at + 32] = fields.identifier.length; // BP 33: length of file identifier
  // TypedArray#set, not Buffer#copy: thousands of small copies, and copy is far slower cold.
  into.set(fields.identifier, at + 33); // BP 34…: file identifier (+ the zero padding byte)
  return at + base; // system use (Rock Ridge lives here)
}

export interface ParsedDirectoryRecord {
  length: number;
  location: number;
  dataLength: number;
  recorded: Date;
  flags: number;
  identifier: Buffer;
  systemUse: Buffer;
}

/** Parses the record at `offset`; the caller guarantees `buf[offset]` (its length) is non-zero. */
export function parseDirectoryRecord(buf: Buffer, offset: number, where: string): ParsedDirectoryRecord {
  const length = buf[offset]!;
  if (length < RECORD_BASE + 1 || offset + length > buf.length)
    throw invalidImage(`${where}: directory record of ${length} bytes does not fit its directory.`);
  const idLength = buf[offset + 32]!;
  const base = recordBaseLength(idLength);
  if (idLength === 0 || RECORD_BASE + idLength > length)
    throw invalidImage(`${where}: directory record has a file identifier of ${idLength} bytes.`);
  return {
    length,
    location: readBoth32(buf, offset + 2),
    dataLength: readBoth32(buf, offset + 10),
    recorded: readRecordingDate(buf, offset + 18),
    flags: buf[offset + 25]!,
    identifier: buf.subarray(offset + 33, offset + 33 + idLength),
    systemUse: buf.subarray(offset + Math.min(base, length), offset + length),
  };
}

/**
 * 9.1.5: seven bytes — years since 1900, month, day, hour, minute, second, offset from GMT in
 * 15-minute intervals (signed). We always write GMT (offset 0) so builds are zone-independent.
 */
export function writeRecordingDate(buf: Buffer, offset: number, date: Date): void {
  buf[offset] = date.getUTCFullYear() - 1900;
  buf[offset + 1] = date.getUTCMonth() + 1;
  buf[offset + 2] = date.getUTCDate();
  buf[offset + 3] = date.getUTCHours();
  buf[offset + 4] = date.getUTCMinutes();
  buf[offset + 5] = date.getUTCSeconds();
  buf[offset + 6] = 0;
}

/** Reads a 9.1.5 date; nonsense fields give a still-valid Date (never "Invalid Date"). */
export function readRecordingDate(buf: Buffer, offset: number): Date {
  const zone = gmtOffset(buf.readInt8(offset + 6));
  const ms =
    Date.UTC(
      1900 + buf[offset]!,
      buf[offset + 1]! - 1,
      buf[offset + 2]!,
      buf[offset + 3]!,
      buf[offset + 4]!,
      buf[offset + 5]!,
    ) -
    zone * 15 * 60_000;
  return new Date(Number.isFinite(ms) ? ms : 0);
}

/**
 * 9.1.5.7 allows offsets of −48 to +52 quarter hours. genisoimage writes nonsense ones for dates
 * past 2038 (160 = −40 h for a 2100 date); like Linux (fs/isofs/util.c) we ignore any outside the
 * range instead of shifting the time by days.
 */
export function gmtOffset(quarterHours: number): number {
  return quarterHours >= -52 && quarterHours <= 52 ? quarterHours : 0;
}

/** Years a 9.1.5 date can hold. */
export const RECORDING_YEARS = { min: 1900, max: 2155 };
