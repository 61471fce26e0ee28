import { execFileSync, spawnSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
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
import { runCli } from '../../../../scripts/test-env/run-cli.js';

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
    const badId = await cli(
      'iso',
      'create',
      join(work, 'tree'),
      '-o',
      join(work, 'v.iso'),
      '-V',
      'lower',
      '--json',
    );
    // A malformed option value is a usage error (exit 2), still one JSON object with --json.
    expect(badId.code).toBe(2);
    expect(json(badId.stdout).errors?.[0]).toMatchObject({ code: 'INVALID_INPUT', message: /d-characters/ });
    await expect(lstat(join(work, 'v.iso'))).rejects.toThrow();
    const badDate = await cli(
      'iso',
      'create',
      join(work, 'tree'),
      '-o',
      join(work, 'v.iso'),
      '--date',
      'soon',
      '--json',
    );
    expect(badDate.code).toBe(2);
    expect(json(badDate.stdout).errors?.[0]).toMatchObject({
      code: 'INVALID_INPUT',
      message: /--date "soon"/,
    });

    const withLink = join(work, 'with-link');
    await mkdir(withLink);
    await symlink('/etc/passwd', join(withLink, 'link'));
    const link = await cli('iso', 'create', withLink, '-o', join(work, 'l.iso'), '--json');
    expect(json(link.stdout).errors?.[0]).toMatchObject({ code: 'ISO_BAD_INPUT', message: /symbolic link/ });

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
});
