import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HdsError } from '../../../../contract/hds-error.js';
import { buildIsoImage } from '../../../../iso/src/index.js';
import { sampleConfigIsoInput } from '../../../../scripts/test-env/sample-config-iso-input.js';
import { rotateServiceAccounts } from '../secrets/service-accounts.js';
import { buildConfigIso, readConfigDirectory, readConfigIso, summarizeConfig } from './index.js';
import { PATHS } from './layout.js';
import { sha256Hex } from './manifest.js';

const created = new Date('2026-11-01T09:30:00Z');

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'hds-config-iso-'));
}

async function expectCode(promise: Promise<unknown>, code: string, text?: RegExp): Promise<HdsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HdsError);
  expect((error as HdsError).code).toBe(code);
  if (text) expect((error as HdsError).message).toMatch(text);
  return error as HdsError;
}

describe('configuration ISO', () => {
  it('round-trips every section, secrets included, and verifies the manifest', async () => {
    const input = sampleConfigIsoInput();
    const built = await buildConfigIso(input);
    const loaded = await readConfigIso(built.bytes);
    expect(loaded.masterKey.equals(input.masterKey)).toBe(true);
    expect(loaded.certificate.password.toString()).toBe('keystore-pass-Σ');
    expect(loaded.database.password.toString()).toBe('db-pass-123');
    expect(loaded.database.settings).toEqual(input.database.settings);
    expect(loaded.syslog.settings).toEqual(input.syslog.settings);
    expect(loaded.serviceAccounts.map((a) => a.secret.toString())).toEqual(
      input.serviceAccounts.map((a) => a.secret.toString()),
    );
    expect(built.manifest.generation).toBe(1);
    expect(built.manifest.previousManifestSha256).toBeNull();
    expect(built.fileName).toBe('hds-config-kms.example.org-gen1.iso');
    const summary = summarizeConfig(loaded, new Date('2026-11-02T00:00:00Z'));
    expect(summary).toMatchObject({ generation: 1, certificate: { commonName: 'kms.example.org' } });
    expect(JSON.stringify(summary)).not.toMatch(/db-pass|keystore-pass/);
    expect(JSON.stringify(summary)).not.toContain(input.masterKey.toString('base64'));
  });

  it('is deterministic: the same input gives byte-identical images', async () => {
    const input = sampleConfigIsoInput();
    const a = await buildConfigIso(input);
    const b = await buildConfigIso(input);
    expect(a.sha256).toBe(b.sha256);
    expect(a.bytes.equals(b.bytes)).toBe(true);
  });

  it('is readable by isoinfo, xorriso and bsdtar with secrets 0400 under Rock Ridge', async () => {
    const dir = tmp();
    const file = join(dir, 'config.iso');
    const built = await buildConfigIso(sampleConfigIsoInput());
    writeFileSync(file, built.bytes);
    const info = execFileSync('isoinfo', ['-d', '-i', file]).toString();
    expect(info).toMatch(/Volume id: HDS_CONFIG_GEN1/);
    expect(info).toMatch(/Rock Ridge signatures version 1 found/);
    expect(info).toMatch(/Joliet/);
    const listing = execFileSync('isoinfo', ['-R', '-l', '-i', file]).toString();
    expect(listing).toMatch(/-r-------- .* master-key/);
    expect(listing).toMatch(/-r--r--r-- .* config\.json/);
    const out = join(dir, 'x');
    mkdirSync(out);
    execFileSync('bsdtar', ['-xf', file, '-C', out]);
    for (const f of built.manifest.files) {
      const bytes = readFileSync(join(out, f.path));
      expect(sha256Hex(bytes), f.path).toBe(f.sha256);
      expect(statSync(join(out, f.path)).mode & 0o777, f.path).toBe(f.mode);
    }
    // The extracted folder verifies like a node's mount.
    execFileSync('chmod', ['-R', 'u+rwX', out]);
    const fromDir = await readConfigDirectory(join(out, 'hds'));
    expect(fromDir.manifest.generation).toBe(1);
  });

  it('carries the lineage and the master key into the next generation', async () => {
    const first = sampleConfigIsoInput();
    const gen1 = await buildConfigIso(first);
    const loaded = await readConfigIso(gen1.bytes);
    const gen2 = await buildConfigIso({
      ...first,
      masterKey: loaded.masterKey,
      generation: 2,
      previousManifestSha256: loaded.manifestSha256,
      serviceAccounts: rotateServiceAccounts(
        loaded.serviceAccounts,
        'soft',
        new Date('2027-01-01T00:00:00Z'),
      ),
    });
    const reread = await readConfigIso(gen2.bytes);
    expect(reread.manifest.previousManifestSha256).toBe(gen1.manifestSha256);
    expect(reread.masterKey.equals(first.masterKey)).toBe(true);
    expect(reread.serviceAccounts[0]!.previous?.secret.equals(first.serviceAccounts[0]!.secret)).toBe(true);
    expect(reread.config.serviceAccounts[0]!.previous?.validUntil).toBe('2027-01-11T00:00:00.000Z');
  });

  it('names the file whose bytes were changed (ISO_CORRUPT)', async () => {
    const built = await buildConfigIso(sampleConfigIsoInput());
    const loaded = await readConfigIso(built.bytes);
    const original = Buffer.from(loaded.database.password);
    const at = built.bytes.indexOf(original);
    expect(at).toBeGreaterThan(0);
    const damaged = Buffer.from(built.bytes);
    damaged[at] = damaged[at]! ^ 0x01;
    await expectCode(readConfigIso(damaged), 'ISO_CORRUPT', /hds\/secrets\/database\.password/);
  });

  it('refuses a manifest edited by hand, or files mixed from two ISOs (MAC)', async () => {
    const a = await buildConfigIso(sampleConfigIsoInput());
    const b = await buildConfigIso(sampleConfigIsoInput());
    // A file taken from another ISO of the same shape fails its checksum.
    const mixed = await extractTree(a.bytes);
    mixed.set(
      PATHS.serviceAccountSecret('kms'),
      (await extractTree(b.bytes)).get(PATHS.serviceAccountSecret('kms'))!,
    );
    await expectCode(readConfigIso(await rebuild(mixed)), 'ISO_CORRUPT', /service-accounts\/kms\.secret/);
    // So does a whole manifest + master key taken from the other ISO.
    const swapped = await extractTree(a.bytes);
    const fromB = await extractTree(b.bytes);
    swapped.set(PATHS.manifest, fromB.get(PATHS.manifest)!);
    swapped.set(PATHS.masterKey, fromB.get(PATHS.masterKey)!);
    await expectCode(readConfigIso(await rebuild(swapped)), 'ISO_CORRUPT');
    // A manifest whose generation was edited keeps valid checksums but breaks the MAC.
    const manifest = JSON.parse(JSON.stringify((await readConfigIso(a.bytes)).manifest));
    manifest.generation = 7;
    const entries = await extractTree(a.bytes);
    entries.set(PATHS.manifest, Buffer.from(JSON.stringify(manifest, null, 2)));
    await expectCode(readConfigIso(await rebuild(entries)), 'ISO_CORRUPT', /MAC/);
  });

  it('reports a missing file (ISO_INCOMPLETE), an extra one (ISO_CORRUPT) and a newer format', async () => {
    const built = await buildConfigIso(sampleConfigIsoInput());
    const entries = await extractTree(built.bytes);
    const withoutKeystore = new Map(entries);
    withoutKeystore.delete(PATHS.keystore);
    await expectCode(readConfigIso(await rebuild(withoutKeystore)), 'ISO_INCOMPLETE', /kms-keystore\.p12/);
    const withExtra = new Map(entries);
    withExtra.set('hds/secrets/backdoor', Buffer.from('x'));
    await expectCode(readConfigIso(await rebuild(withExtra)), 'ISO_CORRUPT', /backdoor/);
    const newer = new Map(entries);
    const manifest = JSON.parse(entries.get(PATHS.manifest)!.toString());
    manifest.formatVersion = 2;
    newer.set(PATHS.manifest, Buffer.from(JSON.stringify(manifest)));
    await expectCode(readConfigIso(await rebuild(newer)), 'ISO_VERSION_UNSUPPORTED', /newer hds-setup/);
  });

  it('tells an ISO that is not a configuration (ISO_NOT_HDS) from a file that is not an ISO (ISO_INVALID)', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'tree/docs'), { recursive: true });
    writeFileSync(join(dir, 'tree/docs/readme.txt'), 'hello');
    execFileSync(
      'xorriso',
      ['-as', 'mkisofs', '-R', '-J', '-V', 'OTHER', '-o', join(dir, 'other.iso'), join(dir, 'tree')],
      {
        stdio: 'ignore',
      },
    );
    await expectCode(readConfigIso(join(dir, 'other.iso')), 'ISO_NOT_HDS', /not an HDS configuration ISO/);
    await expectCode(readConfigIso(Buffer.alloc(100_000, 7)), 'ISO_INVALID');
    await expectCode(readConfigIso(join(dir, 'missing.iso')), 'FILE_UNREADABLE', /does not exist/);
  });
});

async function extractTree(bytes: Buffer): Promise<Map<string, Buffer>> {
  const { openIsoImage } = await import('../../../../iso/src/index.js');
  const image = await openIsoImage(bytes);
  const out = new Map<string, Buffer>();
  for (const e of image.list()) if (e.type === 'file') out.set(e.path, await image.readFile(e.path));
  await image.close();
  return out;
}

async function rebuild(files: Map<string, Buffer>): Promise<Buffer> {
  return buildIsoImage(
    [...files.entries()].map(([path, content]) => ({
      type: 'file' as const,
      path,
      mode: path.startsWith('hds/secrets/') ? 0o400 : 0o444,
      content,
    })),
    { volumeId: 'HDS_CONFIG_GEN1', date: created },
  );
}
