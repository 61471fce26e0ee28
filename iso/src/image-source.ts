// Where the reader gets bytes from: memory, or a file read with positional reads (never whole).
import { open } from 'node:fs/promises';
import { badInput, invalidImage } from './errors.js';

export interface ImageSource {
  readonly size: number;
  /** Reads exactly `length` bytes at `offset`; a range outside the image is ISO_INVALID naming `what`. */
  read(offset: number, length: number, what: string): Promise<Buffer>;
  close(): Promise<void>;
}

function checkRange(size: number, offset: number, length: number, what: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0)
    throw invalidImage(`${what} has an impossible position.`);
  if (offset + length > size)
    throw invalidImage(
      `${what} (bytes ${offset}–${offset + length}) lies past the end of the ${size}-byte image: the image is truncated or corrupt.`,
    );
}

export function memorySource(bytes: Uint8Array): ImageSource {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    size: buf.length,
    async read(offset, length, what) {
      checkRange(buf.length, offset, length, what);
      return buf.subarray(offset, offset + length);
    },
    async close() {},
  };
}

export async function fileSource(path: string): Promise<ImageSource> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw badInput(`cannot open "${path}" (${code}).`);
  }
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close();
    throw badInput(`"${path}" is not a regular file.`);
  }
  let closed = false;
  return {
    size: stat.size,
    async read(offset, length, what) {
      if (closed) throw badInput('the image is closed.');
      checkRange(stat.size, offset, length, what);
      const buf = Buffer.allocUnsafe(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(buf, filled, length - filled, offset + filled);
        if (bytesRead === 0)
          throw invalidImage(`${what}: the image file ended early (was it truncated while open?).`);
        filled += bytesRead;
      }
      return buf;
    },
    async close() {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}
