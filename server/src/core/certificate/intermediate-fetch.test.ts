import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaIssuerServer, startCaIssuerServer } from '../../../../scripts/test-env/ca-issuer-server.js';
import { TestPki } from '../../../../scripts/test-env/certificate-fixtures.js';
import {
  assemblePkcs12,
  type CertificateCheckOptions,
  checkPkcs12,
  completeCsr,
  createCsr,
} from './index.js';

const PASSWORD = 'aia-p12-pass';
const pw = Buffer.from(PASSWORD);
let pki: TestPki;
let impostor: TestPki;
let site: CaIssuerServer;
let trust: CertificateCheckOptions;

/** A PKCS12 exported without its intermediate, whose leaf names these caIssuers URLs. */
const p12Naming = (...paths: string[]) =>
  pki.pkcs12(
    pki.issueLeaf({ caIssuers: paths.map((p) => (p.includes('://') ? p : `${site.base}${p}`)) }),
    PASSWORD,
    {
      chain: [],
    },
  );

const refusal = (p12: Buffer, options: CertificateCheckOptions = trust) =>
  checkPkcs12(p12, pw, options).then(
    () => {
      throw new Error('accepted');
    },
    (error) => error as { code: string; message: string; field: string },
  );

beforeAll(async () => {
  pki = new TestPki();
  // Same names as pki's CAs, other keys: a look-alike intermediate that signed nothing of ours.
  impostor = new TestPki();
  const der = new X509Certificate(pki.intermediatePem).raw;
  execFileSync(
    'openssl',
    ['crl2pkcs7', '-nocrl', '-certfile', 'intermediate.pem', '-outform', 'DER', '-out', 'int.p7c'],
    {
      cwd: pki.dir,
    },
  );
  site = await startCaIssuerServer({
    '/int.der': der,
    '/int.pem': Buffer.from(pki.intermediatePem),
    '/int.p7c': readFileSync(pki.path('int.p7c')),
    '/moved': { redirect: '/int.der' },
    '/moved-endless': { redirect: '/int.der', endlessBody: true },
    '/loop': { redirect: '/loop' },
    '/gone': { status: 500 },
    '/hang': 'hang',
    '/garbage': Buffer.from('<html><body>Welcome to our PKI portal</body></html>'),
    '/huge': Buffer.alloc(300 * 1024, 0x30),
    // Just under the size limit: BEGIN lines that no END follows.
    '/begins': Buffer.from('-----BEGIN A-----'.repeat(15_000)),
    '/wrong.der': new X509Certificate(impostor.intermediatePem).raw,
  });
  trust = { trustRoots: [pki.rootPem] };
});
afterAll(async () => {
  await site?.close();
  pki?.cleanup();
  impostor?.cleanup();
});

describe('a PKCS12 without its intermediate, whose leaf names a caIssuers URL', () => {
  it.each(['/int.der', '/int.pem', '/int.p7c', '/moved'])(
    'downloads %s, checks its signature and completes the chain with CERT_INTERMEDIATE_FETCHED',
    async (path) => {
      const result = await checkPkcs12(p12Naming(path), pw, trust);
      expect(result.chain).toHaveLength(3);
      expect(result.summary.chain.map((c) => c.role)).toEqual(['leaf', 'intermediate', 'root']);
      expect(result.summary.chain[1]).toMatchObject({
        subject: 'CN=HDS Test Issuing CA, O=HDS Tests',
        fetchedFrom: `${site.base}${path}`,
      });
      const warning = result.warnings.find((w) => w.code === 'CERT_INTERMEDIATE_FETCHED')!;
      expect(warning.message).toContain(`"CN=HDS Test Issuing CA, O=HDS Tests" from ${site.base}${path}`);
      expect(warning.message).toMatch(
        /Next time, include the full chain: export the PKCS12 with every intermediate/,
      );
      expect(result.warnings.map((w) => w.code)).toEqual(['CERT_INTERMEDIATE_FETCHED', 'CERT_PRIVATE_ROOT']);

      // The keystore the nodes get carries the downloaded intermediate: it checks offline.
      const rebuilt = assemblePkcs12(
        result.key,
        result.chain.map((c) => c.toString()),
        pw,
      );
      const offline = await checkPkcs12(rebuilt, pw, { ...trust, issuerFetch: false });
      expect(offline.summary.chain.map((c) => c.fingerprintSha256)).toEqual(
        result.summary.chain.map((c) => c.fingerprintSha256),
      );
      expect(offline.warnings.map((w) => w.code)).toEqual(['CERT_PRIVATE_ROOT']);
    },
  );

  it('tries the next caIssuers URL when the first fails', async () => {
    const result = await checkPkcs12(p12Naming('/missing.der', '/int.der'), pw, trust);
    expect(result.summary.chain[1]!.fetchedFrom).toBe(`${site.base}/int.der`);
  });

  it('a redirect whose body never ends is left at once: nothing keeps downloading after the check', async () => {
    // The redirect's body was drained for ever (GBs a minute), and the CLI never exited.
    const result = await checkPkcs12(p12Naming('/moved-endless'), pw, trust);
    expect(result.summary.chain[1]!.fetchedFrom).toBe(`${site.base}/moved-endless`);
    const until = Date.now() + 2000;
    while (site.endlessBodiesOpen() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(site.endlessBodiesOpen()).toBe(0);
  });

  it('the CSR flow completes a CA reply that holds the leaf alone the same way', async () => {
    const created = createCsr({ cn: 'kms.example.org', keyType: 'ec-p256' });
    const issued = pki.signCsr(created.csrPem, ['kms.example.org'], { caIssuers: [`${site.base}/int.p7c`] });
    const result = await completeCsr(created.privateKeyPem, issued.certPem, trust);
    expect(result.chain).toHaveLength(3);
    expect(result.warnings.map((w) => w.code)).toContain('CERT_INTERMEDIATE_FETCHED');
  });
});

describe('when the intermediate cannot be had, CERT_CHAIN_INCOMPLETE says what was tried', () => {
  const base = () => site.base;
  it.each([
    ['/missing.der', 'HTTP 404 Not Found'],
    ['/gone', 'HTTP 500 Internal Server Error'],
    ['/garbage', 'the answer is not a certificate (DER, PEM or PKCS#7 .p7c expected)'],
    ['/huge', 'the answer is larger than 256 KB, far too large for a CA certificate'],
    ['/loop', 'more than 3 redirects'],
    [
      '/wrong.der',
      'it holds "CN=HDS Test Issuing CA, O=HDS Tests", which did not sign this certificate (wrong CA certificate)',
    ],
  ])('%s: %s', async (path, reason) => {
    const error = await refusal(p12Naming(path));
    expect(error).toMatchObject({ code: 'CERT_CHAIN_INCOMPLETE', field: 'p12' });
    expect(error.message).toContain(`hds-setup tried to fetch it from ${base()}${path}: ${reason}.`);
    expect(error.message).toMatch(/Include the CA bundle/);
  });

  it('a server that never answers times out (the limit is injectable; 5 s by default)', async () => {
    const started = Date.now();
    const error = await refusal(p12Naming('/hang'), { ...trust, issuerFetch: { timeoutMs: 300 } });
    expect(error.message).toContain(`from ${site.base}/hang: timed out after 300 ms without an answer.`);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('an answer of PEM BEGIN lines without END is not a certificate, found out at once', async () => {
    // The PEM regex was quadratic on these: 2.3 s of blocked event loop per 256 KB answer.
    const started = Date.now();
    const error = await refusal(p12Naming('/begins'));
    expect(error.message).toContain(`${site.base}/begins: the answer is not a certificate`);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a refused connection, a non-HTTP address and the download limit are named', async () => {
    const closed = await startCaIssuerServer({});
    await closed.close();
    const error = await refusal(
      p12Naming(`${closed.base}/int.der`, 'ldap://ldap.example.org/cn=ca', '/missing1', '/missing2'),
      { ...trust, issuerFetch: { maxFetches: 2 } },
    );
    expect(error.message).toContain(
      `hds-setup tried to fetch it from ${closed.base}/int.der: ${closed.base.slice(7)} refused the connection; then from ${site.base}/missing1: HTTP 404 Not Found.`,
    );
    expect(error.message).toContain(
      'It did not try ldap://ldap.example.org/cn=ca (hds-setup downloads only http:// and https:// addresses), nor ',
    );
    expect(error.message).toContain(`${site.base}/missing2 (one certificate check makes at most 2 downloads`);
  });

  it('no caIssuers URL: the message says so; issuerFetch false never downloads', async () => {
    const error = await refusal(pki.pkcs12(pki.issueLeaf(), PASSWORD, { chain: [] }));
    expect(error.message).toMatch(
      /missing\. Its certificate names no address \(Authority Information Access\)/,
    );
    const before = site.requests.length;
    const offline = await refusal(p12Naming('/int.der'), { ...trust, issuerFetch: false });
    expect(offline.code).toBe('CERT_CHAIN_INCOMPLETE');
    expect(offline.message).not.toMatch(/tried to fetch/);
    expect(site.requests.length).toBe(before);
  });
});
