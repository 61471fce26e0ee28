// ECMA-119 8: volume descriptors at sector 16 onwards — 8.4 primary, 8.5 supplementary (used for
// Joliet), 8.3 set terminator — and the 8.4.26.1 seventeen-byte volume date.
import { invalidImage } from './errors.js';
import { readBoth16, readBoth32, SECTOR, writeBoth16, writeBoth32 } from './numerical-values.js';

export const TYPE_PRIMARY = 1;
export const TYPE_SUPPLEMENTARY = 2;
export const TYPE_TERMINATOR = 255;
export const STANDARD_ID = 'CD001';
/** Sector of the first volume descriptor (ECMA-119 6.2.1: the system area is sectors 0–15). */
export const FIRST_DESCRIPTOR_SECTOR = 16;
/** Joliet: escape sequence "%/E" in BP 89–91 of the SVD means UCS-2 level 3. */
export const JOLIET_ESCAPES = ['%/@', '%/C', '%/E'];

export interface VolumeDescriptorFields {
  type: typeof TYPE_PRIMARY | typeof TYPE_SUPPLEMENTARY;
  /** Encodes a text field to exactly `width` bytes (space-padded; UCS-2 for Joliet). */
  text: (value: string, width: number) => Buffer;
  systemId: string;
  volumeId: string;
  volumeSetId: string;
  publisher: string;
  preparer: string;
  applicationId: string;
  volumeSpaceSize: number;
  escapeSequences?: string;
  pathTableSize: number;
  lPathTable: number;
  mPathTable: number;
  rootRecord: Buffer;
  date: Date;
}

export function serializeVolumeDescriptor(f: VolumeDescriptorFields): Buffer {
  const d = Buffer.alloc(SECTOR);
  d[0] = f.type; // BP 1: volume descriptor type
  d.write(STANDARD_ID, 1, 'latin1'); // BP 2–6: standard identifier
  d[6] = 1; // BP 7: volume descriptor version
  f.text(f.systemId, 32).copy(d, 8); // BP 9–40: system identifier
  f.text(f.volumeId, 32).copy(d, 40); // BP 41–72: volume identifier
  writeBoth32(d, 80, f.volumeSpaceSize); // BP 81–88: volume space size
  if (f.escapeSequences) d.write(f.escapeSequences, 88, 'latin1'); // BP 89–120 (SVD 8.5.6)
  writeBoth16(d, 120, 1); // BP 121–124: volume set size
  writeBoth16(d, 124, 1); // BP 125–128: volume sequence number
  writeBoth16(d, 128, SECTOR); // BP 129–132: logical block size
  writeBoth32(d, 132, f.pathTableSize); // BP 133–140: path table size
  d.writeUInt32LE(f.lPathTable, 140); // BP 141–144: type L path table
  d.writeUInt32BE(f.mPathTable, 148); // BP 149–152: type M path table (145–148, 153–156 optional: 0)
  f.rootRecord.copy(d, 156); // BP 157–190: root directory record (34 bytes)
  f.text(f.volumeSetId, 128).copy(d, 190); // BP 191–318
  f.text(f.publisher, 128).copy(d, 318); // BP 319–446
  f.text(f.preparer, 128).copy(d, 446); // BP 447–574
  f.text(f.applicationId, 128).copy(d, 574); // BP 575–702
  f.text('', 37).copy(d, 702); // BP 703–739 copyright file identifier
  f.text('', 37).copy(d, 739); // BP 740–776 abstract file identifier
  f.text('', 37).copy(d, 776); // BP 777–813 bibliographic file identifier
  writeVolumeDate(d, 813, f.date); // BP 814–830: creation
  writeVolumeDate(d, 830, f.date); // BP 831–847: modification
  writeVolumeDate(d, 847, undefined); // BP 848–864: expiration (not specified)
  writeVolumeDate(d, 864, undefined); // BP 865–881: effective (not specified)
  d[881] = 1; // BP 882: file structure version
  return d;
}

export function serializeTerminator(): Buffer {
  const d = Buffer.alloc(SECTOR);
  d[0] = TYPE_TERMINATOR;
  d.write(STANDARD_ID, 1, 'latin1');
  d[6] = 1;
  return d;
}

/** 8.4.26.1: "YYYYMMDDHHMMSScc" in digits + GMT offset byte; all "0" and 0 when not specified. */
function writeVolumeDate(buf: Buffer, offset: number, date: Date | undefined): void {
  if (!date) {
    buf.write('0000000000000000', offset, 'latin1');
    buf[offset + 16] = 0;
    return;
  }
  const p = (n: number, w: number) => String(n).padStart(w, '0');
  const text =
    p(date.getUTCFullYear(), 4) +
    p(date.getUTCMonth() + 1, 2) +
    p(date.getUTCDate(), 2) +
    p(date.getUTCHours(), 2) +
    p(date.getUTCMinutes(), 2) +
    p(date.getUTCSeconds(), 2) +
    p(Math.floor(date.getUTCMilliseconds() / 10), 2);
  buf.write(text, offset, 'latin1');
  buf[offset + 16] = 0;
}

export interface ParsedVolumeDescriptor {
  type: number;
  volumeId: Buffer;
  volumeSpaceSize: number;
  escapeSequences: string;
  logicalBlockSize: number;
  rootRecord: Buffer;
}

/** Parses the fields the reader needs from one 2048-byte descriptor sector. */
export function parseVolumeDescriptor(d: Buffer, sector: number): ParsedVolumeDescriptor {
  if (d.toString('latin1', 1, 6) !== STANDARD_ID)
    throw invalidImage(
      `sector ${sector} is not an ISO 9660 volume descriptor (no "CD001" standard identifier): not an ISO 9660 image.`,
    );
  return {
    type: d[0]!,
    volumeId: d.subarray(40, 72),
    volumeSpaceSize: readBoth32(d, 80),
    escapeSequences: d.toString('latin1', 88, 120),
    logicalBlockSize: readBoth16(d, 128),
    rootRecord: d.subarray(156, 190),
  };
}
