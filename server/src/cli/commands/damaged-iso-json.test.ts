// An acceptance tester's finding: with --json, every error names the input it is about (`field`),
// in the CLI's own terms — inspect's <file.iso> is "iso", verify's <dir-or-iso> is "dirOrIso".
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIsoImage, openIsoImage } from '../../../../iso/src/index.js';
import { runCli } from '../../../../scripts/test-env/run-cli.js';
import { sampleConfigIsoInput } from '../../../../scripts/test-env/sample-config-iso-input.js';
import { buildConfigIso, readConfigIso } from '../../core/configIso/index.js';
import { PATHS } from '../../core/configIso/layout.js';

let dir: string;
let intact: Buffer;
const damaged = new Map<string, string>();

async function filesOf(bytes: Buffer): Promise<Map<string, Buffer>> {
  const image = await openIsoImage(bytes);
  const out = new Map<string, Buffer>();
  for (const e of image.list()) if (e.type === 'file') out.set(e.path, await image.readFile(e.path));
  await image.close();
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hds-damaged-json-'));
  const a = await buildConfigIso(sampleConfigIsoInput());
  const b = await buildConfigIso(sampleConfigIsoInput());
  intact = a.bytes;
  const save = (name: string, bytes: Buffer) => {
    const path = join(dir, `${name}.iso`);
    writeFileSync(path, bytes);
    damaged.set(name, path);
  };
  // Truncated: before the volume descriptor (unrecognisable), and after it (recognisably ours).
  save('truncated-tiny', intact.subarray(0, 20_000));
  save('truncated-40k', intact.subarray(0, 40_000));
  save('truncated-last-sector', intact.subarray(0, intact.length - 2048));
  // One flipped bit in a secret's bytes.
  const password = (await readConfigIso(intact)).database.password;
  const at = intact.indexOf(password);
  const flipped = Buffer.from(intact);
  flipped[at] = flipped[at]! ^ 0x01;
  save('flipped-secret', flipped);
  // The manifest of another ISO of the same shape.
  const swapped = await filesOf(intact);
  swapped.set(PATHS.manifest, (await filesOf(b.bytes)).get(PATHS.manifest)!);
  save(
    'swapped-manifest',
    await buildIsoImage(
      [...swapped].map(([path, content]) => ({
        type: 'file' as const,
        path,
        mode: path.startsWith('hds/secrets/') ? 0o400 : 0o444,
        content,
      })),
      { volumeId: 'HDS_CONFIG_GEN1', date: new Date('2026-11-01T09:30:00Z') },
    ),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function errorsOf(...args: string[]) {
  const r = await runCli(...args, '--json');
  expect(r.code, r.stdout).toBe(1);
  const body = JSON.parse(r.stdout) as { ok: boolean; errors: Record<string, unknown>[] };
  expect(body.ok).toBe(false);
  expect(body.errors.length).toBeGreaterThan(0);
  return body.errors;
}

describe.each([
  ['inspect', 'iso'],
  ['verify', 'dirOrIso'],
])('hds-setup %s --json on a damaged ISO', (command, field) => {
  it.each(['truncated-tiny', 'truncated-40k', 'truncated-last-sector', 'flipped-secret', 'swapped-manifest'])(
    '%s: every error has code, message and the positional argument as field',
    async (name) => {
      for (const error of await errorsOf(command, damaged.get(name)!)) {
        expect(error).toEqual({
          code: expect.stringMatching(/^ISO_/),
          message: expect.any(String),
          field,
        });
        expect(error.message).not.toContain('db-pass-123');
      }
    },
  );

  it('a file that does not exist: FILE_UNREADABLE with the field', async () => {
    expect(await errorsOf(command, join(dir, 'missing.iso'))).toEqual([
      { code: 'FILE_UNREADABLE', message: expect.stringMatching(/does not exist/), field },
    ]);
  });
});

describe('what a damaged ISO tells the admin to do', () => {
  it('recognisably ours but truncated or corrupt: use an intact copy, not "the ISO hds-setup produced"', async () => {
    for (const name of ['truncated-40k', 'truncated-last-sector', 'flipped-secret', 'swapped-manifest']) {
      const [error] = await errorsOf('inspect', damaged.get(name)!);
      expect(error!.message, name).toMatch(/intact copy/);
      expect(error!.message, name).not.toMatch(/hds-setup produced/);
    }
    const [truncated] = await errorsOf('verify', damaged.get('truncated-40k')!);
    expect(truncated!.message).toMatch(/hds-setup configuration ISO .*truncated.*another backup/);
  });

  it('too short to recognise: the ISO hds-setup produced, or an intact copy of it', async () => {
    const [error] = await errorsOf('inspect', damaged.get('truncated-tiny')!);
    expect(error).toMatchObject({ code: 'ISO_INVALID' });
    expect(error!.message).toMatch(
      /Choose the configuration ISO that hds-setup produced, or an intact copy of it\.$/,
    );
  });
});
