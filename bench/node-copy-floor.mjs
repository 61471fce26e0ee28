// What a plain Node program pays to copy the bytes: the files of a tree (in path order) copied into
// one output file with a reused 256 KiB buffer — one read into it and one write out of it per chunk,
// no ISO work. Node has no copy_file_range into an offset of an open file, so it copies twice where
// `cat` copies once. Used by bench/iso.bench.ts; usage: node node-copy-floor.mjs <dir> <output>.
import { closeSync, lstatSync, openSync, readdirSync, readSync, writeSync } from 'node:fs';

const buffer = Buffer.allocUnsafe(256 * 1024);
const output = openSync(process.argv[3], 'w');

function copyTree(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = `${dir}/${name}`;
    if (lstatSync(path).isDirectory()) {
      copyTree(path);
      continue;
    }
    const input = openSync(path, 'r');
    for (;;) {
      const n = readSync(input, buffer, 0, buffer.length, null);
      if (n === 0) break;
      for (let done = 0; done < n; ) done += writeSync(output, buffer, done, n - done);
    }
    closeSync(input);
  }
}

copyTree(process.argv[2]);
closeSync(output);
