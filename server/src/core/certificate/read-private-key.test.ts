import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opensslEncryptKey } from '../../../../scripts/test-env/openssl-keys.js';
import { refusalOf } from '../../../../scripts/test-env/refusals.js';
import { type Asn1, parseDer, toDer } from './der.js';
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
    encrypt('iter2048.pem', ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-iter', '2048']);
    encrypt('scrypt-p4.pem', [
      'pkcs8',
      '-topk8',
      '-scrypt',
      '-scrypt_N',
      '16384',
      '-scrypt_r',
      '8',
      '-scrypt_p',
      '4',
    ]);
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

  /** An openssl-made encrypted key with its DER edited, as a PEM file of the same name. */
  const edited = (name: string, edit: (der: Buffer) => Buffer) => {
    const body = readFileSync(join(dir, name), 'utf8').replace(/-----[A-Z ]+-----|\s/g, '');
    const der = edit(Buffer.from(body, 'base64')).toString('base64').replace(/.{64}/g, '$&\n');
    return {
      ...file(name),
      pem: Buffer.from(
        `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${der}\n-----END ENCRYPTED PRIVATE KEY-----\n`,
      ),
    };
  };
  /** The KDF parameters' INTEGERs (PBKDF2: iterations; scrypt: N, r, p) replaced by `values`. */
  const withKdfIntegers = (name: string, ...values: number[]) =>
    edited(name, (der) => {
      const root = parseDer(der);
      const kdfParams = (
        (((root.value as Asn1[])[0]!.value as Asn1[])[1]!.value as Asn1[])[0]!.value as Asn1[]
      )[1]!;
      const fields = kdfParams.value as Asn1[];
      values.forEach((value, i) => {
        // Unsigned big-endian with a leading 0 when the top bit is set (DER INTEGER); forge stops at 32 bits.
        const hex = value.toString(16).padStart(Math.ceil(value.toString(16).length / 2) * 2, '0');
        const bytes = Buffer.from(hex, 'hex');
        const content = bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
        fields[i + 1] = parseDer(Buffer.concat([Buffer.from([0x02, content.length]), content]));
      });
      return toDer(root);
    });
  const costlyRefusal = (pem: ReturnType<typeof file>, passphrase = PASSPHRASE) => {
    const error = refusalOf(() => readPrivateKeyPem(pem, given(passphrase)));
    expect(error).toMatchObject({ code: 'CERT_PEM_INVALID', field: 'key' });
    expect(error.message).toContain(`${pem.path} is refused before decrypting it: its encryption asks`);
    expect(error.message).toContain(
      `openssl pkcs8 -topk8 -v2 aes-256-cbc -in ${pem.path} -out key-aes.pem — then give key-aes.pem with --key.`,
    );
    return error.message;
  };

  it('PBKDF2 up to the PKCS12 limit of 10000000 iterations decrypts; more is refused before decrypting', () => {
    expect(spki(readPrivateKeyPem(file('iter2048.pem'), given(PASSPHRASE)))).toEqual(spki(plain));
    // What `-iter 20000000` writes (openssl itself takes 11 s to make it): openssl's key, count rewritten.
    const forged = withKdfIntegers('iter2048.pem', 20_000_000);
    expect(costlyRefusal(forged)).toContain(
      'asks for 20000000 PBKDF2 iterations (at most 10000000 are read)',
    );
    // Refused before any derivation: a wrong passphrase gets the same answer, not CERT_KEY_BAD_PASSWORD.
    expect(costlyRefusal(forged, 'wrong')).toContain('20000000 PBKDF2 iterations');
    expect(costlyRefusal(withKdfIntegers('iter2048.pem', 4_000_000_000))).toContain('4000000000 PBKDF2');
  });

  it("scrypt within OpenSSL 3's 32 MiB decrypts (N=16384, r=8, p=4); 1 GiB and a p of minutes are refused", () => {
    expect(spki(readPrivateKeyPem(file('scrypt-p4.pem'), given(PASSPHRASE)))).toEqual(spki(plain));
    // N=1048576, r=8: 1 GiB, which openssl pkcs8 -scrypt refuses to write (memory limit exceeded).
    expect(costlyRefusal(withKdfIntegers('scrypt.pem', 1_048_576, 8, 1))).toContain(
      'asks scrypt (N=1048576, r=8, p=1) for 1073747968 bytes of memory (at most 33554432 are given',
    );
    // 16 MiB of memory used 4000 times over: minutes of work in little memory.
    expect(costlyRefusal(withKdfIntegers('scrypt.pem', 16_384, 8, 4000))).toContain(
      'asks scrypt (N=16384, r=8, p=4000) to mix 67108864000 bytes (128·N·r·p; at most 268435456 are read)',
    );
  });

  it('a truncated or garbled EncryptedPrivateKeyInfo is the unreadable-key CERT_PEM_INVALID', () => {
    const unreadable = (pem: ReturnType<typeof file>) => {
      const error = refusalOf(() => readPrivateKeyPem(pem, given(PASSPHRASE)));
      expect(error).toMatchObject({ code: 'CERT_PEM_INVALID', field: 'key' });
      expect(error.message).toMatch(/^\S+ is not a readable PEM private key/);
    };
    for (const name of ['topk8.pem', 'scrypt.pem', 'pbe-3des.pem']) {
      unreadable(edited(name, (der) => der.subarray(0, der.length >> 1)));
      unreadable(edited(name, (der) => der.subarray(0, 40)));
      // The PBES2/PBE OID's tag made a BOOLEAN; a DER length past the end.
      unreadable(
        edited(name, (der) =>
          Buffer.from(der).fill(
            0x01,
            4 + (der[1] === 0x82 ? 2 : der[1] === 0x81 ? 1 : 0),
            5 + (der[1] === 0x82 ? 2 : der[1] === 0x81 ? 1 : 0),
          ),
        ),
      );
      unreadable(
        edited(name, (der) => Buffer.concat([Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff]), der])),
      );
    }
    unreadable({
      ...file('topk8.pem'),
      pem: Buffer.from('-----BEGIN ENCRYPTED PRIVATE KEY-----\n!!not base64!!\n'),
    });
    unreadable(edited('topk8.pem', () => Buffer.alloc(70_000, 0x30)));
  });

  it('a file that is no key at all is CERT_PEM_INVALID naming the file', () => {
    const error = refusalOf(() =>
      readPrivateKeyPem({ ...file('plain.pem'), pem: Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n') }),
    );
    expect(error).toMatchObject({ code: 'CERT_PEM_INVALID', field: 'key' });
    expect(error.message).toMatch(/^plain\.pem is not a readable PEM private key/);
  });
});
