import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestPki } from '../../../../scripts/test-env/certificate-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../../../scripts/test-env/key-database.js';
import { type PostgresServer, startPostgres } from '../../../../scripts/test-env/postgres-server.js';
import { readConfigIso } from '../../core/configIso/index.js';

const ROOT = new URL('../../../..', import.meta.url).pathname;

interface CliResult {
  status: number | null;
  json: { ok: boolean; errors?: { code: string; message: string; field?: string }[]; [k: string]: unknown };
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/hds-setup.js'), ...args, '--json'], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  let json: CliResult['json'];
  try {
    json = JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return { status: r.status, json, stderr: r.stderr };
}

describe('hds-setup build, inspect and verify against a real key database', () => {
  let pg: PostgresServer;
  let db: TestDatabase;
  let other: TestDatabase;
  let pki: TestPki;
  let dir: string;
  const secrets: string[] = [];

  function answers(name: string, database: TestDatabase, certificate: string): string {
    const path = join(dir, `${name}.yaml`);
    writeFileSync(join(dir, `${database.name}.pass`), `${database.password}\n`);
    writeFileSync(
      path,
      `certificate:\n${certificate}\ndatabase:\n  type: postgresql\n  hosts: ["127.0.0.1:${pg.port}"]\n  name: ${database.name}\n  username: ${database.user}\n  passwordFile: ./${database.name}.pass\n  tls: prefer\nsyslog:\n  url: "udp://127.0.0.1:5514"\n  tls: false\n  termination: newline\n`,
    );
    return path;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hds-build-'));
    pg = await startPostgres();
    db = await createTestDatabase(pg, 'hds_keys');
    other = await createTestDatabase(pg, 'hds_other');
    pki = new TestPki();
    const leaf = pki.issueLeaf({ cn: 'kms.example.org', key: 'rsa:2048' });
    writeFileSync(join(dir, 'kms.p12'), pki.pkcs12(leaf, 'p12-Secret-pass'));
    writeFileSync(join(dir, 'p12.pass'), 'p12-Secret-pass\n');
    writeFileSync(join(dir, 'root.pem'), pki.rootPem);
    secrets.push('p12-Secret-pass', db.password, other.password);
  });
  afterAll(async () => {
    await pg?.stop();
    pki?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const newCert = '  p12: ./kms.p12\n  passwordFile: ./p12.pass\n  trustRoots: [./root.pem]';
  const reuseCert = '  reuse: true';

  it('builds generation 1, binds the database, rotates, and tells nodes which secrets are valid', async () => {
    const gen1 = join(dir, 'gen1.iso');
    const built = cli(['build', '--answers', answers('a', db, newCert), '--out', gen1]);
    expect(built.status, JSON.stringify(built.json)).toBe(0);
    expect(built.json).toMatchObject({ ok: true, generation: 1, databaseBinding: { ok: true } });
    expect(built.json.warnings).toEqual([expect.objectContaining({ code: 'CERT_PRIVATE_ROOT' })]);
    expect(readFileSync(gen1).length).toBeGreaterThan(0);

    const inspected = cli(['inspect', gen1]);
    expect(inspected.status).toBe(0);
    expect(inspected.json).toMatchObject({
      ok: true,
      intact: true,
      summary: { generation: 1, certificate: { commonName: 'kms.example.org' } },
    });

    const again = cli(['build', '--answers', answers('a', db, newCert), '--out', gen1]);
    expect(again.status).toBe(1);
    expect(again.json.errors?.[0]?.code).toBe('ISO_OUTPUT_EXISTS');

    expect(cli(['verify', gen1, '--database']).status).toBe(0);

    // Soft reset: generation 2 keeps the master key, links to generation 1, and both secrets work for 10 days.
    const gen2 = join(dir, 'gen2.iso');
    const soft = cli([
      'build',
      '--answers',
      answers('b', db, reuseCert),
      '--import',
      gen1,
      '--service-accounts',
      'soft',
      '--out',
      gen2,
    ]);
    expect(soft.status, JSON.stringify(soft.json)).toBe(0);
    const [one, two] = [await readConfigIso(gen1), await readConfigIso(gen2)];
    expect(two.manifest.generation).toBe(2);
    expect(two.manifest.previousManifestSha256).toBe(one.manifestSha256);
    expect(two.masterKey.equals(one.masterKey)).toBe(true);
    expect(two.serviceAccounts[0]!.previous?.secret.equals(one.serviceAccounts[0]!.secret)).toBe(true);
    const oldNode = cli(['verify', gen1, '--database']);
    expect(oldNode.status).toBe(0);
    expect(JSON.stringify(oldNode.json)).toMatch(/"state":"grace"/);

    // Hard reset: generation 2's secrets stop working at once.
    const gen3 = join(dir, 'gen3.iso');
    expect(
      cli([
        'build',
        '--answers',
        answers('c', db, reuseCert),
        '--import',
        gen2,
        '--service-accounts',
        'hard',
        '--out',
        gen3,
      ]).status,
    ).toBe(0);
    const stale = cli(['verify', gen2, '--database']);
    expect(stale.status).toBe(1);
    // Revoked by the hard reset, not expired: its own code, saying when and what the node needs.
    const today = new Date().toISOString().slice(0, 10);
    expect(stale.json.errors).toEqual([
      {
        code: 'SERVICE_ACCOUNTS_REVOKED',
        field: 'serviceAccounts',
        message: expect.stringMatching(
          new RegExp(
            `^The kms secret was replaced by a hard reset on ${today} at \\d\\d:\\d\\d UTC.*current configuration ISO`,
          ),
        ),
      },
    ]);
    expect(stale.json.errors?.[0]?.message).not.toMatch(/expired/i);
    expect(cli(['verify', gen3, '--database']).status).toBe(0);

    // Another deployment may not take over this database, and its ISO does not match it.
    const foreign = join(dir, 'foreign.iso');
    const taken = cli(['build', '--answers', answers('d', db, newCert), '--out', foreign]);
    expect(taken.status).toBe(1);
    // Its field is the option that confirms a re-bind (the wizard's is rebindConfirmation).
    expect(taken.json.errors?.[0]).toMatchObject({ code: 'DB_ALREADY_BOUND', field: 'rebind' });
    expect(existsSync(foreign)).toBe(false);
    const otherGen1 = join(dir, 'other-gen1.iso');
    expect(cli(['build', '--answers', answers('e', other, newCert), '--out', otherGen1]).status).toBe(0);
    const mismatch = cli([
      'build',
      '--answers',
      answers('f', db, reuseCert),
      '--import',
      otherGen1,
      '--out',
      join(dir, 'x.iso'),
    ]);
    expect(mismatch.status).toBe(1);
    expect(mismatch.json.errors?.[0]).toMatchObject({ code: 'ISO_DB_MISMATCH', field: 'import' });
    expect(mismatch.json.errors?.[0]?.message).toMatch(/does not belong to the database at .*hds_keys/);
  });

  it("a new deployment on a database bound to another one that holds CMKs: DB_ALREADY_BOUND naming the answers file's database, --rebind or not", async () => {
    const held = await createTestDatabase(pg, 'hds_held');
    secrets.push(held.password);
    expect(
      cli(['build', '--answers', answers('held1', held, newCert), '--out', join(dir, 'held1.iso')]).status,
    ).toBe(0);
    const client = await held.connect();
    try {
      const orgId = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
      await client.query(
        `INSERT INTO hds_tenants (org_id, name, status, created_at, updated_at) VALUES ($1, 'Org A', 'active', now(), now())`,
        [orgId],
      );
      await client.query(
        `INSERT INTO hds_tenant_cmks (org_id, key_version, wrapped_key, algorithm, created_at) VALUES ($1, 1, '\\x00', 'test', now())`,
        [orgId],
      );
    } finally {
      await client.end();
    }
    for (const extra of [[], ['--rebind']]) {
      const out = join(dir, `held2${extra.length}.iso`);
      const refused = cli(['build', '--answers', answers('held2', held, newCert), '--out', out, ...extra]);
      expect(refused.status).toBe(1);
      expect(refused.json.errors).toEqual([
        { code: 'DB_ALREADY_BOUND', message: expect.stringMatching(/holds 1 tenant CMK/), field: 'database' },
      ]);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('an ISO whose database is empty: every command that connects refuses with ISO_DB_EMPTY until --accept-empty-database', async () => {
    // Built without reaching its database (--skip-db-test), so the database was never bound: the
    // same state as a wiped one, or the wrong one.
    const blank = await createTestDatabase(pg, 'hds_blank');
    const spare = await createTestDatabase(pg, 'hds_blank_too');
    secrets.push(blank.password, spare.password);
    const gen1 = join(dir, 'blank-gen1.iso');
    expect(
      cli(['build', '--answers', answers('k', blank, newCert), '--out', gen1, '--skip-db-test']).status,
    ).toBe(0);
    const client = await blank.connect();
    const tables = async () =>
      Number(
        (
          await client.query(
            `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'`,
          )
        ).rows[0].n,
      );
    try {
      const node = cli(['verify', gen1, '--database']);
      expect(node.status).toBe(1);
      expect(node.json.errors?.[0]).toMatchObject({ code: 'ISO_DB_EMPTY' });
      expect(node.json.errors?.[0]?.message).toMatch(/hds_blank is empty.*A node does not bind/);

      const listed = cli(['tenants', 'list', '--iso', gen1]);
      expect(listed.status).toBe(1);
      expect(listed.json.errors?.[0]?.code).toBe('ISO_DB_EMPTY');

      const gen2 = join(dir, 'blank-gen2.iso');
      const refused = cli([
        'build',
        '--answers',
        answers('l', blank, reuseCert),
        '--import',
        gen1,
        '--out',
        gen2,
      ]);
      expect(refused.status).toBe(1);
      expect(refused.json.errors?.[0]).toMatchObject({ code: 'ISO_DB_EMPTY', field: 'acceptEmptyDatabase' });
      expect(refused.json.errors?.[0]?.message).toMatch(
        /The key database at 127\.0\.0\.1:\d+\/hds_blank is empty.*generation 1.*--accept-empty-database/,
      );
      expect(existsSync(gen2)).toBe(false);
      expect(await tables()).toBe(0);

      // The flag belongs to an import; a new deployment needs no confirmation for an empty database.
      const misuse = spawnSync(
        process.execPath,
        [join(ROOT, 'bin/hds-setup.js'), 'build', '--answers', 'a', '--out', 'b', '--accept-empty-database'],
        { encoding: 'utf8' },
      );
      expect(misuse.status).toBe(2);
      expect(misuse.stderr).toMatch(/--accept-empty-database goes with --import/);

      const confirmed = cli([
        'build',
        '--answers',
        answers('l', blank, reuseCert),
        '--import',
        gen1,
        '--accept-empty-database',
        '--out',
        gen2,
      ]);
      expect(confirmed.status, JSON.stringify(confirmed.json)).toBe(0);
      expect(confirmed.json.databaseBinding).toMatchObject({
        ok: true,
        message: expect.stringMatching(/is now bound/),
      });
      const audit = await client.query('SELECT action, detail FROM hds_audit_log ORDER BY id');
      expect(audit.rows[0]).toMatchObject({
        action: 'accept-empty-database',
        detail: expect.stringMatching(/generation 1 .*hds-setup build --accept-empty-database/),
      });
      expect(audit.rows[1]?.action).toBe('bind-master-key');
      expect(cli(['verify', gen2, '--database']).status).toBe(0);
      // Bound now: no confirmation is needed any more.
      expect(cli(['tenants', 'list', '--iso', gen2]).status).toBe(0);
    } finally {
      await client.end();
    }

    // tenants … --accept-empty-database binds the ISO's key (audited) before it touches any tenant.
    const spareGen1 = join(dir, 'spare-gen1.iso');
    expect(
      cli(['build', '--answers', answers('m', spare, newCert), '--out', spareGen1, '--skip-db-test']).status,
    ).toBe(0);
    const added = cli([
      'tenants',
      'add',
      '--iso',
      spareGen1,
      '--org',
      '6f1c8d9e-0000-4000-8000-0000000000aa',
      '--name',
      'Acme',
      '--accept-empty-database',
    ]);
    expect(added.status, JSON.stringify(added.json)).toBe(0);
    const spareClient = await spare.connect();
    try {
      const audit = await spareClient.query('SELECT action, detail FROM hds_audit_log ORDER BY id');
      expect(audit.rows.map((r) => r.action)).toEqual([
        'accept-empty-database',
        'bind-master-key',
        'add-tenant',
      ]);
      expect(audit.rows[0].detail).toMatch(/hds-setup tenants --accept-empty-database/);
    } finally {
      await spareClient.end();
    }
  });

  it('is deterministic under SOURCE_DATE_EPOCH, and never prints a secret', async () => {
    const gen1 = join(dir, 'det-gen1.iso');
    expect(
      cli([
        'build',
        '--answers',
        answers(
          'g',
          other,
          reuseCert.replace(
            'reuse: true',
            'p12: ./kms.p12\n  passwordFile: ./p12.pass\n  trustRoots: [./root.pem]',
          ),
        ),
        '--out',
        gen1,
        '--skip-db-test',
      ]).status,
    ).toBe(0);
    const env = { SOURCE_DATE_EPOCH: '1790000000' };
    const a = cli(
      [
        'build',
        '--answers',
        answers('h', other, reuseCert),
        '--import',
        gen1,
        '--out',
        join(dir, 'det-a.iso'),
        '--skip-db-test',
      ],
      env,
    );
    const b = cli(
      [
        'build',
        '--answers',
        answers('h', other, reuseCert),
        '--import',
        gen1,
        '--out',
        join(dir, 'det-b.iso'),
        '--skip-db-test',
      ],
      env,
    );
    expect(a.status).toBe(0);
    expect(a.json.sha256).toBe(b.json.sha256);
    expect(readFileSync(join(dir, 'det-a.iso')).equals(readFileSync(join(dir, 'det-b.iso')))).toBe(true);
    const loaded = await readConfigIso(gen1);
    const printed = JSON.stringify([a, b]);
    for (const secret of [
      ...secrets,
      loaded.masterKey.toString('base64'),
      ...loaded.serviceAccounts.map((s) => s.secret.toString()),
    ])
      expect(printed).not.toContain(secret);
  });

  it('--import of a copy re-packed without its file modes (genisoimage -r) builds, and warns not to give that copy to nodes', () => {
    const gen1 = join(dir, 'modes-gen1.iso');
    expect(
      cli(['build', '--answers', answers('m', other, newCert), '--out', gen1, '--skip-db-test']).status,
    ).toBe(0);
    const extracted = join(dir, 'modes-extracted');
    const repacked = join(dir, 'modes-repacked.iso');
    expect(
      spawnSync('xorriso', ['-osirrox', 'on', '-indev', gen1, '-extract', '/', extracted], {
        encoding: 'utf8',
      }).status,
    ).toBe(0);
    expect(
      spawnSync('genisoimage', ['-quiet', '-r', '-J', '-o', repacked, extracted], { encoding: 'utf8' })
        .status,
    ).toBe(0);
    const out = join(dir, 'modes-gen2.iso');
    const rebuilt = cli([
      'build',
      '--answers',
      answers('m2', other, reuseCert),
      '--import',
      repacked,
      '--out',
      out,
      '--skip-db-test',
    ]);
    expect(rebuilt.status).toBe(0);
    expect(rebuilt.json.generation).toBe(2);
    expect(rebuilt.json.warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          code: 'ISO_MODES_LOST',
          message: expect.stringMatching(/Do not give this copy to nodes/),
        }),
      ]),
    );
  });

  it('--import of an ISO whose chain ends at a private root: a new certificate from that CA needs the root in trustRoots again, and the refusal says how', () => {
    const gen1 = join(dir, 'private-gen1.iso');
    expect(
      cli(['build', '--answers', answers('p', other, newCert), '--out', gen1, '--skip-db-test']).status,
    ).toBe(0);
    writeFileSync(
      join(dir, 'kms-new.p12'),
      pki.pkcs12(pki.issueLeaf({ cn: 'kms.example.org' }), 'p12-Secret-pass'),
    );
    const newP12 = '  p12: ./kms-new.p12\n  passwordFile: ./p12.pass';
    const build = (certificate: string, out: string) =>
      cli([
        'build',
        '--answers',
        answers('p2', other, certificate),
        '--import',
        gen1,
        '--out',
        join(dir, out),
        '--skip-db-test',
      ]);

    // Importing is no acknowledgment: the root is not trusted without its trustRoots entry.
    const refused = build(newP12, 'private-refused.iso');
    expect(refused.status).toBe(1);
    expect(refused.json.errors).toEqual([
      expect.objectContaining({ code: 'CERT_UNTRUSTED_ROOT', field: 'certificate.p12' }),
    ]);
    const message = refused.json.errors![0]!.message;
    expect(message).toContain('private root "HDS Test Private Root CA"');
    expect(message).toContain(new X509Certificate(pki.rootPem).fingerprint256);
    expect(message).toContain(`hds-setup iso extract ${gen1} <dir>`);
    expect(message).toContain('certificate.trustRoots');
    expect(existsSync(join(dir, 'private-refused.iso'))).toBe(false);

    // Done as the message says: the root copied out of the previous ISO, listed under trustRoots.
    const extracted = join(dir, 'private-extracted');
    expect(cli(['iso', 'extract', gen1, extracted]).status).toBe(0);
    const chain = readFileSync(join(extracted, 'hds/certs/kms-chain.pem'), 'utf8');
    writeFileSync(
      join(dir, 'previous-root.pem'),
      chain.slice(chain.lastIndexOf('-----BEGIN CERTIFICATE-----')),
    );
    const built = build(`${newP12}\n  trustRoots: [./previous-root.pem]`, 'private-gen2.iso');
    expect(built.status, JSON.stringify(built.json)).toBe(0);
    expect(built.json.generation).toBe(2);
    expect(built.json.warnings).toEqual([expect.objectContaining({ code: 'CERT_PRIVATE_ROOT' })]);

    // The CN rule stands.
    writeFileSync(
      join(dir, 'kms-other.p12'),
      pki.pkcs12(pki.issueLeaf({ cn: 'other.example.org' }), 'p12-Secret-pass'),
    );
    const otherCn = build(
      '  p12: ./kms-other.p12\n  passwordFile: ./p12.pass\n  trustRoots: [./previous-root.pem]',
      'private-other.iso',
    );
    expect(otherCn.json.errors?.[0]?.code).toBe('CERT_CN_CHANGED');
  });

  it('refuses bad input with specific codes', () => {
    expect(
      cli(['build', '--answers', join(dir, 'missing.yaml'), '--out', join(dir, 'y.iso')]).json.errors?.[0]
        ?.code,
    ).toBe('FILE_UNREADABLE');
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, 'bin/hds-setup.js'),
        'build',
        '--answers',
        'a',
        '--out',
        'b',
        '--service-accounts',
        'later',
      ],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(2);
    const noImport = cli([
      'build',
      '--answers',
      answers('i', other, newCert),
      '--out',
      join(dir, 'z.iso'),
      '--service-accounts',
      'soft',
    ]);
    // Conflicting options are a usage error (README): --service-accounts needs --import.
    expect(noImport.status).toBe(2);
    expect(noImport.json.errors?.[0]?.message).toMatch(/--service-accounts goes with --import/);
    expect(cli(['inspect', join(dir, 'kms.p12')]).json.errors?.[0]?.code).toBe('ISO_INVALID');
    // Certificate errors name the answers file's own field, as the other sections do.
    writeFileSync(join(dir, 'wrong.pass'), 'not-the-password');
    const wrongPassword = cli([
      'build',
      '--answers',
      answers('j', other, newCert.replace('./p12.pass', './wrong.pass')),
      '--out',
      join(dir, 'w.iso'),
      '--skip-db-test',
    ]);
    expect(wrongPassword.json.errors?.[0]).toMatchObject({
      code: 'P12_BAD_PASSWORD',
      field: 'certificate.password',
    });
  });
});
