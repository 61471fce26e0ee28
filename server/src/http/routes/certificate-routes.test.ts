import { randomBytes, X509Certificate } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_HEADER } from '../../../../contract/client-header.js';
import { startCaIssuerServer } from '../../../../scripts/test-env/ca-issuer-server.js';
import { TestPki } from '../../../../scripts/test-env/certificate-fixtures.js';
import { sampleConfigIsoInput } from '../../../../scripts/test-env/sample-config-iso-input.js';
import { createTestApp, postIsoImport, type TestApp } from '../../../../scripts/test-env/test-app.js';
import { assemblePkcs12, checkPkcs12 } from '../../core/certificate/index.js';
import { buildConfigIso } from '../../core/configIso/index.js';
import { createApp } from '../app.js';
import { createLogger } from '../logger.js';

const TOKEN = 'certificate-route-test-token-0123456789';
const PASSWORD = 'p12-Password-Secret';
let pki: TestPki;
let built: ReturnType<typeof createApp>;
let cookie: string;
const logLines: string[] = [];

const put = (path: string, body: unknown) =>
  request(built.app)
    .put(`/api${path}`)
    .set(CLIENT_HEADER, 'web')
    .set('Cookie', cookie)
    .send(body as object);
const post = (path: string, body: unknown) =>
  request(built.app)
    .post(`/api${path}`)
    .set(CLIENT_HEADER, 'web')
    .set('Cookie', cookie)
    .send(body as object);

beforeAll(async () => {
  pki = new TestPki();
  built = createApp({ signInToken: TOKEN, host: '127.0.0.1', logger: createLogger((l) => logLines.push(l)) });
  const res = await request(built.app).post('/api/session').set(CLIENT_HEADER, 'web').send({ token: TOKEN });
  cookie = String(res.headers['set-cookie']).split(';')[0]!;
});
afterAll(() => pki.cleanup());

describe('PUT /api/certificate/pkcs12', () => {
  it('without the private-root acknowledgment the chain is CERT_UNTRUSTED_ROOT; with it, accepted with CERT_PRIVATE_ROOT', async () => {
    const p12 = pki.pkcs12(pki.issueLeaf(), PASSWORD, { chain: ['intermediate', 'root'] }).toString('base64');
    const refused = await put('/certificate/pkcs12', { p12, password: PASSWORD });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0]).toMatchObject({ code: 'CERT_UNTRUSTED_ROOT', field: 'p12' });

    const noAck = await put('/certificate/pkcs12', { p12, password: PASSWORD, trustRoot: pki.rootPem });
    expect(noAck.body.errors[0]).toMatchObject({ code: 'INVALID_INPUT', field: 'acknowledgePrivateRoot' });

    const ok = await put('/certificate/pkcs12', {
      p12,
      password: PASSWORD,
      trustRoot: pki.rootPem,
      acknowledgePrivateRoot: true,
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, source: 'upload', summary: { cn: 'kms.example.org' } });
    expect(ok.body.warnings.map((w: { code: string }) => w.code)).toEqual(['CERT_PRIVATE_ROOT']);
    expect(JSON.stringify(ok.body)).not.toContain(PASSWORD);
    expect(logLines.join('\n')).not.toContain(PASSWORD);

    // The section the ISO is built from: re-assembled PKCS12 that opens with the kept password.
    const section = built.state.get('certificate')!;
    const reread = await checkPkcs12(section.pkcs12, section.pkcs12Password, { trustRoots: [pki.rootPem] });
    expect(reread.summary.fingerprintSha256).toBe(ok.body.summary.fingerprintSha256);
    expect(section.chainPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(3);

    const status = await request(built.app).get('/api/certificate').set('Cookie', cookie);
    expect(status.body.certificate.summary.cn).toBe('kms.example.org');
  });

  it('a wrong password is reported on the password field', async () => {
    const p12 = pki.pkcs12(pki.issueLeaf(), PASSWORD).toString('base64');
    const res = await put('/certificate/pkcs12', { p12, password: 'nope' });
    expect(res.body.errors).toEqual([
      expect.objectContaining({ code: 'P12_BAD_PASSWORD', field: 'password' }),
    ]);
  });

  it('a new certificate must keep the imported ISO’s CN', async () => {
    built.state.set('previousDeployment', {
      generation: 1,
      createdAt: new Date().toISOString(),
      manifestSha256: '0'.repeat(64),
      certificateCn: 'hds.example.org',
      certificateNotAfter: new Date().toISOString(),
      databaseType: 'postgresql',
    });
    try {
      const p12 = pki.pkcs12(pki.issueLeaf(), PASSWORD).toString('base64');
      const res = await put('/certificate/pkcs12', {
        p12,
        password: PASSWORD,
        trustRoot: pki.rootPem,
        acknowledgePrivateRoot: true,
      });
      expect(res.body.errors[0].code).toBe('CERT_CN_CHANGED');
      const csr = await post('/certificate/csr', { cn: 'kms.example.org' });
      expect(csr.body.errors[0]).toMatchObject({ code: 'CERT_CN_CHANGED', field: 'cn' });
    } finally {
      built.state.clear('previousDeployment');
    }
  });
});

describe('PUT /api/certificate/pkcs12 with the wrong file: the same P12_INVALID as the CLI, beside the file field', () => {
  it('an empty file, a file over 256 KB, a PEM certificate and random bytes', async () => {
    const leaf = pki.issueLeaf();
    const cases: [Buffer, RegExp][] = [
      [Buffer.alloc(0), /empty/],
      [randomBytes(300 * 1024), /larger than 256 KB/],
      [Buffer.from(leaf.certPem), /PEM certificate/],
      [randomBytes(4000), /not a readable PKCS12/],
    ];
    for (const [bytes, message] of cases) {
      const res = await put('/certificate/pkcs12', { p12: bytes.toString('base64'), password: PASSWORD });
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([expect.objectContaining({ code: 'P12_INVALID', field: 'p12' })]);
      expect(res.body.errors[0].message).toMatch(message);
      expect(JSON.stringify(res.body)).not.toContain(PASSWORD);
    }
  });

  it('a file of megabytes is refused before it is read, still beside the file field', async () => {
    const res = await put('/certificate/pkcs12', {
      p12: randomBytes(2 * 1024 * 1024).toString('base64'),
      password: PASSWORD,
    });
    expect(res.status).toBe(413);
    expect(res.body.errors).toEqual([expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE', field: 'p12' })]);
    expect(res.body.errors[0].message).toMatch(/PKCS12/);
  });
});

describe('key + CSR flow and the backup download', () => {
  it('creates the CSR, completes it with the CA reply, and backs the PKCS12 up with the admin’s password', async () => {
    const csr = await post('/certificate/csr', { cn: 'kms.example.org', keyType: 'ec-p256' });
    expect(csr.status).toBe(200);
    expect(csr.body.csrPem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    expect(JSON.stringify(csr.body)).not.toMatch(/PRIVATE KEY/);
    const issued = pki.signCsr(csr.body.csrPem, ['kms.example.org']);
    const done = await put('/certificate/chain', {
      chainPem: pki.intermediatePem + issued.certPem,
      trustRoot: pki.rootPem,
      acknowledgePrivateRoot: true,
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ source: 'csr', summary: { cn: 'kms.example.org', keyType: 'EC' } });

    const backup = await post('/certificate/backup', { password: 'my backup pass' });
    expect(backup.status).toBe(200);
    const opened = await checkPkcs12(Buffer.from(backup.body.p12, 'base64'), Buffer.from('my backup pass'), {
      trustRoots: [pki.rootPem],
    });
    expect(opened.summary.fingerprintSha256).toBe(done.body.summary.fingerprintSha256);
  });
});

describe('a PKCS12 without its intermediate, whose leaf names where to download it (AIA caIssuers)', () => {
  it('is accepted with CERT_INTERMEDIATE_FETCHED, and the nodes get the full chain; a 404 is CERT_CHAIN_INCOMPLETE saying so', async () => {
    const site = await startCaIssuerServer({
      '/ca/issuing.der': new X509Certificate(pki.intermediatePem).raw,
    });
    try {
      const upload = (path: string) => ({
        p12: pki
          .pkcs12(pki.issueLeaf({ caIssuers: [`${site.base}${path}`] }), PASSWORD, { chain: [] })
          .toString('base64'),
        password: PASSWORD,
        trustRoot: pki.rootPem,
        acknowledgePrivateRoot: true,
      });
      const ok = await put('/certificate/pkcs12', upload('/ca/issuing.der'));
      expect(ok.status).toBe(200);
      expect(ok.body.warnings.map((w: { code: string }) => w.code)).toEqual([
        'CERT_INTERMEDIATE_FETCHED',
        'CERT_PRIVATE_ROOT',
      ]);
      expect(ok.body.warnings[0].message).toContain(
        `downloaded "CN=HDS Test Issuing CA, O=HDS Tests" from ${site.base}/ca/issuing.der`,
      );
      expect(ok.body.summary.chain[1]).toMatchObject({
        role: 'intermediate',
        fetchedFrom: `${site.base}/ca/issuing.der`,
      });
      expect(site.requests.map((r) => r.path)).toEqual(['/ca/issuing.der']);

      // What the ISO is built from: kms-chain.pem and the keystore both carry the intermediate.
      const section = built.state.get('certificate')!;
      expect(section.chainPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(3);
      expect(section.chainPem).toContain(pki.intermediatePem.trim());
      const offline = await checkPkcs12(section.pkcs12, section.pkcs12Password, {
        trustRoots: [pki.rootPem],
        issuerFetch: false,
      });
      expect(offline.summary.chain).toHaveLength(3);

      const refused = await put('/certificate/pkcs12', upload('/ca/moved.der'));
      expect(refused.status).toBe(422);
      expect(refused.body.errors).toEqual([
        expect.objectContaining({ code: 'CERT_CHAIN_INCOMPLETE', field: 'p12' }),
      ]);
      expect(refused.body.errors[0].message).toContain(
        `hds-setup tried to fetch it from ${site.base}/ca/moved.der: HTTP 404 Not Found.`,
      );
    } finally {
      await site.close();
    }
  });
});

describe('after an ISO import whose certificate chain ends at a private root', () => {
  const CN = 'kms.example.org';
  let importedApp: TestApp;
  let agent: ReturnType<typeof request.agent>;
  let previous: TestPki;

  beforeAll(async () => {
    // Generation 1 as hds-setup writes it: the keystore and kms-chain.pem (leaf, issuing CA, root).
    previous = new TestPki('HDS Previous Private Root CA');
    const leaf = previous.issueLeaf({ cn: CN });
    const keystorePassword = 'keystore-Pass-1';
    const checked = await checkPkcs12(
      previous.pkcs12(leaf, keystorePassword, { chain: ['intermediate', 'root'] }),
      Buffer.from(keystorePassword),
      { trustRoots: [previous.rootPem] },
    );
    const chainPem = checked.chain.map((c) => c.toString()).join('');
    const iso = await buildConfigIso(
      sampleConfigIsoInput({
        certificate: {
          pkcs12: assemblePkcs12(
            checked.key,
            checked.chain.map((c) => c.toString()),
            Buffer.from(keystorePassword),
          ),
          password: Buffer.from(keystorePassword),
          chainPem,
          commonName: CN,
          subjectAltNames: [CN],
          notBefore: new Date(checked.summary.notBefore),
          notAfter: new Date(checked.summary.notAfter),
          fingerprintSha256: checked.summary.fingerprintSha256,
        },
        // Nothing listens there: the import cannot compare the database and goes on.
        database: {
          settings: {
            ...sampleConfigIsoInput().database.settings,
            hosts: ['127.0.0.1:1'],
            tlsMode: 'prefer',
          },
          password: Buffer.from('db-pass-123'),
        },
      }),
    );
    importedApp = createTestApp();
    agent = request.agent(importedApp.app);
    await agent.post('/api/session').set(CLIENT_HEADER, 'web').send({ token: importedApp.unusedToken() });
    const imported = await postIsoImport(agent, iso.bytes);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
  });
  afterAll(() => previous.cleanup());

  const upload = (body: object) => agent.put('/api/certificate/pkcs12').set(CLIENT_HEADER, 'web').send(body);
  const newP12 = (pki: TestPki, chain: ('intermediate' | 'root')[], cn = CN) =>
    pki.pkcs12(pki.issueLeaf({ cn }), PASSWORD, { chain }).toString('base64');

  it('offers that root (subject, SHA-256 fingerprint, PEM) on the Certificate page', async () => {
    const status = await agent.get('/api/certificate');
    const root = new X509Certificate(previous.rootPem);
    expect(status.body.previousCn).toBe(CN);
    expect(status.body.previousPrivateRoot).toEqual({
      pem: root.toString(),
      subject: 'CN=HDS Previous Private Root CA, O=HDS Tests',
      commonName: 'HDS Previous Private Root CA',
      fingerprintSha256: root.fingerprint256,
    });
  });

  it('a new certificate from that CA is still refused until the root is sent with the acknowledgment; the refusal names the root and how', async () => {
    for (const chain of [['intermediate', 'root'], ['intermediate']] as const) {
      const refused = await upload({ p12: newP12(previous, [...chain]), password: PASSWORD });
      expect(refused.status, chain.join('+')).toBe(422);
      expect(refused.body.errors).toEqual([
        expect.objectContaining({ code: 'CERT_UNTRUSTED_ROOT', field: 'p12' }),
      ]);
      const message: string = refused.body.errors[0].message;
      expect(message).toContain('private root "HDS Previous Private Root CA"');
      expect(message).toContain("that the previous ISO's certificate chain also ended at");
      expect(message).toMatch(
        /Use a private root CA.*choose "Use the root from the previous ISO".*I understand this root is not publicly trusted/,
      );
    }

    const root = (await agent.get('/api/certificate')).body.previousPrivateRoot.pem as string;
    const p12 = newP12(previous, ['intermediate']);
    const noAck = await upload({ p12, password: PASSWORD, trustRoot: root });
    expect(noAck.body.errors).toEqual([
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'acknowledgePrivateRoot' }),
    ]);
    const accepted = await upload({ p12, password: PASSWORD, trustRoot: root, acknowledgePrivateRoot: true });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.summary).toMatchObject({ cn: CN, trust: 'private' });
    expect(accepted.body.summary.chain.at(-1).subject).toBe('CN=HDS Previous Private Root CA, O=HDS Tests');
    expect(accepted.body.warnings.map((w: { code: string }) => w.code)).toEqual(['CERT_PRIVATE_ROOT']);

    // The CN rule stands with the previous root trusted.
    const otherCn = await upload({
      p12: newP12(previous, ['intermediate'], 'other.example.org'),
      password: PASSWORD,
      trustRoot: root,
      acknowledgePrivateRoot: true,
    });
    expect(otherCn.body.errors[0].code).toBe('CERT_CN_CHANGED');
  });

  it('a certificate from another private CA gets the usual refusal, without the previous root', async () => {
    const refused = await upload({ p12: newP12(pki, ['intermediate', 'root']), password: PASSWORD });
    expect(refused.body.errors).toEqual([
      expect.objectContaining({ code: 'CERT_UNTRUSTED_ROOT', field: 'p12' }),
    ]);
    expect(refused.body.errors[0].message).toContain('"CN=HDS Test Private Root CA, O=HDS Tests"');
    expect(refused.body.errors[0].message).not.toContain('previous ISO');
  });
});
