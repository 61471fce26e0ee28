import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../scripts/test-env/run-cli.js';

// One rule for every command (README "The command line"): exit 2 only when the command line itself
// is wrong; a named file that is missing, a folder or unreadable is exit 1 with FILE_UNREADABLE.
const dir = mkdtempSync(join(tmpdir(), 'hds-exit-codes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const at = (name: string) => join(dir, name);
const folder = at('a-folder');
mkdirSync(folder);
writeFileSync(at('pass.txt'), 'long-enough-password\n');
writeFileSync(at('syslog.yaml'), 'syslog:\n  url: udp://127.0.0.1:514\n');
writeFileSync(at('cert.yaml'), 'certificate:\n  p12: ./gone.p12\n  passwordFile: ./pass.txt\n');
writeFileSync(at('existing.key'), 'not replaced');
const org = randomUUID();

/** A stable test name: the command line with the temp folder left out. */
const named = <T extends [string[], ...unknown[]]>(rows: T[]) =>
  rows.map((row) => [row[0].map((a) => a.replace(`${dir}/`, '')).join(' '), ...row] as [string, ...T]);

async function failure(args: string[]) {
  const run = await runCli(...args, '--json');
  const body = JSON.parse(run.stdout) as {
    ok: boolean;
    errors: { code: string; message: string; field?: string }[];
  };
  return { code: run.code, error: body.errors[0]!, stderr: run.stderr };
}

/** [command line, the path it cannot read, the field that named it] */
const missingFiles: [string[], string, string?][] = [
  [['inspect', at('gone.iso')], at('gone.iso')],
  [['verify', at('gone.iso')], at('gone.iso')],
  [['iso', 'list', at('gone.iso')], at('gone.iso')],
  [['iso', 'extract', at('gone.iso'), at('out')], at('gone.iso')],
  [['iso', 'create', at('gone-folder'), '-o', at('out.iso')], at('gone-folder')],
  [['build', '--answers', at('gone.yaml'), '--out', at('out.iso')], at('gone.yaml'), 'answers'],
  [
    ['build', '--answers', at('syslog.yaml'), '--out', at('out.iso'), '--import', at('gone.iso')],
    at('gone.iso'),
  ],
  [['cert', 'check', at('gone.p12'), '--password-file', at('pass.txt')], at('gone.p12'), 'p12'],
  [['cert', 'check', at('gone.p12'), '--password-file', at('gone.pass')], at('gone.pass'), 'passwordFile'],
  [['cert', 'check', '--answers', at('gone.yaml')], at('gone.yaml'), 'answers'],
  [['cert', 'check', '--answers', at('cert.yaml')], at('gone.p12'), 'certificate.p12'],
  [
    [
      'cert',
      'assemble',
      '--key',
      at('gone.key'),
      '--chain',
      at('gone.pem'),
      '--out',
      at('new.p12'),
      '--password-file',
      at('pass.txt'),
    ],
    at('gone.key'),
    'key',
  ],
  [
    [
      'cert',
      'assemble',
      '--key',
      at('k'),
      '--chain',
      at('c'),
      '--out',
      at('n.p12'),
      '--password-file',
      at('gone.pass'),
    ],
    at('gone.pass'),
    'passwordFile',
  ],
  [['db', 'check', '--answers', at('gone.yaml')], at('gone.yaml'), 'answers'],
  [['syslog', 'test', '--answers', at('gone.yaml')], at('gone.yaml'), 'answers'],
  [
    ['syslog', 'test', '--url', 'tcp://127.0.0.1:1', '--tls', '--ca', at('gone.pem')],
    at('gone.pem'),
    'rootCa',
  ],
  [['tenants', 'list', '--iso', at('gone.iso')], at('gone.iso')],
  [['tenants', 'add', '--iso', at('gone.iso'), '--org', org, '--name', 'Acme'], at('gone.iso')],
  [['tenants', 'import-csv', '--iso', at('gone.iso'), '--csv', at('gone.csv')], at('gone.csv'), 'csv'],
  [['tenants', 'list', '--iso', at('gone.iso'), '--answers', at('gone.yaml')], at('gone.iso')],
];

describe('every command, a named file that does not exist', () => {
  it.each(named(missingFiles))(
    '%s: exit 1, FILE_UNREADABLE naming the path',
    async (_, args, path, field) => {
      const { code, error } = await failure(args);
      expect(code).toBe(1);
      expect(error.code).toBe('FILE_UNREADABLE');
      expect(error.message).toContain(`"${path}": it does not exist`);
      expect(error.message).toMatch(/\. Check /);
      if (field) expect(error.field).toBe(field);
    },
  );
});

describe('an answers file given as a pipe (--answers <(…))', () => {
  it('a relative path in it that does not exist says to write it absolute (a pipe has no folder)', () => {
    const root = new URL('../../..', import.meta.url).pathname;
    const yaml =
      'database:\n  type: postgresql\n  hosts: [db1.example.org]\n  name: hds_keys\n  username: hds\n  passwordFile: ./db.pass\n';
    const run = spawnSync(
      'bash',
      ['-c', `"${process.execPath}" bin/hds-setup.js db check --answers <(printf '%s' "$ANSWERS") --json`],
      { cwd: root, encoding: 'utf8', env: { ...process.env, ANSWERS: yaml } },
    );
    expect(run.status, run.stderr).toBe(1);
    expect(JSON.parse(run.stdout).errors[0]).toMatchObject({
      code: 'FILE_UNREADABLE',
      field: 'database.passwordFile',
      message: expect.stringMatching(
        /"\/(dev|proc\/self)\/fd\/db\.pass": it does not exist\. .* is not a file in a folder \(a pipe .*write database\.passwordFile as an absolute path \(e\.g\. \/.*\/db\.pass\)/,
      ),
    });
  });
});

describe('every command, a folder where a file belongs', () => {
  it.each(
    named<[string[], RegExp]>([
      [
        ['inspect', folder],
        /it is a folder\. Give the ISO file itself \(to check a mounted .* run hds-setup verify /,
      ],
      [['iso', 'list', folder], /it is a folder\./],
      [['build', '--answers', folder, '--out', at('out.iso')], /it is a folder\./],
      [['cert', 'check', folder, '--password-file', at('pass.txt')], /it is a folder\./],
      [['tenants', 'import-csv', '--iso', at('gone.iso'), '--csv', folder], /it is a folder\./],
    ]),
  )('%s: exit 1, FILE_UNREADABLE saying it is a folder', async (_, args, message) => {
    const { code, error } = await failure(args);
    expect(code).toBe(1);
    expect(error).toMatchObject({ code: 'FILE_UNREADABLE', message: expect.stringMatching(message) });
    expect(error.message).toContain(`"${folder}"`);
  });
});

describe('every command, other input that is not the command line', () => {
  it('an unset --password-env variable or an output that exists is exit 1, not a usage error', async () => {
    const unset = await failure(['cert', 'check', at('x.p12'), '--password-env', 'HDS_TEST_UNSET_VARIABLE']);
    expect(unset).toMatchObject({ code: 1, error: { code: 'INVALID_INPUT', field: 'passwordEnv' } });
    expect(unset.error.message).toMatch(/HDS_TEST_UNSET_VARIABLE is not set: export it/);
    const exists = await failure([
      'cert',
      'csr',
      '--cn',
      'kms.example.org',
      '--key-out',
      at('existing.key'),
      '--csr-out',
      at('new.csr'),
    ]);
    expect(exists).toMatchObject({ code: 1, error: { code: 'INVALID_INPUT', field: 'keyOut' } });
    expect(existsSync(at('new.csr'))).toBe(false);
  });
});

describe('every command, a wrong command line', () => {
  it.each(
    named<[string[]]>([
      [['frobnicate']],
      [['inspect']],
      [['inspect', at('x.iso'), '--nope']],
      [['build', '--out', at('out.iso')]],
      [['build', '--answers', at('a.yaml'), '--out', at('out.iso'), '--service-accounts', 'sometimes']],
      [['build', '--answers', at('a.yaml'), '--out', at('out.iso'), '--accept-empty-database']],
      [['build', '--answers', at('a.yaml'), '--out', at('out.iso'), '--service-accounts', 'soft']],
      [['cert', 'check', at('x.p12')]],
      [['cert', 'check', at('x.p12'), '--password-file', at('pass.txt'), '--password-env', 'HOME']],
      [['cert', 'check', at('x.p12'), '--answers', at('a.yaml')]],
      [['cert', 'csr', '--cn', 'kms.example.org', '--key-out', at('same'), '--csr-out', at('same')]],
      [
        [
          'cert',
          'csr',
          '--cn',
          'kms.example.org',
          '--key-type',
          'dsa',
          '--key-out',
          at('k'),
          '--csr-out',
          at('c'),
        ],
      ],
      [['db', 'check']],
      [['syslog', 'test']],
      [['syslog', 'test', '--answers', at('a.yaml'), '--url', 'udp://h']],
      [['syslog', 'test', '--url', 'udp://h', '--ca', at('ca.pem')]],
      [['iso', 'create', folder, '-o', at('d.iso'), '--date', 'soon']],
      [['iso', 'create', folder, '-o', at('d.iso'), '-V', 'lower-case']],
      [['iso', 'extract', at('x.iso')]],
      [['tenants', 'create-cmks', '--iso', at('gone.iso')]],
      [['tenants', 'revoke', '--iso', at('gone.iso'), '--confirm', 'x']],
      [['tenants', 'add', '--iso', at('gone.iso'), '--org', org]],
    ]),
  )('%s: exit 2, one JSON error', async (_, args) => {
    const { code, error } = await failure(args);
    expect(code).toBe(2);
    expect(error.code).toBe('INVALID_INPUT');
    expect(existsSync(at('d.iso'))).toBe(false);
  });
});
