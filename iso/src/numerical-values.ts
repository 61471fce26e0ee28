// ECMA-119 7.2 / 7.3: 16- and 32-bit numbers recorded little-endian (7.2.1, 7.3.1), big-endian
// (7.2.2, 7.3.2) or both-byte orders (7.2.3, 7.3.3: LE first, then BE).

export const SECTOR = 2048;

export function writeBoth16(buf: Buffer, offset: number, value: number): void {
  buf.writeUInt16LE(value, offset);
  buf.writeUInt16BE(value, offset + 2);
}

export function writeBoth32(buf: Buffer, offset: number, value: number): void {
  buf.writeUInt32LE(value, offset);
  buf.writeUInt32BE(value, offset + 4);
}

/**
 * Reads a both-byte-order 32-bit number. Images in the wild sometimes get one half wrong; the
 * little-endian half is what Linux and libarchive use, so we do too.
 */
export function readBoth32(buf: Buffer, offset: number): number {
  return buf.readUInt32LE(offset);
}

export function readBoth16(buf: Buffer, offset: number): number {
  return buf.readUInt16LE(offset);
}

export function sectorsFor(bytes: number): number {
  return Math.ceil(bytes / SECTOR);
}
