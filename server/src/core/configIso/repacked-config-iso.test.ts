// Adversarial acceptance: a configuration ISO re-packed, edited or swapped by the admins' own
// tools (xorriso, genisoimage, bsdtar, 7-Zip), read as a node reads it (inspect / verify) and as an
// import reads it (wizard, build --import). Intact content re-packed with its modes is accepted
// everywhere; a copy without its modes is refused for nodes but still imports (its MAC proves the
// content, and the next ISO is written with the contract's modes); anything else is refused.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HdsError } from '../../../../contract/hds-error.js';
import { buildIsoImage } from '../../../../iso/src/index.js';
import { runCli } from '../../../../scripts/test-env/run-cli.js';
import { sampleConfigIsoInput } from '../../../../scripts/test-env/sample-config-iso-input.js';
import { buildConfigIso, readConfigIso } from './index.js';

let dir: string;
let original: string;
let extracted: string;
let other: string;

beforeAll(async () => {
  execFileSync(
    process.execPath,
    [new URL('../../../../scripts/system-packages.mjs', import.meta.url).pathname],
    {
      stdio: 'ignore',
    },
  );
  dir = mkdtempSync(join(tmpdir(), 'hds-repack-'));
  original = join(dir, 'original.iso');
  writeFileSync(original, (await buildConfigIso(sampleConfigIsoInput())).bytes);
  const foreign = join(dir, 'foreign.iso');
  writeFileSync(
    foreign,
    (await buildConfigIso(sampleConfigIsoInput({ deploymentId: '11111111-8d0e-4a53-9b7e-2f0c6c1d9a10' })))
      .bytes,
  );
  // xorriso keeps the Rock Ridge modes (0400 secrets in 0500 folders).
  extracted = join(dir, 'x');
  other = join(dir, 'other');
  for (const [iso, to] of [
    [original, extracted],
    [foreign, other],
  ] as const) {
    mkdirSync(to);
    execFileSync('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', '/', to], { stdio: 'ignore' });
  }
});
afterAll(() => {
  execFileSync('chmod', ['-R', 'u+rwX', dir]);
  rmSync(dir, { recursive: true, force: true });
});

function pack(tree: string, name: string, tool: string[]): string {
  const out = join(dir, `${name}.iso`);
  execFileSync(tool[0]!, [...tool.slice(1), '-V', 'REPACK', '-o', out, '.'], { cwd: tree, stdio: 'ignore' });
  return out;
}

/** A writable copy of the extracted tree, changed by `edit`, then given the contract's modes again. */
function variant(name: string, edit: (root: string) => void): string {
  const root = join(dir, name);
  execFileSync('cp', ['-a', extracted, root]);
  execFileSync('chmod', ['-R', 'u+w', root]);
  edit(join(root, 'hds'));
  execFileSync(
    'sh',
    [
      '-c',
      'find hds -type f -exec chmod 0444 {} + && find hds -type d -exec chmod 0555 {} + && chmod -R go-rwx hds/secrets && find hds/secrets -type f -exec chmod 0400 {} + && find hds/secrets -type d -exec chmod 0500 {} +',
    ],
    { cwd: root },
  );
  return pack(root, name, ['xorriso', '-as', 'mkisofs', '-R', '-J']);
}

async function refusal(path: string, purpose?: 'import'): Promise<HdsError> {
  const error = await readConfigIso(path, purpose ? { purpose } : undefined).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HdsError);
  return error as HdsError;
}

describe('a re-packed configuration ISO', () => {
  it('is accepted when re-packed with its names, bytes and modes (xorriso -R -J, genisoimage -R -J, from bsdtar)', async () => {
    const bsdtar = join(dir, 'bsdtar');
    mkdirSync(bsdtar);
    execFileSync('bsdtar', ['-xf', original, '-C', bsdtar]);
    for (const iso of [
      pack(extracted, 'xorriso', ['xorriso', '-as', 'mkisofs', '-R', '-J']),
      pack(extracted, 'genisoimage', ['genisoimage', '-R', '-J']),
      pack(bsdtar, 'bsdtar', ['genisoimage', '-R', '-J']),
    ]) {
      const loaded = await readConfigIso(iso);
      expect(loaded.manifest.generation).toBe(1);
      const cli = await runCli('inspect', iso, '--json');
      expect(cli.code).toBe(0);
    }
  });

  it('without Rock Ridge (Joliet only): refused for nodes, whose mount would show every secret to every user; still imports', async () => {
    const iso = pack(extracted, 'joliet', ['genisoimage', '-J']);
    const error = await refusal(iso);
    expect(error.code).toBe('ISO_SECRET_EXPOSED');
    expect(error.message).toMatch(/no Rock Ridge/);
    expect(error.message).toMatch(/-R -J/);
    expect(error.message).toMatch(/build --import/);
    const cli = await runCli('inspect', iso, '--json');
    expect(cli.code).toBe(1);
    expect(JSON.parse(cli.stdout).errors[0].code).toBe('ISO_SECRET_EXPOSED');
    const verify = await runCli('verify', iso, '--json');
    expect(JSON.parse(verify.stdout).errors[0].code).toBe('ISO_SECRET_EXPOSED');
    // The MAC proves the content: the admin can still recover the deployment from this copy.
    const imported = await readConfigIso(iso, { purpose: 'import' });
    expect(imported.masterKey.length).toBe(32);
  });

  it('with plain ISO 9660 names only: says the names were lost, not merely "not a configuration"', async () => {
    const iso = pack(extracted, 'plain', ['genisoimage']);
    for (const purpose of [undefined, 'import'] as const) {
      const error = await refusal(iso, purpose);
      expect(error.code).toBe('ISO_NOT_HDS');
      expect(error.message).toMatch(/plain ISO 9660 names/);
      expect(error.message).toMatch(/-R -J/);
    }
  });

  it('with modes rewritten (genisoimage -r, a 7-Zip extraction): names the file and mode, refused for nodes, still imports', async () => {
    const loosened = pack(extracted, 'rational', ['genisoimage', '-r', '-J']);
    const exposed = await refusal(loosened);
    expect(exposed.code).toBe('ISO_SECRET_EXPOSED');
    expect(exposed.message).toMatch(/hds\/secrets\/database\.password has mode 0444/);
    expect(exposed.message).not.toMatch(/corrupt/);
    expect((await readConfigIso(loosened, { purpose: 'import' })).manifest.generation).toBe(1);

    const sevenZip = join(dir, '7z');
    mkdirSync(sevenZip);
    execFileSync('7z', ['x', `-o${sevenZip}`, original], { stdio: 'ignore' });
    const fromSevenZip = pack(sevenZip, 'from-7z', ['xorriso', '-as', 'mkisofs', '-R', '-J']);
    const changed = await refusal(fromSevenZip);
    // README.txt (0644 instead of 0444) comes first; its bytes are intact, so "corrupt" would be wrong.
    expect(changed.code).toBe('ISO_SECRET_EXPOSED');
    expect(changed.message).toMatch(/re-packed/);
    expect((await readConfigIso(fromSevenZip, { purpose: 'import' })).manifest.generation).toBe(1);
  });

  it('with a file from another deployment, an edited byte, or an extra, missing or renamed file: refused for import too', async () => {
    const cases: [string, (hds: string) => void, string, RegExp][] = [
      [
        'swapped-secret',
        (hds) =>
          copyFileSync(
            join(other, 'hds/secrets/service-accounts/kms.secret'),
            join(hds, 'secrets/service-accounts/kms.secret'),
          ),
        'ISO_CORRUPT',
        /service-accounts\/kms\.secret is corrupt: its SHA-256/,
      ],
      [
        'swapped-manifest',
        (hds) => copyFileSync(join(other, 'hds/manifest.json'), join(hds, 'manifest.json')),
        'ISO_CORRUPT',
        /corrupt/,
      ],
      [
        'edited-manifest',
        (hds) =>
          execFileSync('sed', ['-i', 's/"generation": 1/"generation": 2/', join(hds, 'manifest.json')]),
        'ISO_CORRUPT',
        /MAC fails/,
      ],
      [
        'edited-config',
        (hds) => execFileSync('sed', ['-i', 's/hds_keys/hds_kexs/', join(hds, 'config.json')]),
        'ISO_CORRUPT',
        /config\.json is corrupt/,
      ],
      ['extra', (hds) => writeFileSync(join(hds, 'extra.txt'), 'x'), 'ISO_CORRUPT', /extra\.txt is not part/],
      [
        'removed',
        (hds) => rmSync(join(hds, 'certs/kms-chain.pem')),
        'ISO_INCOMPLETE',
        /kms-chain\.pem is missing/,
      ],
      [
        'renamed',
        (hds) => execFileSync('mv', [join(hds, 'certs/kms-chain.pem'), join(hds, 'certs/chain.pem')]),
        'ISO_INCOMPLETE',
        /kms-chain\.pem is missing/,
      ],
      [
        'folder',
        (hds) => {
          rmSync(join(hds, 'config.json'));
          mkdirSync(join(hds, 'config.json'));
        },
        'ISO_CORRUPT',
        /config\.json is corrupt: it is a folder/,
      ],
    ];
    for (const [name, edit, code, text] of cases) {
      const iso = variant(name, edit);
      for (const purpose of [undefined, 'import'] as const) {
        const error = await refusal(iso, purpose);
        expect({ name, code: error.code }).toEqual({ name, code });
        expect(error.message).toMatch(text);
      }
    }
  });

  it('holding 100 000 entries: refused fast, before the whole tree is held in memory', async () => {
    const entries = Array.from({ length: 100_000 }, (_, i) => ({
      type: 'file' as const,
      path: `hds/many/${i}`,
      mode: 0o444,
      content: new Uint8Array(0),
    }));
    const iso = join(dir, 'many.iso');
    writeFileSync(iso, await buildIsoImage(entries, { volumeId: 'MANY', date: new Date(0) }));
    const started = Date.now();
    const error = await refusal(iso);
    expect(error.code).toBe('ISO_CORRUPT');
    expect(error.message).toMatch(/more than \d+ files and folders/);
    expect(Date.now() - started).toBeLessThan(2000);
    chmodSync(iso, 0o644);
  }, 60_000);
});
