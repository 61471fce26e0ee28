// ECMA-119 7.2 / 7.3: 16- and 32-bit numbers recorded little-endian (7.2.1, 7.3.1), big-endian
// (7.2.2, 7.3.2) or both-byte orders (7.2.3, 7.3.3: LE first, then BE).

export const SECTOR = 2048;

// Byte by byte rather than writeUInt32LE/BE: thousands of records per image, and plain stores stay
// fast before the JIT has warmed up (a CLI run is over by then). Callers keep values in range.
export function writeBoth16(buf: Buffer, offset: number, value: number): void {
  buf[offset] = buf[offset + 3] = value & 0xff;
  buf[offset + 1] = buf[offset + 2] = (value >>> 8) & 0xff;
}

export function writeBoth32(buf: Buffer, offset: number, value: number): void {
  buf[offset] = buf[offset + 7] = value & 0xff;
  buf[offset + 1] = buf[offset + 6] = (value >>> 8) & 0xff;
  buf[offset + 2] = buf[offset + 5] = (value >>> 16) & 0xff;
  buf[offset + 3] = buf[offset + 4] = value >>> 24;
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
