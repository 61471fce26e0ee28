// What a node runs at boot: `hds-setup verify` on the ISO, on a folder extracted by the admins'
// tools, and on the image mounted at …/media/configdrive through FUSE (the kernel here has no
// iso9660 driver, so this is the closest to the node's own mount).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuiltCliAs, runCli } from '../../../../scripts/test-env/run-cli.js';
import { sampleConfigIsoInput } from '../../../../scripts/test-env/sample-config-iso-input.js';
import { buildConfigIso, type ConfigIsoInput } from '../../core/configIso/index.js';
import { issueServiceAccounts } from '../../core/secrets/service-accounts.js';

const DAY = 24 * 60 * 60 * 1000;
let dir: string;

function input(
  now: Date,
  { certificateNotAfter, accountsIssued }: { certificateNotAfter: Date; accountsIssued: Date },
): ConfigIsoInput {
  const sample = sampleConfigIsoInput();
  return {
    ...sample,
    deploymentId: '0b0e1a55-8d0e-4a53-9b7e-2f0c6c1d9a10',
    createdAt: new Date(Math.floor(now.getTime() / 1000) * 1000),
    certificate: {
      ...sample.certificate,
      notBefore: new Date(certificateNotAfter.getTime() - 365 * DAY),
      notAfter: certificateNotAfter,
    },
    database: {
      settings: { ...sample.database.settings, tlsMode: 'prefer' },
      password: sample.database.password,
    },
    serviceAccounts: issueServiceAccounts(accountsIssued),
  };
}

const now = new Date();
let current: string;
let stale: string;

beforeAll(async () => {
  // fuseiso, bsdtar when missing
  execFileSync(
    process.execPath,
    [new URL('../../../../scripts/system-packages.mjs', import.meta.url).pathname],
    {
      stdio: 'ignore',
    },
  );
  dir = mkdtempSync(join(tmpdir(), 'hds-verify-'));
  current = join(dir, 'current.iso');
  writeFileSync(
    current,
    (
      await buildConfigIso(
        input(now, { certificateNotAfter: new Date(now.getTime() + 300 * DAY), accountsIssued: now }),
      )
    ).bytes,
  );
  stale = join(dir, 'stale.iso');
  writeFileSync(
    stale,
    (
      await buildConfigIso(
        input(now, {
          certificateNotAfter: new Date(now.getTime() - 3 * DAY),
          accountsIssued: new Date(now.getTime() - 300 * DAY),
        }),
      )
    ).bytes,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const verify = async (...args: string[]) => {
  const r = await runCli('verify', ...args);
  return { ...r, json: args.includes('--json') ? JSON.parse(r.stdout) : undefined };
};

describe('hds-setup inspect', () => {
  it('given a folder, says that verify reads folders', async () => {
    const r = await runCli('inspect', dir, '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).errors[0]).toMatchObject({
      code: 'FILE_UNREADABLE',
      message: expect.stringMatching(/": it is a folder\. Give the ISO file itself .*run hds-setup verify /),
    });
  });
});

describe('hds-setup verify', () => {
  it('exits 0 on an intact configuration whose certificate and secrets have expired, warning about both', async () => {
    const r = await verify(stale, '--json');
    expect(r.code).toBe(0);
    expect(r.json.warnings.map((w: { code: string }) => w.code)).toEqual([
      'CERT_EXPIRED',
      'SERVICE_ACCOUNTS_EXPIRED',
    ]);
    const human = await verify(stale);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/certificate {7}CN kms\.example\.org, expires \S+ \(EXPIRED\)/);
    expect(human.stderr).toMatch(/warning CERT_EXPIRED: .*renewed certificate with the same CN/);
    expect(human.stderr).toMatch(/warning SERVICE_ACCOUNTS_EXPIRED: .*Hard reset/);
  });

  it('reads the image mounted at …/media/configdrive (FUSE), given the mount point or its hds/ folder', async () => {
    const mount = join(dir, 'node/media/configdrive');
    mkdirSync(mount, { recursive: true });
    execFileSync('fuseiso', [current, mount]);
    try {
      for (const target of [join(mount, 'hds'), mount]) {
        const r = await verify(target, '--json');
        expect(r.code, target).toBe(0);
        expect(r.json).toMatchObject({ ok: true, intact: true, warnings: [] });
        expect(r.stdout).not.toContain('db-pass-123');
      }
    } finally {
      spawnSync('fusermount', ['-u', mount]);
    }
  });

  it('exits 1 on a folder extracted with 7-Zip (secrets 0644): ISO_SECRET_EXPOSED with what to do; 0 once restricted', async () => {
    const out = mkdtempSync(join(dir, '7z-'));
    execFileSync('7z', ['x', `-o${out}`, current], { stdio: 'ignore' });
    // 7-Zip reads the Joliet tree, which has no modes: every secret lands world-readable.
    expect(statSync(join(out, 'hds/secrets/master-key')).mode & 0o777).toBe(0o644);
    const r = await verify(out, '--json');
    expect(r.code).toBe(1);
    expect(r.json.errors).toHaveLength(1);
    expect(r.json.errors[0]).toMatchObject({ code: 'ISO_SECRET_EXPOSED' });
    const message: string = r.json.errors[0].message;
    expect(message).toMatch(
      /^\d+ secrets in .*7z-\w+ can be read or changed by users other than the owner: /,
    );
    expect(message).toContain('hds/secrets/database.password (0644)');
    expect(message).toMatch(
      /Mount the ISO instead .*xorriso -osirrox on .*chmod -R go-rwx .*7z-\w+\/hds\/secrets/,
    );
    expect(r.stdout).not.toContain('db-pass-123');
    const human = await verify(join(out, 'hds'));
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/^error ISO_SECRET_EXPOSED: /);

    // The integrity check is unchanged: an edited file is still ISO_CORRUPT, whatever the modes.
    const config = join(out, 'hds/config.json');
    const original = readFileSync(config);
    writeFileSync(config, original.toString('utf8').replace('db1.example.org', 'db9.example.org'));
    expect((await verify(out, '--json')).json.errors[0]).toMatchObject({ code: 'ISO_CORRUPT' });
    writeFileSync(config, original);

    execFileSync('chmod', ['-R', 'go-rwx', join(out, 'hds/secrets')]);
    expect((await verify(out, '--json')).code).toBe(0);
  });

  it('exits 0 on a folder extracted by xorriso (Rock Ridge modes kept); a secrets folder others may write is refused', async () => {
    const out = mkdtempSync(join(dir, 'xorriso-'));
    execFileSync('xorriso', ['-osirrox', 'on', '-indev', current, '-extract', '/', out], { stdio: 'ignore' });
    expect(statSync(join(out, 'hds/secrets/master-key')).mode & 0o777).toBe(0o400);
    expect(statSync(join(out, 'hds/secrets')).mode & 0o777).toBe(0o500);
    const r = await verify(out, '--json');
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ ok: true, intact: true });

    chmodSync(join(out, 'hds/secrets/service-accounts'), 0o777);
    const open = await verify(out, '--json');
    expect(open.code).toBe(1);
    expect(open.json.errors[0]).toMatchObject({ code: 'ISO_SECRET_EXPOSED' });
    expect(open.json.errors[0].message).toMatch(/^A secret in .* hds\/secrets\/service-accounts \(0777\)/);
  });

  // Root reads everything: an unprivileged user (nobody, through runuser) meets the 0500/0400 secrets.
  it.skipIf(process.getuid?.() !== 0)(
    'run by a user who may not read the secrets: FILE_UNREADABLE saying to verify as their owner, not a crash',
    () => {
      const shared = mkdtempSync(join(tmpdir(), 'hds-verify-nobody-'));
      try {
        chmodSync(shared, 0o755);
        execFileSync('bsdtar', ['-xf', current, '-C', shared]);
        const run = runBuiltCliAs('nobody', 'verify', join(shared, 'hds'), '--json');
        expect(run.status, run.stderr).toBe(1);
        expect(JSON.parse(run.stdout).errors[0]).toMatchObject({
          code: 'FILE_UNREADABLE',
          message: expect.stringMatching(
            /hds\/secrets" of the configuration: permission denied\. .*run hds-setup verify as that user/,
          ),
        });
      } finally {
        rmSync(shared, { recursive: true, force: true });
      }
    },
  );

  it('exits 1 on a folder extracted with bsdtar once a file is edited, added or removed', async () => {
    const fresh = () => {
      const out = mkdtempSync(join(dir, 'x-'));
      execFileSync('bsdtar', ['-xf', current, '-C', out]);
      execFileSync('chmod', ['-R', 'u+w', out]);
      return join(out, 'hds');
    };
    const intact = fresh();
    expect((await verify(intact)).code).toBe(0);

    const edited = fresh();
    const config = join(edited, 'config.json');
    writeFileSync(config, readFileSync(config, 'utf8').replace('db1.example.org', 'db9.example.org'));
    const e = await verify(edited, '--json');
    expect(e.code).toBe(1);
    expect(e.json.errors[0]).toMatchObject({ code: 'ISO_CORRUPT' });
    expect(e.json.errors[0].message).toContain('hds/config.json');

    const added = fresh();
    writeFileSync(join(added, 'secrets/extra.secret'), 'x');
    expect((await verify(added, '--json')).json.errors[0]).toMatchObject({ code: 'ISO_CORRUPT' });

    const removed = fresh();
    chmodSync(join(removed, 'secrets/service-accounts'), 0o700);
    rmSync(join(removed, 'secrets/service-accounts/kms.secret'));
    const r = await verify(removed, '--json');
    expect(r.json.errors[0]).toMatchObject({ code: 'ISO_INCOMPLETE' });
    expect(r.json.errors[0].message).toContain('kms.secret');

    // A folder replaced by a symbolic link to a copy of it: its type changed, nothing is missing.
    const linked = fresh();
    const moved = join(dir, `certs-elsewhere-${Date.now()}`);
    renameSync(join(linked, 'certs'), moved);
    symlinkSync(moved, join(linked, 'certs'));
    const l = await verify(linked, '--json');
    expect(l.code).toBe(1);
    expect(l.json.errors[0]).toMatchObject({ code: 'ISO_CORRUPT' });
    expect(l.json.errors[0].message).toMatch(
      /^hds\/certs is corrupt: it is a link .* where the configuration has a folder/,
    );

    // A manifest far larger than any configuration: refused without reading it, with what to do.
    const swollen = fresh();
    writeFileSync(join(swollen, 'manifest.json'), Buffer.alloc(20 * 1024 * 1024, 0x20));
    const big = await verify(swollen, '--json');
    expect(big.code).toBe(1);
    expect(big.json.errors[0]).toMatchObject({ code: 'ISO_CORRUPT' });
    expect(big.json.errors[0].message).toMatch(/manifest\.json is larger .* Use an intact copy/);
  });
});
