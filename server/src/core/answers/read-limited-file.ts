import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Reads a file the admin named, never more than `maxBytes`, whatever it turns out to be: a regular
 * file, a pipe (`--answers <(…)`), or a device such as /dev/zero that a size check from stat()
 * cannot bound (it reports 0 and never ends). Throws a plain Error (`larger than …`, or the
 * system's reason); callers wrap it in their own error code.
 */
export function readLimitedFile(path: string, maxBytes: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // One byte past the limit tells "exactly at the limit" from "too large".
      const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, maxBytes + 1 - total));
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
      if (total > maxBytes) throw new Error(`larger than ${describeSize(maxBytes)}`);
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

function describeSize(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes} bytes`;
}
