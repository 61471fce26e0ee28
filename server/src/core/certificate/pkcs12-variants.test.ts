import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HdsError } from '../../../../contract/hds-error.js';
import { type IssuedLeaf, TestPki } from '../../../../scripts/test-env/certificate-fixtures.js';
import { checkPkcs12 } from './index.js';

/**
 * The encryption and MAC options an admin may have given `openssl pkcs12 -export` (OpenSSL 3),
 * and the wrong files an admin may pick instead of a PKCS12. Every file is made here with OpenSSL.
 */
const PASSWORD = 'Variant-pass 7';
const pw = Buffer.from(PASSWORD);
let pki: TestPki;
let leaf: IssuedLeaf;
let trust: { trustRoots: string[] };

beforeAll(() => {
  pki = new TestPki();
  leaf = pki.issueLeaf({ key: 'rsa:2048' });
  trust = { trustRoots: [pki.rootPem] };
});
afterAll(() => pki.cleanup());

async function refusal(bytes: Buffer, password: Buffer = pw): Promise<HdsError> {
  try {
    await checkPkcs12(bytes, password, trust);
  } catch (error) {
    if (error instanceof HdsError) return error;
    throw error;
  }
  throw new Error('the file was accepted');
}

describe('every encryption and MAC OpenSSL 3 writes opens, and a wrong password is P12_BAD_PASSWORD', () => {
  const variants: [string, string[]][] = [
    ['PBES2 Camellia-256 key', ['-keypbe', 'CAMELLIA-256-CBC']],
    ['PBES2 ARIA-128 key and ARIA-256 certificates', ['-keypbe', 'ARIA-128-CBC', '-certpbe', 'ARIA-256-CBC']],
    ['PBES2 DES-CBC', ['-legacy', '-keypbe', 'DES-CBC', '-certpbe', 'DES-CBC']],
    ['PBES2 RC2-CBC key', ['-legacy', '-keypbe', 'RC2-CBC']],
    ['PKCS#5 v1.5 MD5/DES key', ['-legacy', '-keypbe', 'PBE-MD5-DES']],
    ['PKCS#5 v1.5 SHA-1/RC2-64 key', ['-legacy', '-keypbe', 'PBE-SHA1-RC2-64', '-certpbe', 'PBE-SHA1-DES']],
    ['PKCS12 RC4-40 key', ['-legacy', '-keypbe', 'PBE-SHA1-RC4-40']],
    [
      'PKCS12 2-key 3DES key, RC4-128 certificates',
      ['-legacy', '-keypbe', 'PBE-SHA1-2DES', '-certpbe', 'PBE-SHA1-RC4-128'],
    ],
    ['SHA-224 MAC', ['-macalg', 'sha224']],
    ['SHA-512/224 MAC', ['-macalg', 'sha512-224']],
    ['SHA-512/256 MAC', ['-macalg', 'sha512-256']],
    ['SHA3-256 MAC', ['-macalg', 'sha3-256']],
    ['SHA3-512 MAC', ['-macalg', 'sha3-512']],
  ];
  for (const [name, exportArgs] of variants)
    it(name, async () => {
      const p12 = pki.pkcs12(leaf, PASSWORD, { exportArgs });
      const result = await checkPkcs12(p12, pw, trust);
      expect(result.summary).toMatchObject({ cn: 'kms.example.org', keyType: 'RSA', keySize: 2048 });
      expect(result.summary.chain).toHaveLength(3);
      expect((await refusal(p12, Buffer.from('not the password'))).code).toBe('P12_BAD_PASSWORD');
    });

  it('an encryption hds-setup cannot read is P12_INVALID naming it and saying how to export again', async () => {
    for (const exportArgs of [
      ['-keypbe', 'AES-256-OFB'],
      ['-legacy', '-keypbe', 'SEED-CBC'],
    ]) {
      const error = await refusal(pki.pkcs12(leaf, PASSWORD, { exportArgs }));
      expect(error.code).toBe('P12_INVALID');
      expect(error.message).toMatch(/encrypt/i);
      expect(error.message).toMatch(/AES-256/);
    }
  });
});

describe('a file that is not a PKCS12 is P12_INVALID saying what it is and what to do', () => {
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: pki.dir });

  it('a PEM or DER certificate', async () => {
    const pem = await refusal(Buffer.from(leaf.certPem));
    expect(pem.code).toBe('P12_INVALID');
    expect(pem.message).toMatch(/PEM certificate/);
    expect(pem.message).toMatch(/openssl pkcs12 -export|Create a key and CSR/);
    const der = await refusal(openssl(['x509', '-in', leaf.certPath, '-outform', 'DER']));
    expect(der.code).toBe('P12_INVALID');
    expect(der.message).toMatch(/DER certificate/);
  });

  it('a PEM or DER private key', async () => {
    const pem = await refusal(Buffer.from(leaf.keyPem));
    expect(pem.code).toBe('P12_INVALID');
    expect(pem.message).toMatch(/This is a private key/);
    expect(pem.message).not.toContain(leaf.keyPem.split('\n')[1]!);
    const der = await refusal(
      openssl(['pkcs8', '-topk8', '-nocrypt', '-in', leaf.keyPath, '-outform', 'DER']),
    );
    expect(der.code).toBe('P12_INVALID');
    expect(der.message).toMatch(/This is a private key/);
  });

  it('a PKCS#7 (.p7b) bundle, a Java JKS keystore, a base64-encoded PKCS12', async () => {
    const p7b = await refusal(
      openssl(['crl2pkcs7', '-nocrl', '-certfile', leaf.certPath, '-outform', 'DER']),
    );
    expect(p7b.code).toBe('P12_INVALID');
    expect(p7b.message).toMatch(/PKCS#7/);

    const jks = `${pki.dir}/store.jks`;
    execFileSync(
      'keytool',
      [
        '-J-XX:TieredStopAtLevel=1',
        '-genkeypair',
        '-alias',
        'kms',
        '-keyalg',
        'EC',
        '-dname',
        'CN=kms.example.org',
        '-keystore',
        jks,
        '-storetype',
        'JKS',
        '-storepass',
        PASSWORD,
      ],
      { stdio: 'ignore' },
    );
    const javaStore = await refusal(readFileSync(jks));
    expect(javaStore.code).toBe('P12_INVALID');
    expect(javaStore.message).toMatch(/JKS/);
    expect(javaStore.message).toMatch(/keytool -importkeystore/);

    const base64 = await refusal(Buffer.from(pki.pkcs12(leaf, PASSWORD).toString('base64')));
    expect(base64.code).toBe('P12_INVALID');
    expect(base64.message).toMatch(/base64/);
  });
});

describe('a file exported with two passwords (openssl -twopass)', () => {
  it('is P12_BAD_PASSWORD with either one, saying the file has two passwords and to export it with one', async () => {
    // -twopass reads the integrity (MAC) password, then the encryption password, from the terminal.
    const input = `${pki.dir}/twopass.txt`;
    writeFileSync(input, 'Integrity-pass 1\nIntegrity-pass 1\nEncryption-pass 2\nEncryption-pass 2\n');
    execFileSync(
      'sh',
      [
        '-c',
        `setsid openssl pkcs12 -export -twopass -in "${leaf.certPath}" -inkey "${leaf.keyPath}" -out twopass.p12 < "${input}"`,
      ],
      { cwd: pki.dir, stdio: 'ignore' },
    );
    const p12 = readFileSync(`${pki.dir}/twopass.p12`);
    for (const password of ['Integrity-pass 1', 'Encryption-pass 2']) {
      const error = await refusal(p12, Buffer.from(password));
      expect(error.code).toBe('P12_BAD_PASSWORD');
      expect(error.field).toBe('password');
      expect(error.message).toMatch(/two passwords/);
      expect(error.message).not.toContain(password);
    }
    expect((await refusal(p12, Buffer.from('neither'))).message).not.toMatch(/two passwords/);
  });
});
