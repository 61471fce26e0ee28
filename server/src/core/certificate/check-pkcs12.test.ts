import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../../contract/error-codes.js';
import { HdsError, HdsErrors } from '../../../../contract/hds-error.js';
import { type IssuedLeaf, TestPki } from '../../../../scripts/test-env/certificate-fixtures.js';
import { assemblePkcs12, checkPkcs12, completeCsr, createCsr, KMS_FRIENDLY_NAME } from './index.js';

const PASSWORD = 'Correct horse 42';
const pw = Buffer.from(PASSWORD);
let pki: TestPki;
let good: IssuedLeaf;
let trust: { trustRoots: string[] };

async function codesOf(promise: Promise<unknown>): Promise<ErrorCode[]> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HdsErrors) return error.errors.map((e) => e.code);
    if (error instanceof HdsError) return [error.code];
    throw error;
  }
  return [];
}

beforeAll(() => {
  pki = new TestPki();
  good = pki.issueLeaf({ key: 'rsa:2048' });
  trust = { trustRoots: [pki.rootPem] };
});
afterAll(() => pki.cleanup());

describe('PKCS12 files from real tools open and pass', () => {
  it('OpenSSL 3 default (PBES2/AES-256, SHA-256 MAC): details for the page', async () => {
    const result = await checkPkcs12(pki.pkcs12(good, PASSWORD), pw, trust);
    expect(result.summary).toMatchObject({
      cn: 'kms.example.org',
      sans: ['kms.example.org'],
      keyType: 'RSA',
      keySize: 2048,
      trust: 'private',
    });
    expect(result.summary.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(result.summary.daysToExpiry).toBeGreaterThan(360);
    expect(result.summary.chain.map((c) => [c.role, c.signatureAlgorithm])).toEqual([
      ['leaf', 'sha256WithRSAEncryption'],
      ['intermediate', 'sha256WithRSAEncryption'],
      ['root', 'sha256WithRSAEncryption'],
    ]);
    expect(result.summary.chain[2]).toMatchObject({ trust: 'private', addedFromTrustStore: true });
    expect(result.warnings.map((w) => w.code)).toEqual(['CERT_PRIVATE_ROOT']);
    expect(result.warnings[0]!.message).toMatch(/Other organisations' key servers will not trust/);
  });

  it('OpenSSL -legacy (3DES key, RC2 certificates, SHA-1 MAC), root included in the file', async () => {
    const p12 = pki.pkcs12(good, PASSWORD, { legacy: true, chain: ['intermediate', 'root'] });
    const result = await checkPkcs12(p12, pw, trust);
    expect(result.summary.chain).toHaveLength(3);
    expect(result.summary.chain[2]!.addedFromTrustStore).toBeUndefined();
  });

  it('an empty password and a file without MAC', async () => {
    await expect(checkPkcs12(pki.pkcs12(good, ''), Buffer.alloc(0), trust)).resolves.toBeDefined();
    await expect(checkPkcs12(pki.pkcs12(good, PASSWORD, { noMac: true }), pw, trust)).resolves.toBeDefined();
  });

  it('Java keytool, RSA and EC (P-256)', async () => {
    const rsa = await checkPkcs12(pki.keytool('RSA', PASSWORD), pw, trust);
    expect(rsa.summary).toMatchObject({ keyType: 'RSA', keySize: 2048, cn: 'kms.example.org' });
    const ec = await checkPkcs12(pki.keytool('EC', PASSWORD), pw, trust);
    expect(ec.summary).toMatchObject({ keyType: 'EC', keySize: 256, curve: 'P-256' });
  });

  it('EC P-384 keys (OpenSSL)', async () => {
    const leaf = pki.issueLeaf({ key: 'ec:secp384r1' });
    const result = await checkPkcs12(pki.pkcs12(leaf, PASSWORD), pw, trust);
    expect(result.summary).toMatchObject({ keyType: 'EC', keySize: 384, curve: 'P-384' });
  });
});

describe('each problem has its own code', () => {
  it('P12_INVALID: garbage, truncated, empty', async () => {
    const p12 = pki.pkcs12(good, PASSWORD);
    expect(await codesOf(checkPkcs12(Buffer.from('not a pkcs12 file at all'), pw))).toEqual(['P12_INVALID']);
    expect(await codesOf(checkPkcs12(p12.subarray(0, p12.length - 40), pw))).toEqual(['P12_INVALID']);
    expect(await codesOf(checkPkcs12(Buffer.alloc(0), pw))).toEqual(['P12_INVALID']);
    expect(await codesOf(checkPkcs12(Buffer.from(pki.rootPem), pw))).toEqual(['P12_INVALID']);
  });

  it('P12_BAD_PASSWORD, on the password field', async () => {
    try {
      await checkPkcs12(pki.pkcs12(good, PASSWORD), Buffer.from('wrong'), trust);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'P12_BAD_PASSWORD', field: 'password' });
      expect((error as Error).message).not.toContain('wrong');
    }
    const legacy = pki.pkcs12(good, PASSWORD, { legacy: true });
    expect(await codesOf(checkPkcs12(legacy, Buffer.from('wrong')))).toEqual(['P12_BAD_PASSWORD']);
    const noMac = pki.pkcs12(good, PASSWORD, { noMac: true });
    expect(await codesOf(checkPkcs12(noMac, Buffer.from('wrong')))).toEqual(['P12_BAD_PASSWORD']);
  });

  it('P12_NO_KEY', async () => {
    const certsOnly = pki.pkcs12({ ...good, keyPem: '' }, PASSWORD);
    expect(await codesOf(checkPkcs12(certsOnly, pw, trust))).toEqual(['P12_NO_KEY']);
  });

  it('P12_MULTIPLE_KEYS (keytool store with two key entries)', async () => {
    const p12 = pki.keytool('RSA', PASSWORD, { extraKey: true });
    expect(await codesOf(checkPkcs12(p12, pw, trust))).toEqual(['P12_MULTIPLE_KEYS']);
  });

  it('P12_KEY_MISMATCH (node-forge writes a key with somebody else’s certificate)', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const otherKey = forge.pki.privateKeyFromPem(
      privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
    );
    const asn1 = forge.pkcs12.toPkcs12Asn1(
      otherKey,
      [forge.pki.certificateFromPem(good.certPem), forge.pki.certificateFromPem(pki.intermediatePem)],
      PASSWORD,
      { algorithm: '3des', friendlyName: 'kms-private-key' },
    );
    const p12 = Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
    expect(await codesOf(checkPkcs12(p12, pw, trust))).toEqual(['P12_KEY_MISMATCH']);
  });

  it('CERT_NO_CN and CERT_WILDCARD_CN, on the file field', async () => {
    const noCn = pki.issueLeaf({ noCn: true, sans: ['kms.example.org'] });
    expect(await codesOf(checkPkcs12(pki.pkcs12(noCn, PASSWORD), pw, trust))).toEqual(['CERT_NO_CN']);
    const wildcard = pki.issueLeaf({ cn: '*.example.org' });
    try {
      await checkPkcs12(pki.pkcs12(wildcard, PASSWORD), pw, trust);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'CERT_WILDCARD_CN', field: 'p12' });
      expect((error as Error).message).toMatch(/wildcard CNs are not allowed.*kms\.example\.org/);
    }
  });

  it('CERT_EXPIRED and CERT_NOT_YET_VALID (node-forge dates), and an injectable now', async () => {
    const day = 86_400_000;
    const expired = pki.issueDatedLeaf(new Date(Date.now() - 400 * day), new Date(Date.now() - 10 * day));
    expect(await codesOf(checkPkcs12(pki.pkcs12(expired, PASSWORD), pw, trust))).toEqual(['CERT_EXPIRED']);
    const future = pki.issueDatedLeaf(new Date(Date.now() + 10 * day), new Date(Date.now() + 400 * day));
    expect(await codesOf(checkPkcs12(pki.pkcs12(future, PASSWORD), pw, trust))).toEqual([
      'CERT_NOT_YET_VALID',
    ]);
    const later = new Date(Date.now() + 20 * day);
    await expect(
      checkPkcs12(pki.pkcs12(future, PASSWORD), pw, { ...trust, now: later }),
    ).resolves.toBeDefined();
  });

  it('CERT_WEAK_SIGNATURE (SHA-1) and CERT_WEAK_KEY (RSA-1024, P-224)', async () => {
    const sha1 = pki.issueLeaf({ digest: 'sha1' });
    const sha1Error = await checkPkcs12(pki.pkcs12(sha1, PASSWORD), pw, trust).catch((e: HdsError) => e);
    expect(sha1Error).toMatchObject({ code: 'CERT_WEAK_SIGNATURE' });
    expect((sha1Error as HdsError).message).toMatch(/sha1WithRSAEncryption.*SHA-256/);
    const rsa1024 = pki.issueLeaf({ key: 'rsa:1024' });
    expect(await codesOf(checkPkcs12(pki.pkcs12(rsa1024, PASSWORD), pw, trust))).toEqual(['CERT_WEAK_KEY']);
    const p224 = pki.issueLeaf({ key: 'ec:secp224r1' });
    expect(await codesOf(checkPkcs12(pki.pkcs12(p224, PASSWORD), pw, trust))).toEqual(['CERT_WEAK_KEY']);
  });

  it('CERT_CHAIN_INCOMPLETE names the missing issuer and says to include the CA bundle', async () => {
    const error = await checkPkcs12(pki.pkcs12(good, PASSWORD, { chain: [] }), pw, trust).catch((e) => e);
    expect(error).toMatchObject({ code: 'CERT_CHAIN_INCOMPLETE', field: 'p12' });
    expect(error.message).toMatch(/HDS Test Issuing CA.*missing.*CA bundle/);
    // The default chain holds the intermediate only: the missing issuer is the private root.
    const rootMissing = await checkPkcs12(pki.pkcs12(good, PASSWORD), pw).catch((e) => e);
    expect(rootMissing).toMatchObject({ code: 'CERT_CHAIN_INCOMPLETE' });
    expect(rootMissing.message).toMatch(
      /"CN=HDS Test Private Root CA.* is missing.*own root CA, add it as a private root CA/,
    );
  });

  it('CERT_UNTRUSTED_ROOT without the private root; CERT_PRIVATE_ROOT only with it', async () => {
    const p12 = pki.pkcs12(good, PASSWORD, { chain: ['intermediate', 'root'] });
    const error = await checkPkcs12(p12, pw).catch((e) => e);
    expect(error).toMatchObject({ code: 'CERT_UNTRUSTED_ROOT' });
    expect(error.message).toMatch(/HDS Test Private Root CA.*not a publicly trusted CA/);
    const accepted = await checkPkcs12(p12, pw, trust);
    expect(accepted.warnings.map((w) => w.code)).toContain('CERT_PRIVATE_ROOT');
  });

  it('a name match alone does not make an issuer: a look-alike root with another key is refused', async () => {
    const impostor = new TestPki('HDS Test Private Root CA');
    try {
      const p12 = pki.pkcs12(good, PASSWORD);
      const error = await checkPkcs12(p12, pw, { trustRoots: [impostor.rootPem] }).catch((e) => e);
      expect(error.code).toBe('CERT_CHAIN_INCOMPLETE');
    } finally {
      impostor.cleanup();
    }
  });

  it('CERT_CN_CHANGED against the imported ISO’s CN', async () => {
    const p12 = pki.pkcs12(good, PASSWORD);
    expect(await codesOf(checkPkcs12(p12, pw, { ...trust, previousCn: 'hds.other.org' }))).toEqual([
      'CERT_CN_CHANGED',
    ]);
    await expect(checkPkcs12(p12, pw, { ...trust, previousCn: 'KMS.example.org' })).resolves.toBeDefined();
  });

  it('several problems are reported together', async () => {
    const bad = pki.issueLeaf({ cn: '*.example.org', digest: 'sha1', key: 'rsa:1024' });
    expect(await codesOf(checkPkcs12(pki.pkcs12(bad, PASSWORD), pw, trust))).toEqual([
      'CERT_WILDCARD_CN',
      'CERT_WEAK_SIGNATURE',
      'CERT_WEAK_KEY',
    ]);
  });
});

describe('warnings', () => {
  it('CERT_EXPIRES_SOON with the date, and CERT_CN_NOT_IN_SAN', async () => {
    const soon = pki.issueDatedLeaf(
      new Date(Date.now() - 86_400_000),
      new Date(Date.now() + 30 * 86_400_000),
    );
    const result = await checkPkcs12(pki.pkcs12(soon, PASSWORD), pw, trust);
    const warning = result.warnings.find((w) => w.code === 'CERT_EXPIRES_SOON')!;
    expect(warning.message).toContain(new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10));
    const notInSan = pki.issueLeaf({ cnInSan: false, sans: ['other.example.org'] });
    const r2 = await checkPkcs12(pki.pkcs12(notInSan, PASSWORD), pw, trust);
    expect(r2.warnings.map((w) => w.code)).toEqual(['CERT_CN_NOT_IN_SAN', 'CERT_PRIVATE_ROOT']);
  });
});

describe('key + CSR, then the PKCS12 hds-setup assembles', () => {
  it.each(['rsa-3072', 'ec-p256'] as const)(
    '%s: OpenSSL verifies the CSR, the CA signs it, the PKCS12 opens everywhere',
    async (keyType) => {
      const created = createCsr({
        cn: 'kms.example.org',
        sans: ['kms2.example.org', '10.0.0.5'],
        organization: 'Example',
        country: 'de',
        keyType,
      });
      const csrPath = pki.path(`made-${keyType}.csr`);
      writeFileSync(csrPath, created.csrPem);
      const text = execFileSync('openssl', ['req', '-in', csrPath, '-noout', '-verify', '-text'], {
        encoding: 'utf8',
        stdio: 'pipe',
      });
      expect(text).toMatch(/Subject: C = DE, O = Example, CN = kms.example.org/);
      expect(text).toMatch(/DNS:kms.example.org, DNS:kms2.example.org, IP Address:10.0.0.5/);
      expect(text).toMatch(keyType === 'rsa-3072' ? /Public-Key: \(3072 bit\)/ : /NIST CURVE: P-256/);

      const issued = pki.signCsr(created.csrPem, ['kms.example.org']);
      // Any order: root, leaf, intermediate.
      const result = await completeCsr(
        created.privateKeyPem,
        pki.rootPem + issued.certPem + pki.intermediatePem,
        trust,
      );
      expect(result.summary.cn).toBe('kms.example.org');

      const p12 = assemblePkcs12(
        result.key,
        result.chain.map((c) => c.toString()),
        pw,
      );
      const reread = await checkPkcs12(p12, pw, trust);
      expect(reread.summary.fingerprintSha256).toBe(result.summary.fingerprintSha256);
      const p12Path = pki.path(`assembled-${keyType}.p12`);
      writeFileSync(p12Path, p12);
      const opened = spawnSync(
        'openssl',
        ['pkcs12', '-in', p12Path, '-info', '-nokeys', '-passin', `pass:${PASSWORD}`],
        { encoding: 'utf8' },
      );
      expect(opened.status).toBe(0);
      const info = opened.stdout + opened.stderr;
      expect(info).toContain(`friendlyName: ${KMS_FRIENDLY_NAME}`);
      expect(info).toMatch(/MAC: sha256/);
      const listing = execFileSync(
        'keytool',
        ['-list', '-keystore', p12Path, '-storetype', 'PKCS12', '-storepass', PASSWORD],
        { encoding: 'utf8', stdio: 'pipe' },
      );
      expect(listing).toMatch(new RegExp(`${KMS_FRIENDLY_NAME}, .*PrivateKeyEntry`));
    },
  );

  it('the CA reply must belong to the request’s key', async () => {
    const created = createCsr({ cn: 'kms.example.org', keyType: 'ec-p256' });
    await expect(
      completeCsr(created.privateKeyPem, good.certPem + pki.intermediatePem, trust),
    ).rejects.toThrow(expect.objectContaining({ code: 'P12_KEY_MISMATCH', field: 'chainPem' }));
  });

  it('refuses wildcard and changed CNs, and a private key pasted as the chain', async () => {
    expect(() => createCsr({ cn: '*.example.org' })).toThrow(
      expect.objectContaining({ code: 'CERT_WILDCARD_CN', field: 'cn' }),
    );
    expect(() => createCsr({ cn: 'new.example.org', previousCn: 'kms.example.org' })).toThrow(
      expect.objectContaining({ code: 'CERT_CN_CHANGED' }),
    );
    const created = createCsr({ cn: 'kms.example.org', keyType: 'ec-p256' });
    await expect(completeCsr(created.privateKeyPem, created.privateKeyPem.toString())).rejects.toThrow(
      expect.objectContaining({ code: 'CERT_PEM_INVALID' }),
    );
  });
});
