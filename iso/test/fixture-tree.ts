// The tree the interop tests build: nested folders (deeper than ECMA-119's 8 levels), long and
// Unicode names, an empty file, a multi-megabyte random file, modes 0400/0644/0755/0500/0555.
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IsoTreeEntry } from '../src/index.js';

export interface FixtureEntry {
  path: string;
  type: 'file' | 'dir';
  mode: number;
  mtime: Date;
  content?: Buffer;
}

export const LONG_NAME = `${'configuration-'.repeat(12)}with-a-name-longer-than-joliet-allows.json`; // 210 bytes
export const FIXTURE_DATE = new Date('2024-03-04T05:06:07Z');

export function fixtureTree(): FixtureEntry[] {
  const t = (s: number) => new Date(FIXTURE_DATE.getTime() - s * 1000);
  const deep = 'd1/d2/d3/d4/d5/d6/d7/d8/d9';
  return [
    { path: 'hds', type: 'dir', mode: 0o500, mtime: t(10) },
    {
      path: 'hds/manifest.json',
      type: 'file',
      mode: 0o644,
      mtime: t(20),
      content: Buffer.from('{"generation":1}\n'),
    },
    {
      path: 'hds/secret.key',
      type: 'file',
      mode: 0o400,
      mtime: t(30),
      content: Buffer.from('not really a secret\n'),
    },
    {
      path: 'hds/run.sh',
      type: 'file',
      mode: 0o755,
      mtime: t(40),
      content: Buffer.from('#!/bin/sh\necho hi\n'),
    },
    { path: 'hds/empty', type: 'file', mode: 0o644, mtime: t(50), content: Buffer.alloc(0) },
    {
      path: `hds/${LONG_NAME}`,
      type: 'file',
      mode: 0o644,
      mtime: t(60),
      content: Buffer.from('long name\n'),
    },
    { path: 'docs', type: 'dir', mode: 0o555, mtime: t(70) },
    {
      path: 'docs/Ünïcödé ☃ файл.txt',
      type: 'file',
      mode: 0o644,
      mtime: t(80),
      content: Buffer.from('unicode\n'),
    },
    { path: 'docs/Readme.TXT', type: 'file', mode: 0o644, mtime: t(90), content: Buffer.from('readme\n') },
    {
      path: 'docs/readme.txt',
      type: 'file',
      mode: 0o644,
      mtime: t(100),
      content: Buffer.from('lower readme\n'),
    },
    {
      path: 'random.bin',
      type: 'file',
      mode: 0o644,
      mtime: t(110),
      content: randomBytes(5 * 1024 * 1024 + 123),
    },
    ...deep.split('/').map((_, i, all) => ({
      path: all.slice(0, i + 1).join('/'),
      type: 'dir' as const,
      mode: 0o755,
      mtime: t(200 + i),
    })),
    { path: `${deep}/deepest.txt`, type: 'file', mode: 0o644, mtime: t(300), content: Buffer.from('deep\n') },
  ];
}

export function asIsoEntries(tree: FixtureEntry[]): IsoTreeEntry[] {
  return tree.map((e) =>
    e.type === 'dir'
      ? { type: 'dir', path: e.path, mode: e.mode, mtime: e.mtime }
      : { type: 'file', path: e.path, mode: e.mode, mtime: e.mtime, content: e.content! },
  );
}

/** Writes the tree to disk (for the other tools), modes and times included. */
export async function writeFixtureToDisk(tree: FixtureEntry[], root: string): Promise<void> {
  for (const e of tree) {
    const path = join(root, e.path);
    if (e.type === 'dir') await mkdir(path, { recursive: true, mode: 0o700 });
    else await writeFile(path, e.content!);
  }
  for (const e of [...tree].reverse()) {
    await chmod(join(root, e.path), e.mode);
    await utimes(join(root, e.path), e.mtime, e.mtime);
  }
}

export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}
