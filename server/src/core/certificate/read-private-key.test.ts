import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opensslEncryptKey } from '../../../../scripts/test-env/openssl-keys.js';
import { refusalOf } from '../../../../scripts/test-env/refusals.js';
import { type KeyPassphrase, readPrivateKeyPem } from './read-private-key.js';

const PASSPHRASE = 'the-Key-Passphrase';

/** PEM keys written by the real openssl (3.x), plain and encrypted the ways admins encrypt them. */
describe('readPrivateKeyPem with keys made by openssl', () => {
  let dir: string;
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const file = (name: string) => ({
    pem: readFileSync(join(dir, name)),
    path: name,
    field: 'key',
    howToGivePassphrase: '--key-password-file <file>',
    howToGiveKey: '--key',
  });
  const given = (value: string): KeyPassphrase => ({
    value: Buffer.from(value),
    source: 'pass.txt',
    field: 'keyPasswordFile',
    fromFile: true,
  });
  const spki = (key: KeyObject) => createPublicKey(key).export({ type: 'spki', format: 'der' });
  let plain: KeyObject;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hds-key-pem-'));
    const out = (name: string) => join(dir, name);
    const pass = `pass:${PASSPHRASE}`;
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', out('plain.pem'));
    const encrypt = (name: string, how: string[]) =>
      opensslEncryptKey(out('plain.pem'), out(name), PASSPHRASE, how);
    encrypt('pkey-aes256.pem', ['pkey', '-aes256']);
    encrypt('topk8.pem', ['pkcs8', '-topk8', '-v2', 'aes-256-cbc']);
    encrypt('scrypt.pem', ['pkcs8', '-topk8', '-scrypt']);
    encrypt('pbe-3des.pem', ['pkcs8', '-topk8', '-v1', 'PBE-SHA1-3DES']);
    encrypt('ec-traditional.pem', ['ec', '-aes128']);
    openssl(
      'genrsa',
      '-traditional',
      '-aes256',
      '-passout',
      pass,
      '-out',
      out('rsa-traditional.pem'),
      '2048',
    );
    // OpenSSL 3's genrsa writes PKCS#8 unless told -traditional.
    openssl('genrsa', '-aes256', '-passout', pass, '-out', out('genrsa-default.pem'), '2048');
    const legacy = ['-provider', 'legacy', '-provider', 'default'];
    encrypt('pbe-rc2.pem', ['pkcs8', '-topk8', '-v1', 'PBE-SHA1-RC2-64', ...legacy]);
    encrypt('ec-des.pem', ['ec', '-des', ...legacy]);
    plain = readPrivateKeyPem(file('plain.pem'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['pkey-aes256.pem', '-----BEGIN ENCRYPTED PRIVATE KEY-----'],
    ['topk8.pem', '-----BEGIN ENCRYPTED PRIVATE KEY-----'],
    ['scrypt.pem', '-----BEGIN ENCRYPTED PRIVATE KEY-----'],
    ['pbe-3des.pem', '-----BEGIN ENCRYPTED PRIVATE KEY-----'],
    ['ec-traditional.pem', 'Proc-Type: 4,ENCRYPTED'],
  ])('%s: decrypts to the same key with the passphrase', (name, marker) => {
    expect(readFileSync(join(dir, name), 'utf8')).toContain(marker);
    expect(spki(readPrivateKeyPem(file(name), given(PASSPHRASE)))).toEqual(spki(plain));
  });

  it('RSA keys from genrsa -aes256, traditional (Proc-Type) and default (PKCS#8)', () => {
    for (const name of ['rsa-traditional.pem', 'genrsa-default.pem'])
      expect(readPrivateKeyPem(file(name), given(PASSPHRASE)).asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('an unencrypted key reads with or without a passphrase (ignored, as openssl -passin does)', () => {
    expect(spki(readPrivateKeyPem(file('plain.pem'), given('anything')))).toEqual(spki(plain));
  });

  it('an encrypted key without a passphrase says how to give one', () => {
    for (const name of ['topk8.pem', 'ec-traditional.pem']) {
      const error = refusalOf(() => readPrivateKeyPem(file(name)));
      expect(error).toMatchObject({ code: 'CERT_PEM_INVALID', field: 'key' });
      expect(error.message).toContain(`${name} is an encrypted private key`);
      expect(error.message).toContain('--key-password-file <file>');
    }
  });

  it('every wrong passphrase is CERT_KEY_BAD_PASSWORD, also the ~1 in 256 that passes the padding check', () => {
    // A wrong passphrase that decrypts to valid padding (Node then reports no bad decrypt).
    const pem = file('topk8.pem').pem;
    const pastPadding = Array.from({ length: 5000 }, (_, i) => `wrong-${i}`).find((wrong) => {
      try {
        createPrivateKey({ key: pem, format: 'pem', passphrase: wrong });
        return false;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code !== 'ERR_OSSL_BAD_DECRYPT';
      }
    });
    expect(pastPadding).toBeDefined();
    for (const wrong of [pastPadding!, 'wrong', PASSPHRASE.toUpperCase(), `${PASSPHRASE} `]) {
      const refusal = refusalOf(() => readPrivateKeyPem(file('topk8.pem'), given(wrong)));
      expect(refusal).toMatchObject({ code: 'CERT_KEY_BAD_PASSWORD', field: 'keyPasswordFile' });
      expect(refusal.message).toBe(
        'The passphrase in pass.txt does not decrypt the private key topk8.pem. Give the passphrase the key was encrypted with (the PEM pass phrase OpenSSL asked for when it wrote the key), alone on the first line of the file.',
      );
    }
    const traditional = refusalOf(() => readPrivateKeyPem(file('ec-traditional.pem'), given('')));
    expect(traditional.code).toBe('CERT_KEY_BAD_PASSWORD');
  });

  it('PBES1 RC2 and traditional DES (OpenSSL 3 legacy provider) name the re-encrypt command', () => {
    for (const name of ['pbe-rc2.pem', 'ec-des.pem']) {
      const error = refusalOf(() => readPrivateKeyPem(file(name), given(PASSPHRASE)));
      expect(error).toMatchObject({ code: 'CERT_PEM_INVALID', field: 'key' });
      expect(error.message).toContain(
        `openssl pkcs8 -topk8 -v2 aes-256-cbc -provider legacy -provider default -in ${name} -out key-aes.pem`,
      );
    }
  });

  it('a file that is no key at all is CERT_PEM_INVALID naming the file', () => {
    const error = refusalOf(() =>
      readPrivateKeyPem({ ...file('plain.pem'), pem: Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n') }),
    );
    expect(error).toMatchObject({ code: 'CERT_PEM_INVALID', field: 'key' });
    expect(error.message).toMatch(/^plain\.pem is not a readable PEM private key/);
  });
});
