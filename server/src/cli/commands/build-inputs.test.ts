import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestPki } from '../../../../scripts/test-env/certificate-fixtures.js';
import { runCli } from '../../../../scripts/test-env/run-cli.js';
import { sampleConfigIsoInput } from '../../../../scripts/test-env/sample-config-iso-input.js';
import { buildConfigIso } from '../../core/configIso/index.js';
import { issueServiceAccounts } from '../../core/secrets/service-accounts.js';

interface BuildJson {
  ok: boolean;
  errors: { code: string; field?: string; message: string }[];
  [key: string]: unknown;
}

/** `hds-setup build` refusals that need no database (--skip-db-test): the build date and the output path. */
describe('hds-setup build: SOURCE_DATE_EPOCH never dates secrets wrongly, --out is a file it can write', () => {
  let pki: TestPki;
  let dir: string;
  let answers: string;
  const DAY = 86_400;
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  async function build(args: string[], epoch?: number) {
    const saved = process.env.SOURCE_DATE_EPOCH;
    if (epoch === undefined) delete process.env.SOURCE_DATE_EPOCH;
    else process.env.SOURCE_DATE_EPOCH = String(epoch);
    try {
      const r = await runCli('build', '--answers', answers, '--skip-db-test', '--json', ...args);
      return { code: r.code, json: JSON.parse(r.stdout) as BuildJson, stderr: r.stderr };
    } finally {
      if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH;
      else process.env.SOURCE_DATE_EPOCH = saved;
    }
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hds-build-inputs-'));
    pki = new TestPki();
    writeFileSync(join(dir, 'kms.p12'), pki.pkcs12(pki.issueLeaf({ cn: 'kms.example.org' }), 'p12-pass'));
    writeFileSync(join(dir, 'p12.pass'), 'p12-pass');
    writeFileSync(join(dir, 'root.pem'), pki.rootPem);
    writeFileSync(join(dir, 'db.pass'), 'db-pass');
    answers = join(dir, 'answers.yaml');
    writeFileSync(
      answers,
      'certificate:\n  p12: ./kms.p12\n  passwordFile: ./p12.pass\n  trustRoots: [./root.pem]\n' +
        'database:\n  type: postgresql\n  hosts: ["127.0.0.1:5432"]\n  name: hds_keys\n  username: hds\n  passwordFile: ./db.pass\n' +
        'syslog:\n  url: "udp://127.0.0.1:5514"\n',
    );
  });
  afterAll(() => {
    pki?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a SOURCE_DATE_EPOCH so old that the new service-account secrets would be born expired', async () => {
    const r = await build(['--out', join(dir, 'old.iso')], nowSeconds() - 400 * DAY);
    expect(r.code).toBe(1);
    expect(r.json.errors).toEqual([
      expect.objectContaining({
        code: 'INVALID_INPUT',
        field: 'SOURCE_DATE_EPOCH',
        message: expect.stringMatching(/already expired.*unset it/i),
      }),
    ]);
    expect(existsSync(join(dir, 'old.iso'))).toBe(false);
  });

  it('judges the imported secrets expired by the real clock, not by SOURCE_DATE_EPOCH', async () => {
    // A generation 1 made 300 days ago: its nine-month secrets expired about a month ago.
    const made = new Date(Date.now() - 300 * DAY * 1000);
    const old = await buildConfigIso(
      sampleConfigIsoInput({ createdAt: made, serviceAccounts: issueServiceAccounts(made) }),
    );
    const gen1 = join(dir, 'expired-gen1.iso');
    writeFileSync(gen1, old.bytes);
    // An epoch from before their expiry must not let them be kept.
    const kept = await build(['--import', gen1, '--out', join(dir, 'kept.iso')], nowSeconds() - 290 * DAY);
    expect(kept.json.errors).toEqual([expect.objectContaining({ code: 'SERVICE_ACCOUNTS_EXPIRED' })]);
    expect(existsSync(join(dir, 'kept.iso'))).toBe(false);
    const hard = await build([
      '--import',
      gen1,
      '--service-accounts',
      'hard',
      '--out',
      join(dir, 'hard.iso'),
    ]);
    expect(hard.json).toMatchObject({ ok: true, generation: 2, serviceAccounts: 'hard' });
  });

  it('a soft reset with a SOURCE_DATE_EPOCH older than the 10-day grace would give the old secrets no grace: refused', async () => {
    const gen1 = join(dir, 'soft-gen1.iso');
    expect((await build(['--out', gen1])).code).toBe(0);
    const r = await build(
      ['--import', gen1, '--service-accounts', 'soft', '--out', join(dir, 'soft.iso')],
      nowSeconds() - 30 * DAY,
    );
    expect(r.json.errors?.[0]).toMatchObject({ code: 'INVALID_INPUT', field: 'SOURCE_DATE_EPOCH' });
  });

  it('--out naming a folder (existing, or with a trailing slash) is refused up front with what to give instead', async () => {
    const folder = join(dir, 'isos');
    mkdirSync(folder);
    for (const args of [
      ['--out', folder],
      ['--out', folder, '--force'],
      ['--out', `${join(dir, 'new')}/`],
    ]) {
      const r = await build(args);
      expect(r.code).toBe(1);
      expect(r.json.errors).toEqual([
        expect.objectContaining({
          code: 'ISO_BAD_INPUT',
          field: 'out',
          message: expect.stringMatching(/is a folder.*file name.*\.iso/),
        }),
      ]);
    }
    expect(existsSync(join(dir, 'new'))).toBe(false);
    expect(readdirSync(folder)).toEqual([]);
  });

  it('--out in a folder that does not exist is refused before anything is checked, with no part file left', async () => {
    const r = await build(['--out', join(dir, 'missing', 'x.iso')]);
    expect(r.json.errors).toEqual([
      expect.objectContaining({
        code: 'ISO_BAD_INPUT',
        field: 'out',
        message: expect.stringMatching(/folder .*missing.* does not exist; create it/),
      }),
    ]);
    expect(r.json.errors[0]?.message).not.toMatch(/\.part|ENOENT/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('an empty --out, and every refusal of --import, name the option as their field', async () => {
    const empty = await build(['--out', '']);
    expect(empty.json.errors).toEqual([
      expect.objectContaining({
        code: 'ISO_BAD_INPUT',
        field: 'out',
        message: expect.stringMatching(/empty.*file name/),
      }),
    ]);
    for (const [imported, code] of [
      [join(dir, 'no-such.iso'), 'FILE_UNREADABLE'],
      [dir, 'FILE_UNREADABLE'],
      [answers, 'ISO_INVALID'],
    ] as const) {
      const r = await build(['--import', imported, '--out', join(dir, 'never.iso')]);
      expect(r.json.errors).toEqual([expect.objectContaining({ code, field: 'import' })]);
    }
    expect(existsSync(join(dir, 'never.iso'))).toBe(false);
  });
});
