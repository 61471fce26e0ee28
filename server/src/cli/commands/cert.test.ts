import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestPki } from '../../../../scripts/test-env/certificate-fixtures.js';
import { opensslEncryptKey } from '../../../../scripts/test-env/openssl-keys.js';
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

  it('a file that is not a PKCS12 (PEM certificate, 2 MB of bytes) is P12_INVALID, exit 1, no stack', async () => {
    writeFileSync(pki.path('cert-as-p12.p12'), readFileSync(pki.path('intermediate.pem')));
    writeFileSync(pki.path('huge.p12'), Buffer.alloc(2 * 1024 * 1024, 0x30));
    for (const [file, message] of [
      ['cert-as-p12.p12', /PEM certificate/],
      ['huge.p12', /too large to be a PKCS12 file/],
    ] as const) {
      const r = await hds('cert', 'check', pki.path(file), '--password-file', pki.path('pass.txt'), '--json');
      expect(r.code).toBe(1);
      const body = JSON.parse(r.stdout);
      expect(body.errors).toEqual([expect.objectContaining({ code: 'P12_INVALID', field: 'p12' })]);
      expect(body.errors[0].message).toMatch(message);
      const human = await hds('cert', 'check', pki.path(file), '--password-file', pki.path('pass.txt'));
      expect(human.code).toBe(1);
      expect(human.stderr).toMatch(/^error P12_INVALID \(p12\): /);
      expect(human.stderr + human.stdout).not.toMatch(/\n\s+at |PASSWORD|cli-p12-password/);
    }
  });

  it('exit 2 without a password source; exit 1 when the variable named is not set', async () => {
    expect((await hds('cert', 'check', pki.path('good.p12'))).code).toBe(2);
    const unset = await hds('cert', 'check', pki.path('good.p12'), '--password-env', 'HDS_TEST_UNSET_VAR');
    expect(unset.code).toBe(1);
    expect(unset.stderr).toMatch(/HDS_TEST_UNSET_VAR is not set: export it/);
  });

  it('--answers checks the certificate: section as build reads it, errors named by its fields', async () => {
    const answers = (name: string, section: string) => {
      writeFileSync(pki.path(name), `certificate:\n${section}\n`);
      return pki.path(name);
    };
    const good = await hds(
      'cert',
      'check',
      '--answers',
      answers('good.yaml', '  p12: ./good.p12\n  passwordFile: ./pass.txt\n  trustRoots: [./root.pem]'),
      '--json',
    );
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ ok: true, certificate: { cn: 'kms.example.org' } });
    writeFileSync(pki.path('wrong.txt'), 'not-the-password');
    const wrong = await hds(
      'cert',
      'check',
      '--answers',
      answers('wrong.yaml', '  p12: ./good.p12\n  passwordFile: ./wrong.txt'),
      '--json',
    );
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout).errors[0]).toMatchObject({
      code: 'P12_BAD_PASSWORD',
      field: 'certificate.password',
    });
    const reuse = await hds('cert', 'check', '--answers', answers('reuse.yaml', '  reuse: true'), '--json');
    expect(JSON.parse(reuse.stdout).errors[0]).toMatchObject({
      code: 'ANSWERS_INVALID',
      field: 'certificate.reuse',
    });
    expect((await hds('cert', 'check')).code).toBe(2);
    expect((await hds('cert', 'check', pki.path('good.p12'), '--answers', pki.path('good.yaml'))).code).toBe(
      2,
    );
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
    ).toBe(1);

    const issued = pki.signCsr(readFileSync(csr, 'utf8'), ['kms.example.org']);
    writeFileSync(pki.path('reply.pem'), issued.certPem + pki.intermediatePem);
    const out = pki.path('cli.p12');
    const assemble = () =>
      hds(
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
    const assembled = await assemble();
    expect(assembled.code).toBe(0);
    expect(JSON.parse(assembled.stdout).certificate.cn).toBe('kms.example.org');
    const info = execFileSync('openssl', ['pkcs12', '-in', out, '-nokeys', '-passin', `pass:${PASSWORD}`], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
    expect(info).toContain('friendlyName: kms-private-key');
    // Written whole through a temporary file beside it, then linked into place: none is left behind,
    // the modes are kept, and an existing keystore is still never replaced.
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readdirSync(dirname(out)).filter((n) => n.endsWith('.part'))).toEqual([]);
    const again = await assemble();
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout).errors[0]).toMatchObject({
      field: 'out',
      message: expect.stringMatching(/already exists; choose another path/),
    });
    expect(readdirSync(dirname(out)).filter((n) => n.endsWith('.part'))).toEqual([]);
  });
});

describe('hds-setup cert csr + assemble: the page’s rules, nothing half written', () => {
  const csr = (...args: string[]) => hds('cert', 'csr', '--cn', 'kms.example.org', ...args, '--json');

  it('checks the subject like the Certificate page (two-letter country, 64-character organization)', async () => {
    const country = await csr(
      '--country',
      'USA',
      '--key-out',
      pki.path('c1.key'),
      '--csr-out',
      pki.path('c1.csr'),
    );
    expect(country.code).toBe(1);
    expect(JSON.parse(country.stdout).errors[0]).toMatchObject({ code: 'INVALID_INPUT', field: 'country' });
    const org = await csr(
      '--org',
      'O'.repeat(65),
      '--key-out',
      pki.path('c2.key'),
      '--csr-out',
      pki.path('c2.csr'),
    );
    expect(JSON.parse(org.stdout).errors[0]).toMatchObject({ code: 'INVALID_INPUT', field: 'organization' });
    expect(existsSync(pki.path('c1.key')) || existsSync(pki.path('c2.key'))).toBe(false);
  });

  it('refuses one path for both the key and the CSR before writing anything', async () => {
    const same = await csr('--key-out', pki.path('same.pem'), '--csr-out', pki.path('same.pem'));
    expect(same.code).toBe(2);
    expect(existsSync(pki.path('same.pem'))).toBe(false);
  });

  it('a CSR that cannot be written leaves no orphan key, and says so without "unexpectedly"', async () => {
    const r = await csr('--key-out', pki.path('lone.key'), '--csr-out', pki.path('no-such-folder/lone.csr'));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).errors[0]).toMatchObject({ code: 'INVALID_INPUT', field: 'csrOut' });
    expect(r.stdout).toMatch(/Choose a folder you can write to/);
    expect(existsSync(pki.path('lone.key'))).toBe(false);
  });

  it('assemble asks for a PKCS12 password of at least 8 characters, like the page’s download', async () => {
    const key = pki.path('short.key');
    expect((await csr('--key-out', key, '--csr-out', pki.path('short.csr'))).code).toBe(0);
    const issued = pki.signCsr(readFileSync(pki.path('short.csr'), 'utf8'), ['kms.example.org']);
    writeFileSync(pki.path('short-reply.pem'), issued.certPem + pki.intermediatePem);
    writeFileSync(pki.path('short.pass'), 'abc\n');
    const assemble = (out: string, pass: string) =>
      hds(
        'cert',
        'assemble',
        '--key',
        key,
        '--chain',
        pki.path('short-reply.pem'),
        '--out',
        out,
        '--password-file',
        pass,
        '--trust-root',
        pki.path('root.pem'),
        '--json',
      );
    const short = await assemble(pki.path('short.p12'), pki.path('short.pass'));
    expect(short.code).toBe(1);
    expect(JSON.parse(short.stdout).errors[0]).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'passwordFile',
    });
    expect(existsSync(pki.path('short.p12'))).toBe(false);
    const unwritable = await assemble(pki.path('no-such-folder/kms.p12'), pki.path('pass.txt'));
    expect(JSON.parse(unwritable.stdout).errors[0]).toMatchObject({ code: 'INVALID_INPUT', field: 'out' });
  });
});

describe('hds-setup cert assemble: the files a CA and OpenSSL actually hand over', () => {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  let key: string;
  let leafPem: string;
  const KEY_PASSPHRASE = 'key-Passphrase-42';

  beforeAll(() => {
    // An OpenSSL-made key and CSR (not hds-setup's), signed by the test CA.
    key = pki.path('ossl.key');
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key);
    openssl('req', '-new', '-key', key, '-subj', '/CN=kms.example.org', '-out', pki.path('ossl.csr'));
    leafPem = pki.signCsr(readFileSync(pki.path('ossl.csr'), 'utf8'), ['kms.example.org']).certPem;
    writeFileSync(pki.path('ossl-leaf.pem'), leafPem);
    openssl('x509', '-in', pki.path('ossl-leaf.pem'), '-outform', 'DER', '-out', pki.path('ossl-leaf.cer'));
    openssl('x509', '-in', pki.path('intermediate.pem'), '-outform', 'DER', '-out', pki.path('inter.der'));
    writeFileSync(pki.path('inter.pem'), pki.intermediatePem);
    // The same key encrypted by OpenSSL (PKCS#8, AES-256), and a traditional RSA key with its certificate.
    opensslEncryptKey(key, pki.path('ossl-enc.key'), KEY_PASSPHRASE, ['pkey', '-aes256']);
    openssl(
      'genrsa',
      '-traditional',
      '-aes256',
      '-passout',
      `pass:${KEY_PASSPHRASE}`,
      '-out',
      pki.path('trad.key'),
      '2048',
    );
    openssl(
      'req',
      '-new',
      '-key',
      pki.path('trad.key'),
      '-passin',
      `pass:${KEY_PASSPHRASE}`,
      '-subj',
      '/CN=kms.example.org',
      '-out',
      pki.path('trad.csr'),
    );
    writeFileSync(
      pki.path('trad-leaf.pem'),
      pki.signCsr(readFileSync(pki.path('trad.csr'), 'utf8'), ['kms.example.org']).certPem,
    );
    writeFileSync(pki.path('key-pass.txt'), `${KEY_PASSPHRASE}\n`);
  });

  const assemble = (keyFile: string, chains: string[], out: string, extra: string[] = []) =>
    hds(
      'cert',
      'assemble',
      '--key',
      keyFile,
      ...chains.flatMap((c) => ['--chain', c]),
      '--out',
      out,
      '--password-file',
      pki.path('pass.txt'),
      '--trust-root',
      pki.path('root.pem'),
      ...extra,
      '--json',
    );

  /** The key inside a PKCS12 written by assemble, as OpenSSL reads it (PEM, unencrypted). */
  const keyIn = (p12: string) =>
    execFileSync('openssl', ['pkcs12', '-in', p12, '-nocerts', '-nodes', '-passin', `pass:${PASSWORD}`], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
  /** The public key of a PEM private key, for comparing keys without printing them. */
  const publicOf = (pem: string, passphrase?: string) =>
    createPublicKey(createPrivateKey({ key: pem, format: 'pem', ...(passphrase ? { passphrase } : {}) }))
      .export({ type: 'spki', format: 'pem' })
      .toString();

  it('an encrypted PKCS#8 key (openssl pkey -aes256) assembles with --key-password-file or --key-password-env', async () => {
    const encrypted = pki.path('ossl-enc.key');
    expect(readFileSync(encrypted, 'utf8')).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
    const chain = [pki.path('ossl-leaf.pem'), pki.path('inter.pem')];
    const fromFile = await assemble(encrypted, chain, pki.path('enc.p12'), [
      '--key-password-file',
      pki.path('key-pass.txt'),
    ]);
    expect(fromFile.code).toBe(0);
    expect(JSON.parse(fromFile.stdout).certificate.cn).toBe('kms.example.org');
    // The PKCS12 holds the very key the passphrase unlocked, under the PKCS12's own password.
    expect(publicOf(keyIn(pki.path('enc.p12')))).toBe(publicOf(readFileSync(key, 'utf8')));
    expect(fromFile.stdout).not.toContain(KEY_PASSPHRASE);

    process.env.HDS_TEST_KEY_PASSPHRASE = KEY_PASSPHRASE;
    try {
      const fromEnv = await assemble(encrypted, chain, pki.path('enc-env.p12'), [
        '--key-password-env',
        'HDS_TEST_KEY_PASSPHRASE',
      ]);
      expect(fromEnv.code).toBe(0);
    } finally {
      delete process.env.HDS_TEST_KEY_PASSPHRASE;
    }
  });

  it('a traditional encrypted RSA key (openssl genrsa -traditional -aes256, Proc-Type: 4,ENCRYPTED) assembles with its passphrase', async () => {
    const rsa = pki.path('trad.key');
    expect(readFileSync(rsa, 'utf8')).toMatch(/Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC/);
    // A passphrase file written on Windows: the CRLF is not part of the passphrase.
    writeFileSync(pki.path('key-pass-crlf.txt'), `${KEY_PASSPHRASE}\r\n`);
    const r = await assemble(rsa, [pki.path('trad-leaf.pem'), pki.path('inter.pem')], pki.path('trad.p12'), [
      '--key-password-file',
      pki.path('key-pass-crlf.txt'),
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).certificate.keyType).toBe('RSA');
    expect(publicOf(keyIn(pki.path('trad.p12')))).toBe(publicOf(readFileSync(rsa, 'utf8'), KEY_PASSPHRASE));
  });

  it('a key made with openssl pkcs8 -topk8 -v2 aes-256-cbc assembles; a wrong passphrase is CERT_KEY_BAD_PASSWORD and writes nothing', async () => {
    const topk8 = pki.path('topk8.key');
    opensslEncryptKey(key, topk8, KEY_PASSPHRASE, ['pkcs8', '-topk8', '-v2', 'aes-256-cbc']);
    writeFileSync(pki.path('key-pass-no-newline.txt'), KEY_PASSPHRASE);
    const chain = [pki.path('ossl-leaf.pem'), pki.path('inter.pem')];
    expect(
      (
        await assemble(topk8, chain, pki.path('topk8.p12'), [
          '--key-password-file',
          pki.path('key-pass-no-newline.txt'),
        ])
      ).code,
    ).toBe(0);

    writeFileSync(pki.path('wrong-pass.txt'), 'not-the-Passphrase\n');
    const wrong = await assemble(topk8, chain, pki.path('wrong.p12'), [
      '--key-password-file',
      pki.path('wrong-pass.txt'),
    ]);
    expect(wrong.code).toBe(1);
    const error = JSON.parse(wrong.stdout).errors[0];
    expect(error).toMatchObject({ code: 'CERT_KEY_BAD_PASSWORD', field: 'keyPasswordFile' });
    expect(error.message).toBe(
      `The passphrase in ${pki.path('wrong-pass.txt')} does not decrypt the private key ${topk8}. Give the passphrase the key was encrypted with (the PEM pass phrase OpenSSL asked for when it wrote the key), alone on the first line of the file.`,
    );
    expect(wrong.stdout).not.toContain('not-the-Passphrase');
    expect(existsSync(pki.path('wrong.p12'))).toBe(false);

    process.env.HDS_TEST_KEY_PASSPHRASE = 'also-wrong';
    try {
      const wrongEnv = await assemble(topk8, chain, pki.path('wrong.p12'), [
        '--key-password-env',
        'HDS_TEST_KEY_PASSPHRASE',
      ]);
      expect(JSON.parse(wrongEnv.stdout).errors[0]).toMatchObject({
        code: 'CERT_KEY_BAD_PASSWORD',
        field: 'keyPasswordEnv',
        message: expect.stringMatching(
          /^The passphrase in the environment variable HDS_TEST_KEY_PASSPHRASE does not decrypt/,
        ),
      });
    } finally {
      delete process.env.HDS_TEST_KEY_PASSPHRASE;
    }
  });

  it('an encrypted key without a passphrase option says how to give it; both options at once or an unset variable are refused', async () => {
    const encrypted = pki.path('ossl-enc.key');
    const chain = [pki.path('ossl-leaf.pem'), pki.path('inter.pem')];
    const r = await assemble(encrypted, chain, pki.path('nopass.p12'));
    expect(r.code).toBe(1);
    const error = JSON.parse(r.stdout).errors[0];
    expect(error).toMatchObject({ code: 'CERT_PEM_INVALID', field: 'key' });
    expect(error.message).toBe(
      `${encrypted} is an encrypted private key (it is protected by a passphrase). Give its passphrase with --key-password-file <file> (the passphrase alone on the first line) or --key-password-env <VAR>; hds-setup decrypts the key in memory only, and the PKCS12 protects it with its own password.`,
    );
    const trad = await assemble(pki.path('trad.key'), chain, pki.path('nopass.p12'));
    expect(JSON.parse(trad.stdout).errors[0].message).toContain('is an encrypted private key');
    expect(existsSync(pki.path('nopass.p12'))).toBe(false);

    const both = await assemble(encrypted, chain, pki.path('both.p12'), [
      '--key-password-file',
      pki.path('key-pass.txt'),
      '--key-password-env',
      'HOME',
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/at most one of --key-password-file <file> or --key-password-env <VAR>/);
    const unset = await assemble(encrypted, chain, pki.path('unset.p12'), [
      '--key-password-env',
      'HDS_TEST_NO_SUCH_VARIABLE',
    ]);
    expect(unset.code).toBe(1);
    expect(JSON.parse(unset.stdout).errors[0]).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'keyPasswordEnv',
    });

    const help = await hds('cert', 'assemble', '--help');
    expect(help.stdout).toMatch(/--key-password-file <file>/);
    expect(help.stdout).toMatch(/--key-password-env <VAR>/);
  });

  it('a key encrypted with a legacy algorithm (PBES1, RC2) is named so, with the openssl command that re-encrypts it', async () => {
    const legacy = pki.path('legacy.key');
    opensslEncryptKey(key, legacy, KEY_PASSPHRASE, [
      'pkcs8',
      '-topk8',
      '-v1',
      'PBE-SHA1-RC2-64',
      '-provider',
      'legacy',
      '-provider',
      'default',
    ]);
    const chain = [pki.path('ossl-leaf.pem'), pki.path('inter.pem')];
    const r = await assemble(legacy, chain, pki.path('legacy.p12'), [
      '--key-password-file',
      pki.path('key-pass.txt'),
    ]);
    expect(r.code).toBe(1);
    const error = JSON.parse(r.stdout).errors[0];
    expect(error).toMatchObject({ code: 'CERT_PEM_INVALID', field: 'key' });
    const command = `openssl pkcs8 -topk8 -v2 aes-256-cbc -provider legacy -provider default -in ${legacy} -out key-aes.pem`;
    expect(error.message).toContain(command);
    // The way out the message gives works.
    openssl(
      ...command
        .split(' ')
        .slice(1)
        .map((a) => (a === 'key-aes.pem' ? pki.path('key-aes.pem') : a)),
      '-passin',
      `pass:${KEY_PASSPHRASE}`,
      '-passout',
      `pass:${KEY_PASSPHRASE}`,
    );
    expect(
      (
        await assemble(pki.path('key-aes.pem'), chain, pki.path('re.p12'), [
          '--key-password-file',
          pki.path('key-pass.txt'),
        ])
      ).code,
    ).toBe(0);
  });

  it('DER certificates (openssl x509 -outform DER) are accepted as --chain, one file each', async () => {
    const out = pki.path('der.p12');
    const r = await assemble(key, [pki.path('ossl-leaf.cer'), pki.path('inter.der')], out);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).certificate.cn).toBe('kms.example.org');
    const certs = execFileSync('openssl', ['pkcs12', '-in', out, '-nokeys', '-passin', `pass:${PASSWORD}`], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
    // Leaf and intermediate from the DER files, the root from --trust-root.
    expect(certs.match(/BEGIN CERTIFICATE/g)).toHaveLength(3);
    // A DER leaf next to the CA's PEM bundle works as well.
    const mixed = await assemble(
      key,
      [pki.path('ossl-leaf.cer'), pki.path('inter.pem')],
      pki.path('mixed.p12'),
    );
    expect(mixed.code).toBe(0);
  });

  it('a --chain file that is neither PEM nor a DER certificate keeps the PEM message', async () => {
    writeFileSync(pki.path('garbage.bin'), Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05]));
    const r = await assemble(key, [pki.path('garbage.bin')], pki.path('garbage.p12'));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).errors[0]).toMatchObject({ code: 'CERT_PEM_INVALID', field: 'chain' });
  });
});
