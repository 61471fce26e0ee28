import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmod,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIsoImage } from '../../../../iso/src/index.js';
import {
  asIsoEntries,
  type FixtureEntry,
  fixtureTree,
  sha256,
  writeFixtureToDisk,
} from '../../../../iso/test/fixture-tree.js';
import { runBuiltCliAs, runCli } from '../../../../scripts/test-env/run-cli.js';

const ROOT = new URL('../../../..', import.meta.url).pathname;
let work: string;
let tree: FixtureEntry[];

const cli = (...args: string[]) => runCli(...args);

const json = (s: string) =>
  JSON.parse(s) as Record<string, unknown> & { errors?: { code: string; message: string }[] };

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iso-cli-'));
  tree = fixtureTree();
  await writeFixtureToDisk(tree, join(work, 'tree'));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('hds-setup iso', () => {
  it('create → list → extract gives back the tree with modes and times; same date → identical bytes', async () => {
    const a = join(work, 'a.iso');
    const b = join(work, 'b.iso');
    const date = '2024-05-06T07:08:09Z';
    const created = await cli(
      'iso',
      'create',
      join(work, 'tree'),
      '-o',
      a,
      '-V',
      'HDS_CLI',
      '--date',
      date,
      '--json',
    );
    expect(created.code, created.stdout + created.stderr).toBe(0);
    expect(json(created.stdout)).toMatchObject({ ok: true, volumeId: 'HDS_CLI', files: 10 });
    expect(
      (await cli('iso', 'create', join(work, 'tree'), '-o', b, '-V', 'HDS_CLI', '--date', date)).code,
    ).toBe(0);
    expect(sha256(await readFile(a))).toBe(sha256(await readFile(b)));

    const listed = await cli('iso', 'list', a, '--json');
    expect(listed.code).toBe(0);
    const entries = json(listed.stdout).entries as { path: string; mode: string; size: number }[];
    expect(entries.find((e) => e.path === 'hds/secret.key')).toMatchObject({ mode: '0400', size: 20 });
    expect(entries.find((e) => e.path === 'hds')).toMatchObject({ mode: '0500' });
    const human = await cli('iso', 'list', a);
    expect(human.stdout).toMatch(/^-r-------- +20 {2}\S+ {2}hds\/secret\.key$/m);

    const out = join(work, 'extracted');
    const extracted = await cli('iso', 'extract', a, out);
    expect(extracted.code, extracted.stderr).toBe(0);
    for (const e of tree) {
      const st = await stat(join(out, e.path));
      expect((st.mode & 0o7777).toString(8), e.path).toBe(e.mode.toString(8));
      expect(st.mtime.getTime(), e.path).toBe(e.mtime.getTime());
      if (e.content) expect(sha256(await readFile(join(out, e.path)))).toBe(sha256(e.content));
    }
  });

  it('refuses to overwrite without --force, writes atomically with it', async () => {
    const target = join(work, 'exists.iso');
    await writeFile(target, 'old');
    const refused = await cli('iso', 'create', join(work, 'tree'), '-o', target, '--json');
    expect(refused.code).toBe(1);
    expect(json(refused.stdout).errors?.[0]?.code).toBe('ISO_OUTPUT_EXISTS');
    expect(await readFile(target, 'utf8')).toBe('old');
    expect((await cli('iso', 'create', join(work, 'tree'), '-o', target, '--force')).code).toBe(0);
    expect((await stat(target)).size).toBeGreaterThan(5_000_000);
  });

  it('refuses bad input with stable codes and no partial output', async () => {
    /** `iso create <tree> -o v.iso <options…> --json`: only the options under test differ. */
    const createVIso = (...options: string[]) =>
      cli('iso', 'create', join(work, 'tree'), '-o', join(work, 'v.iso'), ...options, '--json');
    const badId = await createVIso('-V', 'lower');
    // A malformed option value is a usage error (exit 2), still one JSON object with --json.
    expect(badId.code).toBe(2);
    expect(json(badId.stdout).errors?.[0]).toMatchObject({ code: 'INVALID_INPUT', message: /d-characters/ });
    await expect(lstat(join(work, 'v.iso'))).rejects.toThrow();
    const badDate = await createVIso('--date', 'soon');
    expect(badDate.code).toBe(2);
    expect(json(badDate.stdout).errors?.[0]).toMatchObject({
      code: 'INVALID_INPUT',
      message: /--date "soon"/,
    });
    // Dates JavaScript would roll over or that ISO 9660 cannot record are malformed too, not silently moved.
    for (const [date, why] of [
      ['2024-02-30', /not a calendar date \(02\/2024 has 29 days\)/],
      ['2023-13-01T00:00:00Z', /not a calendar date/],
      ['2024-05-06T24:30:00Z', /not a time of day/],
      ['1850-01-01', /outside 1900–2155/],
    ] as const) {
      const run = await createVIso('--date', date);
      expect(run.code, date).toBe(2);
      expect(json(run.stdout).errors?.[0]).toMatchObject({ code: 'INVALID_INPUT', message: why });
    }
    await expect(lstat(join(work, 'v.iso'))).rejects.toThrow();

    const withLink = join(work, 'with-link');
    await mkdir(withLink);
    await symlink('/etc/passwd', join(withLink, 'link'));
    const link = await cli('iso', 'create', withLink, '-o', join(work, 'l.iso'), '--json');
    expect(json(link.stdout).errors?.[0]).toMatchObject({ code: 'ISO_BAD_INPUT', message: /symbolic link/ });

    const withFifo = join(work, 'with-fifo');
    await mkdir(withFifo);
    execFileSync('mkfifo', [join(withFifo, 'pipe')]);
    const fifo = await cli('iso', 'create', withFifo, '-o', join(work, 'p.iso'), '--json');
    expect(fifo.code).toBe(1);
    expect(json(fifo.stdout).errors?.[0]).toMatchObject({
      code: 'ISO_BAD_INPUT',
      message: expect.stringMatching(/pipe" is a FIFO \(named pipe\), not a file or folder;.*move it out/),
    });
    await expect(lstat(join(work, 'p.iso'))).rejects.toThrow();

    const notIso = await cli('iso', 'list', join(work, 'with-link', 'link'), '--json');
    expect(json(notIso.stdout).errors?.[0]?.code).toBe('ISO_INVALID');
    const missing = await cli('iso', 'list', join(work, 'nope.iso'), '--json');
    expect(missing.code).toBe(1);
    expect(json(missing.stdout).errors?.[0]).toMatchObject({
      code: 'FILE_UNREADABLE',
      message: expect.stringMatching(/nope\.iso": it does not exist\. Check the path/),
    });
  });

  it('extract refuses links, names that escape the folder, and a non-empty folder (ISO_PATH_ESCAPE / ISO_OUTPUT_EXISTS)', async () => {
    // an image with a symbolic link, made by xorriso
    const src = join(work, 'link-src');
    await mkdir(src);
    await writeFile(join(src, 'ok.txt'), 'ok');
    await symlink('/etc/passwd', join(src, 'passwd'));
    const linked = join(work, 'link.iso');
    execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-R', '-o', linked, src], { stdio: 'ignore' });
    const link = await cli('iso', 'extract', linked, join(work, 'x1'), '--json');
    expect(json(link.stdout).errors?.[0]).toMatchObject({
      code: 'ISO_PATH_ESCAPE',
      message: /symbolic link/,
    });
    await expect(lstat(join(work, 'x1', 'ok.txt'))).rejects.toThrow();

    // an image whose Rock Ridge name is ".." (patched after writing)
    const image = await buildIsoImage(
      [{ type: 'file', path: 'zz', mode: 0o644, content: Buffer.from('evil') }],
      {
        volumeId: 'EVIL',
        date: new Date('2024-01-01T00:00:00Z'),
      },
    );
    const nm = image.indexOf(Buffer.from([0x4e, 0x4d, 7, 1, 0, 0x7a, 0x7a])); // NM entry "zz"
    image.write('..', nm + 5, 'latin1');
    await writeFile(join(work, 'evil.iso'), image);
    const evil = await cli('iso', 'extract', join(work, 'evil.iso'), join(work, 'x2'), '--json');
    expect(json(evil.stdout).errors?.[0]?.code).toBe('ISO_PATH_ESCAPE');

    const full = join(work, 'full');
    await mkdir(full);
    await writeFile(join(full, 'keep'), 'x');
    const ours = join(work, 'ours.iso');
    await writeFile(ours, await buildIsoImage(asIsoEntries(tree), { volumeId: 'X', date: new Date() }));
    const busy = await cli('iso', 'extract', ours, full, '--json');
    expect(json(busy.stdout).errors?.[0]?.code).toBe('ISO_OUTPUT_EXISTS');
  });

  it('list and extract a genisoimage/xorriso tree with odd names, a deep tree, 1 000 entries, hard links and old/far dates', async () => {
    const src = join(work, 'odd');
    const deep = join(src, 'a/b/c/d/e/f/g/h/i/j');
    await mkdir(deep, { recursive: true });
    await mkdir(join(src, 'empty'));
    await mkdir(join(src, 'big'));
    const files: Record<string, Buffer> = {
      'a/b/c/d/e/f/g/h/i/j/deep.txt': Buffer.from('deep'),
      'with space': Buffer.from('s'),
      'quo\'te"s': Buffer.from('q'),
      'new\nline': Buffer.from('n'),
      '..dots..': Buffer.from('d'),
      '...': Buffer.from('e'),
      'e\u0301nfd': Buffer.from('nfd'),
      exact2048: Buffer.alloc(2048, 7),
      zero: Buffer.alloc(0),
      old: Buffer.from('old'),
      future: Buffer.from('future'),
      hard1: Buffer.from('hard'),
    };
    for (let i = 0; i < 1000; i++) files[`big/entry_with_a_long_name_${i}.txt`] = Buffer.from(String(i));
    for (const [path, bytes] of Object.entries(files)) await writeFile(join(src, path), bytes);
    await link(join(src, 'hard1'), join(src, 'hard2'));
    files.hard2 = files.hard1!;
    const times: Record<string, Date> = {
      old: new Date('1960-01-02T03:04:05Z'),
      future: new Date('2100-06-07T08:09:10Z'),
    };
    for (const [path, time] of Object.entries(times)) await utimes(join(src, path), time, time);
    await chmod(join(src, 'exact2048'), 0o640);
    for (const [name, args] of [
      ['genisoimage', ['genisoimage', '-quiet', '-R', '-J', '-joliet-long']],
      ['xorriso', ['xorriso', '-as', 'mkisofs', '-quiet', '-R', '-J']],
    ] as const) {
      const iso = join(work, `odd-${name}.iso`);
      execFileSync(args[0], [...args.slice(1), '-o', iso, src], { stdio: 'ignore' });
      const listed = json((await cli('iso', 'list', iso, '--json')).stdout) as unknown as {
        entries: { path: string; type: string; size: number; mode: string; mtime: string }[];
      };
      const ours = listed.entries.filter((e) => e.type === 'file').map((e) => e.path);
      const human = (await cli('iso', 'list', iso)).stdout.split('\n');
      expect(human.filter((l) => l.endsWith('"new\\nline"'))).toHaveLength(1); // one quoted line, not two
      expect(ours.sort(), name).toEqual(Object.keys(files).sort());
      // xorriso's own listing of the image names the same paths (files and folders)
      const theirs = execFileSync('xorriso', ['-indev', iso, '-find', '/', '-name', '*'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      for (const e of listed.entries.slice(0, 30))
        expect(theirs, e.path).toContain(`'/${e.path.replace(/'/g, "'\"'\"'")}'`);
      const out = join(work, `odd-${name}-x`);
      const extracted = await cli('iso', 'extract', iso, out, '--json');
      expect(extracted.code, extracted.stdout).toBe(0);
      for (const [path, bytes] of Object.entries(files))
        expect((await readFile(join(out, path))).equals(bytes), `${name}: ${path}`).toBe(true);
      for (const [path, time] of Object.entries(times))
        expect((await stat(join(out, path))).mtime.toISOString(), path).toBe(time.toISOString());
      expect((await stat(join(out, 'exact2048'))).mode & 0o777).toBe(0o640);
      expect((await stat(join(out, 'empty'))).isDirectory()).toBe(true);
    }
  });

  it('extract decompresses zisofs files and refuses FIFOs and device files before writing anything', async () => {
    const src = join(work, 'zsrc');
    await mkdir(src);
    const seq = Buffer.from(Array.from({ length: 50_000 }, (_, i) => `${i}\n`).join(''));
    await writeFile(join(src, 'seq'), seq);
    const zisofs = join(work, 'z.iso');
    execFileSync(
      'xorriso',
      [
        ...['-no_rc', '-outdev', zisofs, '-map', src, '/'],
        ...['-find', '/', '-type', 'f', '-exec', 'set_filter', '--zisofs', '--', '-commit'],
      ],
      { stdio: 'ignore' },
    );
    const listed = json((await cli('iso', 'list', zisofs, '--json')).stdout) as unknown as {
      entries: { path: string; size: number; compressed?: string }[];
    };
    expect(listed.entries).toMatchObject([{ path: 'seq', size: seq.length, compressed: 'zisofs' }]);
    expect((await cli('iso', 'extract', zisofs, join(work, 'zx'))).code).toBe(0);
    expect((await readFile(join(work, 'zx', 'seq'))).equals(seq)).toBe(true);

    const special = join(work, 'special.iso');
    execFileSync('mkfifo', [join(work, 'a-fifo')]);
    execFileSync(
      'xorriso',
      [
        ...['-no_rc', '-outdev', special, '-map', join(src, 'seq'), '/aaa'],
        ...['-map', join(work, 'a-fifo'), '/fifo', '-map', '/dev/null', '/null', '-commit'],
      ],
      { stdio: 'ignore' },
    );
    const types = json((await cli('iso', 'list', special, '--json')).stdout) as unknown as {
      entries: { path: string; type: string }[];
    };
    expect(types.entries.map((e) => [e.path, e.type])).toEqual([
      ['aaa', 'file'],
      ['fifo', 'fifo'],
      ['null', 'char-device'],
    ]);
    const refused = await cli('iso', 'extract', special, join(work, 'sx'), '--json');
    expect(refused.code).toBe(1);
    expect(json(refused.stdout).errors?.[0]).toMatchObject({
      code: 'ISO_BAD_INPUT',
      message: expect.stringMatching(/"fifo" .*FIFO.*nothing was extracted.*xorriso/),
    });
    await expect(lstat(join(work, 'sx', 'aaa'))).rejects.toThrow();
  });

  it('runs end to end through the built bin/hds-setup.js', async () => {
    const built = join(ROOT, 'dist/server/src/cli/main.js');
    expect((await stat(built)).isFile(), 'run `npm run build` first').toBe(true);
    const iso = join(work, 'bin.iso');
    const create = spawnSync(
      process.execPath,
      [
        'bin/hds-setup.js',
        'iso',
        'create',
        join(work, 'tree'),
        '-o',
        iso,
        '-V',
        'BIN',
        '--date',
        '2024-01-01T00:00:00Z',
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(create.status, create.stderr).toBe(0);
    const list = spawnSync(process.execPath, ['bin/hds-setup.js', 'iso', 'list', iso, '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(list.status, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject({ ok: true, volumeId: 'BIN', namesFrom: 'rockridge' });
    const usage = spawnSync(process.execPath, ['bin/hds-setup.js', 'iso', 'create'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(usage.status).toBe(2);
  });

  // Root reads everything: an unprivileged user (nobody, through runuser) meets the unreadable file.
  it.skipIf(process.getuid?.() !== 0)(
    'a file in the folder this user may not read is FILE_UNREADABLE naming it (exit 1), and nothing is written',
    async () => {
      const shared = await mkdtemp(join(tmpdir(), 'iso-cli-nobody-'));
      try {
        await chmod(shared, 0o777);
        await mkdir(join(shared, 'tree'), { mode: 0o755 });
        await writeFile(join(shared, 'tree', 'readable.txt'), 'ok');
        await writeFile(join(shared, 'tree', 'private.txt'), 'root only');
        await chmod(join(shared, 'tree', 'private.txt'), 0o000);
        const out = join(shared, 'out.iso');
        const run = runBuiltCliAs('nobody', 'iso', 'create', join(shared, 'tree'), '-o', out, '--json');
        expect(run.status, run.stderr).toBe(1);
        expect(JSON.parse(run.stdout).errors[0]).toMatchObject({
          code: 'FILE_UNREADABLE',
          message: expect.stringMatching(/^Cannot read a file to pack ".*private\.txt": permission denied\./),
        });
        await expect(lstat(out)).rejects.toThrow();
      } finally {
        await rm(shared, { recursive: true, force: true });
      }
    },
  );
});
