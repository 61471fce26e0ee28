import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestPki } from '../../../../scripts/test-env/certificate-fixtures.js';
import { runCli } from '../../../../scripts/test-env/run-cli.js';

const PASSWORD = 'cli-p12-password';
let pki: TestPki;

const hds = (...args: string[]) => runCli(...args);

beforeAll(() => {
  pki = new TestPki();
  writeFileSync(pki.path('pass.txt'), `${PASSWORD}\n`);
  writeFileSync(
    pki.path('good.p12'),
    pki.pkcs12(pki.issueLeaf(), PASSWORD, { chain: ['intermediate', 'root'] }),
  );
  writeFileSync(pki.path('wild.p12'), pki.pkcs12(pki.issueLeaf({ cn: '*.example.org' }), PASSWORD));
});
afterAll(() => pki.cleanup());

describe('hds-setup cert check', () => {
  it('exit 0 with the result and the CERT_PRIVATE_ROOT warning when usable', async () => {
    const r = await hds(
      'cert',
      'check',
      pki.path('good.p12'),
      '--password-file',
      pki.path('pass.txt'),
      '--trust-root',
      pki.path('root.pem'),
      '--json',
    );
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout);
    expect(body).toMatchObject({ ok: true, certificate: { cn: 'kms.example.org', keyType: 'EC' } });
    expect(body.warnings.map((w: { code: string }) => w.code)).toEqual(['CERT_PRIVATE_ROOT']);
    expect(r.stdout).not.toContain(PASSWORD);
  });

  it('exit 1 with the codes otherwise; the password may come from the environment', async () => {
    process.env.HDS_TEST_P12_PASSWORD = PASSWORD;
    const untrusted = await hds(
      'cert',
      'check',
      pki.path('good.p12'),
      '--password-env',
      'HDS_TEST_P12_PASSWORD',
      '--json',
    );
    expect(untrusted.code).toBe(1);
    expect(JSON.parse(untrusted.stdout).errors[0].code).toBe('CERT_UNTRUSTED_ROOT');
    const wild = await hds(
      'cert',
      'check',
      pki.path('wild.p12'),
      '--password-env',
      'HDS_TEST_P12_PASSWORD',
      '--trust-root',
      pki.path('root.pem'),
    );
    expect(wild.code).toBe(1);
    expect(wild.stderr).toMatch(/error CERT_WILDCARD_CN/);
    const changed = await hds(
      'cert',
      'check',
      pki.path('good.p12'),
      '--password-file',
      pki.path('pass.txt'),
      '--trust-root',
      pki.path('root.pem'),
      '--previous-cn',
      'hds.other.org',
      '--json',
    );
    expect(JSON.parse(changed.stdout).errors[0].code).toBe('CERT_CN_CHANGED');
  });

  it('exit 2 without a password source', async () => {
    expect((await hds('cert', 'check', pki.path('good.p12'))).code).toBe(2);
  });
});

describe('hds-setup cert csr + assemble', () => {
  it('makes a key and CSR, then assembles the CA reply into a PKCS12 that OpenSSL opens', async () => {
    const key = pki.path('cli.key');
    const csr = pki.path('cli.csr');
    const made = await hds(
      'cert',
      'csr',
      '--cn',
      'kms.example.org',
      '--san',
      'kms-b.example.org',
      '--key-type',
      'ec-p256',
      '--key-out',
      key,
      '--csr-out',
      csr,
    );
    expect(made.code).toBe(0);
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(
      (await hds('cert', 'csr', '--cn', 'kms.example.org', '--key-out', key, '--csr-out', pki.path('x.csr')))
        .code,
    ).toBe(2);

    const issued = pki.signCsr(readFileSync(csr, 'utf8'), ['kms.example.org']);
    writeFileSync(pki.path('reply.pem'), issued.certPem + pki.intermediatePem);
    const out = pki.path('cli.p12');
    const assembled = await hds(
      'cert',
      'assemble',
      '--key',
      key,
      '--chain',
      pki.path('reply.pem'),
      '--out',
      out,
      '--password-file',
      pki.path('pass.txt'),
      '--trust-root',
      pki.path('root.pem'),
      '--json',
    );
    expect(assembled.code).toBe(0);
    expect(JSON.parse(assembled.stdout).certificate.cn).toBe('kms.example.org');
    const info = execFileSync('openssl', ['pkcs12', '-in', out, '-nokeys', '-passin', `pass:${PASSWORD}`], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
    expect(info).toContain('friendlyName: kms-private-key');
  });
});
