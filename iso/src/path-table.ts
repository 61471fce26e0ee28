// ECMA-119 9.4 path table records and 6.9.1 their order. One serializer for both the type L
// (little-endian, 7.3.1/7.2.1) and type M (big-endian, 7.3.2/7.2.2) tables.

export interface PathTableDirectory {
  /** Directory identifier (9.4.5); the root's is the single byte 0x00. */
  identifier: Buffer;
  location: number;
  /** 1-based number of the parent in this same table (the root is its own parent, 1). */
  parentNumber: number;
}

/** Bytes one path table takes: 8 + identifier + a padding byte when the identifier length is odd (9.4.6). */
export function pathTableSize(directories: PathTableDirectory[]): number {
  let size = 0;
  for (const d of directories) size += 8 + d.identifier.length + (d.identifier.length % 2);
  return size;
}

/**
 * `directories` must already be in 6.9.1 order: by level, then parent number, then identifier
 * (the writer's breadth-first walk over sorted children produces exactly that).
 */
export function serializePathTable(directories: PathTableDirectory[], endianness: 'L' | 'M'): Buffer {
  const table = Buffer.alloc(pathTableSize(directories));
  let at = 0;
  for (const d of directories) {
    table[at] = d.identifier.length; // BP 1: length of directory identifier
    table[at + 1] = 0; // BP 2: extended attribute record length
    if (endianness === 'L') {
      table.writeUInt32LE(d.location, at + 2); // BP 3–6: location of extent
      table.writeUInt16LE(d.parentNumber, at + 6); // BP 7–8: parent directory number
    } else {
      table.writeUInt32BE(d.location, at + 2);
      table.writeUInt16BE(d.parentNumber, at + 6);
    }
    d.identifier.copy(table, at + 8); // BP 9…: directory identifier (+ padding byte)
    at += 8 + d.identifier.length + (d.identifier.length % 2);
  }
  return table;
}
