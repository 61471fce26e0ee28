// Our images read by the real tools (isoinfo, xorriso, bsdtar, 7z, fuseiso), and images made by
// xorriso and genisoimage read by our reader.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIsoImage, openIsoImage } from '../src/index.js';
import {
  asIsoEntries,
  FIXTURE_DATE,
  type FixtureEntry,
  fixtureTree,
  LONG_NAME,
  sha256,
  writeFixtureToDisk,
} from './fixture-tree.js';

let work: string;
let iso: string;
let tree: FixtureEntry[];
const files = () => tree.filter((e) => e.type === 'file');

const run = (cmd: string, args: string[], cwd?: string) =>
  execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });

beforeAll(async () => {
  // installs xorriso, genisoimage (isoinfo), libarchive-tools, p7zip-full, fuseiso when missing
  execFileSync(process.execPath, [new URL('../../scripts/system-packages.mjs', import.meta.url).pathname], {
    stdio: 'inherit',
  });
  work = await mkdtemp(join(tmpdir(), 'iso-interop-'));
  tree = fixtureTree();
  iso = join(work, 'ours.iso');
  await writeFile(iso, await buildIsoImage(asIsoEntries(tree), { volumeId: 'HDS_TEST', date: FIXTURE_DATE }));
  await writeFixtureToDisk(tree, join(work, 'tree'));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** Compares an extracted folder with the fixture: names, bytes, and optionally modes and mtimes. */
async function expectExtracted(dir: string, opts: { modes: boolean }): Promise<void> {
  for (const e of tree) {
    const path = join(dir, e.path);
    const st = await stat(path);
    expect(st.isDirectory(), e.path).toBe(e.type === 'dir');
    if (e.content) expect(sha256(await readFile(path)), e.path).toBe(sha256(e.content));
    if (opts.modes) {
      expect((st.mode & 0o7777).toString(8), e.path).toBe(e.mode.toString(8));
      expect(Math.floor(st.mtimeMs / 1000), e.path).toBe(e.mtime.getTime() / 1000);
    }
  }
}

describe('our image in the real tools', () => {
  it('isoinfo -d shows our volume id, Rock Ridge and Joliet', () => {
    const out = run('isoinfo', ['-d', '-i', iso]);
    expect(out).toMatch(/Volume id: HDS_TEST/);
    expect(out).toMatch(/Rock Ridge signatures version 1 found/);
    expect(out).toMatch(/Joliet with UCS level 3 found/);
    expect(out).toMatch(/Logical block size is: 2048/);
  });

  it('isoinfo -R -l shows the modes (0400 secret, 0500 folder)', () => {
    const out = run('isoinfo', ['-R', '-l', '-i', iso]);
    expect(out).toMatch(/^-r-------- .* secret\.key\s*$/m);
    expect(out).toMatch(/^-rwxr-xr-x .* run\.sh\s*$/m);
    expect(out).toMatch(/^-rw-r--r-- .* manifest\.json\s*$/m);
    expect(out).toMatch(/^dr-x------ .* hds\s*$/m);
    expect(out).toMatch(/^dr-xr-xr-x .* docs\s*$/m);
    expect(out).toContain(LONG_NAME);
  });

  it('isoinfo -J -f lists the Joliet names', () => {
    const out = run('isoinfo', ['-J', '-f', '-i', iso]).split('\n');
    expect(out).toContain('/hds/manifest.json');
    expect(out).toContain('/docs/Readme.TXT'); // (isoinfo prints only Latin-1; 7z checks the Unicode names)
    expect(out).toContain('/d1/d2/d3/d4/d5/d6/d7/d8/d9/deepest.txt');
    const long = out.find((l) => l.startsWith('/hds/configuration-'))!;
    expect(long.length - '/hds/'.length).toBe(64);
  });

  it('xorriso -find lists every path and -osirrox extract gives back the files, modes and times', async () => {
    const found = run('xorriso', ['-indev', iso, '-find', '/'])
      .split('\n')
      .filter((l) => l.startsWith("'"));
    const paths = found.map((l) => l.slice(2, -1)).filter((p) => p !== '');
    expect(paths.sort()).toEqual(tree.map((e) => e.path).sort());
    const out = join(work, 'xorriso');
    run('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', '/', out]);
    await expectExtracted(out, { modes: true });
  });

  it('bsdtar -xf gives back the files, modes and times', async () => {
    const out = join(work, 'bsdtar');
    await mkdir(out);
    run('bsdtar', ['-xf', iso, '-C', out]);
    await expectExtracted(out, { modes: true });
  });

  it('bsdtar lists a folder whose Rock Ridge name is in a continuation area by that name only', async () => {
    // A 200-byte folder name does not fit its directory record: NM goes to a continuation area.
    // libarchive reads the image in order, so the area must come before the folder's own extent.
    const folder = `${'long-folder-'.repeat(16)}end`;
    const small = join(work, 'long-folder.iso');
    await writeFile(
      small,
      await buildIsoImage(
        [
          { type: 'dir', path: folder, mode: 0o755, mtime: FIXTURE_DATE },
          { type: 'dir', path: `${folder}/inner`, mode: 0o755, mtime: FIXTURE_DATE },
          {
            type: 'file',
            path: `${folder}/inner/f.txt`,
            mode: 0o644,
            mtime: FIXTURE_DATE,
            content: Buffer.from('f'),
          },
        ],
        { volumeId: 'LONG', date: FIXTURE_DATE },
      ),
    );
    const listed = run('bsdtar', ['-tf', small])
      .split('\n')
      .filter((l) => l && l !== '.');
    expect(listed.sort()).toEqual([folder, `${folder}/inner`, `${folder}/inner/f.txt`].sort());
    const out = join(work, 'bsdtar-long-folder');
    await mkdir(out);
    run('bsdtar', ['-xf', small, '-C', out]);
    expect(await readdir(out)).toEqual([folder]);
    expect(await readFile(join(out, folder, 'inner', 'f.txt'), 'utf8')).toBe('f');
  });

  it('7z x gives back the bytes under Joliet names (long names shortened to 64)', async () => {
    const out = join(work, '7z');
    run('7z', ['x', `-o${out}`, iso]);
    const extracted = new Map<string, string>();
    const walk = async (dir: string, prefix: string): Promise<void> => {
      for (const d of await readdir(dir, { withFileTypes: true })) {
        const p = prefix ? `${prefix}/${d.name}` : d.name;
        if (d.isDirectory()) await walk(join(dir, d.name), p);
        else extracted.set(p, sha256(await readFile(join(dir, d.name))));
      }
    };
    await walk(out, '');
    expect(extracted.size).toBe(files().length);
    expect([...extracted.values()].sort()).toEqual(
      files()
        .map((f) => sha256(f.content!))
        .sort(),
    );
    for (const f of files()) {
      if (f.path === 'docs/readme.txt') continue; // Joliet names are unique ignoring case: Readme.TXT keeps it
      if (f.path.includes(LONG_NAME)) {
        const shortened = [...extracted.keys()].find((k) => k.startsWith('hds/configuration-'))!;
        expect(shortened.length - 'hds/'.length).toBe(64);
        expect(shortened.endsWith('.json')).toBe(true);
      } else expect(extracted.get(f.path), f.path).toBe(sha256(f.content!));
    }
  });

  it('fuseiso mounts it (the kernel here has no iso9660 driver) and shows the same tree', async () => {
    const mnt = join(work, 'mnt');
    await mkdir(mnt);
    run('fuseiso', [iso, mnt]);
    try {
      await expectExtracted(mnt, { modes: false });
      for (const e of tree) {
        const st = await stat(join(mnt, e.path));
        expect((st.mode & 0o7777).toString(8), e.path).toBe(e.mode.toString(8));
      }
    } finally {
      spawnSync('fusermount', ['-u', mnt]);
    }
  });
});

describe('images of the other tools in our reader', () => {
  for (const [tool, args] of [
    ['xorriso -as mkisofs', ['xorriso', '-as', 'mkisofs', '-R', '-J', '-V', 'XORRISO']],
    ['genisoimage', ['genisoimage', '-R', '-J', '-V', 'GENISO']],
  ] as const) {
    it(`reads ${tool} -R -J and returns the identical tree`, async () => {
      const out = join(work, `${args[0]}.iso`);
      run(args[0], [...args.slice(1), '-o', out, join(work, 'tree')]);
      expect(existsSync(out)).toBe(true);
      const image = await openIsoImage({ path: out });
      expect(image.namesFrom).toBe('rockridge');
      expect(image.volumeId).toBe(args[args.length - 1]);
      expect(image.list().map((e) => e.path)).toEqual(tree.map((e) => e.path).sort());
      for (const e of tree) {
        expect(image.stat(e.path), e.path).toMatchObject({ type: e.type, mode: e.mode, mtime: e.mtime });
        if (e.content) expect(sha256(await image.readFile(e.path)), e.path).toBe(sha256(e.content));
      }
      await image.close();
    });
  }

  it('reads Joliet-only and plain images of genisoimage, choosing Joliet over plain names', async () => {
    const joliet = join(work, 'joliet.iso');
    const plain = join(work, 'plain.iso');
    run('genisoimage', ['-J', '-o', joliet, join(work, 'tree', 'hds')]);
    run('genisoimage', ['-o', plain, join(work, 'tree', 'hds')]);
    const j = await openIsoImage({ path: joliet });
    expect(j.namesFrom).toBe('joliet');
    expect(j.stat('manifest.json')?.size).toBe(17);
    expect((await j.readFile('secret.key')).toString()).toBe('not really a secret\n');
    await j.close();
    const p = await openIsoImage({ path: plain });
    expect(p.namesFrom).toBe('plain');
    expect((await p.readFile('MANIFEST.JSO')).toString()).toBe('{"generation":1}\n');
    await p.close();
  });
});
