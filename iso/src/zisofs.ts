// zisofs: files compressed block by block with zlib, marked by a Rock Ridge ZF entry (xorriso
// -zisofs / --zisofs, mkzftree then mkisofs -z). The file's data starts with a 16-byte header
// (magic 37 E4 53 96 C9 DB D6 07, uncompressed size LE32, header size / 4, log2 block size, 2
// reserved) followed by nblocks + 1 little-endian 32-bit pointers; block i is the zlib stream
// between pointers i and i + 1, or zeros when they are equal. We decompress on read.
import { inflateSync } from 'node:zlib';
import { badInput, invalidImage } from './errors.js';

const MAGIC = Buffer.from([0x37, 0xe4, 0x53, 0x96, 0xc9, 0xdb, 0xd6, 0x07]);

export interface ZisofsInfo {
  algorithm: string;
  headerSize: number;
  blockLog2: number;
  size: number;
}

/** Checks what the ZF entry says before the entry is listed: only zisofs v1 ("pz") is readable. */
export function checkZisofs(z: ZisofsInfo, path: string): void {
  if (z.algorithm !== 'pz')
    throw badInput(
      `"${path}" is compressed with "${z.algorithm}", which this reader cannot decompress; extract it with xorriso -osirrox on.`,
    );
  if (z.blockLog2 < 15 || z.blockLog2 > 17 || z.headerSize < 16)
    throw invalidImage(
      `"${path}": its zisofs entry names a block size of 2^${z.blockLog2} or a header of ${z.headerSize} bytes (zisofs uses 2^15 to 2^17 and 16).`,
    );
}

/**
 * Yields the uncompressed bytes, one block at a time. `read(offset, length)` reads the stored
 * (compressed) data; every pointer is checked against `stored` before use.
 */
export async function* inflateZisofs(
  z: ZisofsInfo,
  stored: number,
  read: (offset: number, length: number) => Promise<Buffer>,
  path: string,
): AsyncGenerator<Buffer> {
  if (z.size === 0) return;
  const bad = (what: string) => invalidImage(`"${path}": zisofs data is corrupt (${what}).`);
  if (stored < z.headerSize) throw bad('shorter than its header');
  const header = await read(0, 16);
  if (!header.subarray(0, 8).equals(MAGIC)) throw bad('no zisofs magic number');
  if (header.readUInt32LE(8) !== z.size) throw bad('its header and its ZF entry disagree on the size');
  const blockSize = 2 ** z.blockLog2;
  const blocks = Math.ceil(z.size / blockSize);
  if (z.headerSize + (blocks + 1) * 4 > stored) throw bad('its block pointers run past its data');
  const table = await read(z.headerSize, (blocks + 1) * 4);
  for (let i = 0; i < blocks; i++) {
    const from = table.readUInt32LE(i * 4);
    const to = table.readUInt32LE(i * 4 + 4);
    const want = Math.min(blockSize, z.size - i * blockSize);
    if (to < from || to > stored || to - from > blockSize * 2 + 64) throw bad(`block ${i} pointers`);
    if (from === to) {
      yield Buffer.alloc(want);
      continue;
    }
    let out: Buffer;
    try {
      out = inflateSync(await read(from, to - from), { maxOutputLength: blockSize });
    } catch (error) {
      throw bad(`block ${i}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (out.length !== want) throw bad(`block ${i} gives ${out.length} bytes, not ${want}`);
    yield out;
  }
}
