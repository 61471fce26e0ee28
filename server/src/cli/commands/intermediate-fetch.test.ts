import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CaIssuerServer,
  type HttpProxy,
  startCaIssuerServer,
  startHttpProxy,
} from '../../../../scripts/test-env/ca-issuer-server.js';
import { TestPki } from '../../../../scripts/test-env/certificate-fixtures.js';
import { runCli } from '../../../../scripts/test-env/run-cli.js';
import { checkPkcs12 } from '../../core/certificate/index.js';
import { readConfigIso } from '../../core/configIso/index.js';

const ROOT = new URL('../../../..', import.meta.url).pathname;
const P12_PASSWORD = 'aia-cli-p12-pass';
const PROXY_PASSWORD = 'Pr0xy-s3cret';
let pki: TestPki;
let site: CaIssuerServer;
let proxy: HttpProxy;

/** The built CLI in its own process: global-agent patches node:http process-wide. */
function hdsSetup(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/hds-setup.js'), ...args], {
      env: { ...process.env, ...env },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('close', (code) => resolve({ code, out }));
  });
}

beforeAll(async () => {
  pki = new TestPki();
  site = await startCaIssuerServer({ '/int.der': new X509Certificate(pki.intermediatePem).raw });
  proxy = await startHttpProxy('hds', PROXY_PASSWORD);
  // Exported without the intermediate, as admins often do; the leaf says where to get it.
  const leaf = pki.issueLeaf({ key: 'rsa:2048', caIssuers: [`${site.base}/int.der`] });
  writeFileSync(pki.path('kms.p12'), pki.pkcs12(leaf, P12_PASSWORD, { chain: [] }));
  writeFileSync(pki.path('p12.pass'), `${P12_PASSWORD}\n`);
  writeFileSync(pki.path('db.pass'), 'db-password\n');
});
afterAll(async () => {
  await site?.close();
  await proxy?.close();
  pki?.cleanup();
});

describe('hds-setup cert check downloads the missing intermediate through GLOBAL_AGENT_HTTP_PROXY', () => {
  const check = (proxyUrl: string) =>
    hdsSetup(
      [
        'cert',
        'check',
        pki.path('kms.p12'),
        '--password-file',
        pki.path('p12.pass'),
        '--trust-root',
        pki.path('root.pem'),
        '--json',
      ],
      { GLOBAL_AGENT_HTTP_PROXY: proxyUrl },
    );

  it('with the proxy’s user:password: exit 0, CERT_INTERMEDIATE_FETCHED, the request went through the proxy', async () => {
    const r = await check(`http://hds:${PROXY_PASSWORD}@127.0.0.1:${proxy.port}`);
    expect(r.code, r.out).toBe(0);
    const body = JSON.parse(r.out);
    expect(body.warnings.map((w: { code: string }) => w.code)).toEqual([
      'CERT_INTERMEDIATE_FETCHED',
      'CERT_PRIVATE_ROOT',
    ]);
    expect(body.certificate.chain.map((c: { role: string }) => c.role)).toEqual([
      'leaf',
      'intermediate',
      'root',
    ]);
    expect(proxy.seen).toContainEqual({
      url: `${site.base}/int.der`,
      authorization: `Basic ${Buffer.from(`hds:${PROXY_PASSWORD}`).toString('base64')}`,
    });
    expect(site.requests.at(-1)).toEqual({ path: '/int.der', via: '1.1 hds-test-proxy' });
    expect(r.out).not.toContain(PROXY_PASSWORD);
  });

  it('a wrong proxy password: exit 1, CERT_CHAIN_INCOMPLETE naming the 407, never the password', async () => {
    const before = site.requests.length;
    const r = await check(`http://hds:wrong-${PROXY_PASSWORD}@127.0.0.1:${proxy.port}`);
    expect(r.code, r.out).toBe(1);
    const [error] = JSON.parse(r.out).errors;
    expect(error.code).toBe('CERT_CHAIN_INCOMPLETE');
    expect(error.message).toContain(
      `hds-setup tried to fetch it from ${site.base}/int.der: the proxy 127.0.0.1:${proxy.port} refused it (HTTP 407 Proxy Authentication Required): check the user name and password in GLOBAL_AGENT_HTTP_PROXY.`,
    );
    expect(r.out).not.toContain(PROXY_PASSWORD);
    expect(site.requests.length).toBe(before);
  });

  it('a proxy that is not running is named as such', async () => {
    const gone = await startHttpProxy('hds', PROXY_PASSWORD);
    await gone.close();
    const r = await check(`http://hds:${PROXY_PASSWORD}@127.0.0.1:${gone.port}`);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).errors[0].message).toContain(
      `: the proxy 127.0.0.1:${gone.port} refused the connection (check GLOBAL_AGENT_HTTP_PROXY).`,
    );
    expect(r.out).not.toContain(PROXY_PASSWORD);
  });
});

describe('hds-setup build with a downloaded intermediate', () => {
  const answers = (name: string, certificate: string) => {
    const path = pki.path(`${name}.yaml`);
    writeFileSync(
      path,
      `certificate:\n${certificate}\ndatabase:\n  type: postgresql\n  hosts: ["127.0.0.1:5432"]\n  name: hds_keys\n  username: hds\n  passwordFile: ./db.pass\n  tls: prefer\nsyslog:\n  url: "udp://127.0.0.1:5514"\n  tls: false\n  termination: newline\n`,
    );
    return path;
  };

  it('writes it into kms-chain.pem and the keystore; a rebuild from that ISO is offline and byte-identical', async () => {
    const gen1 = pki.path('gen1.iso');
    const first = await runCli(
      'build',
      '--answers',
      answers('new', '  p12: ./kms.p12\n  passwordFile: ./p12.pass\n  trustRoots: [./root.pem]'),
      '--out',
      gen1,
      '--skip-db-test',
      '--json',
    );
    expect(first.code, first.stdout).toBe(0);
    expect(JSON.parse(first.stdout).warnings.map((w: { code: string }) => w.code)).toContain(
      'CERT_INTERMEDIATE_FETCHED',
    );
    const iso = await readConfigIso(gen1);
    expect(iso.certificate.chainPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(3);
    expect(iso.certificate.chainPem).toContain(pki.intermediatePem.trim());
    const keystore = await checkPkcs12(iso.certificate.pkcs12, iso.certificate.password, {
      trustRoots: [pki.rootPem],
      issuerFetch: false,
    });
    expect(keystore.summary.chain.map((c) => c.role)).toEqual(['leaf', 'intermediate', 'root']);

    // The CA's site is gone: the rotation reads everything from the ISO.
    await site.close();
    const requestsBefore = site.requests.length;
    const saved = process.env.SOURCE_DATE_EPOCH;
    process.env.SOURCE_DATE_EPOCH = '1790000000';
    try {
      const rebuild = async (out: string) => {
        const r = await runCli(
          'build',
          '--answers',
          answers('reuse', '  reuse: true'),
          '--import',
          gen1,
          '--out',
          out,
          '--skip-db-test',
          '--json',
        );
        expect(r.code, r.stdout).toBe(0);
        expect(JSON.parse(r.stdout).warnings.map((w: { code: string }) => w.code)).not.toContain(
          'CERT_INTERMEDIATE_FETCHED',
        );
        return readFileSync(out);
      };
      const [a, b] = [await rebuild(pki.path('gen2-a.iso')), await rebuild(pki.path('gen2-b.iso'))];
      expect(a.equals(b)).toBe(true);
      expect((await readConfigIso(pki.path('gen2-a.iso'))).certificate.chainPem).toBe(
        iso.certificate.chainPem,
      );
    } finally {
      if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH;
      else process.env.SOURCE_DATE_EPOCH = saved;
    }
    expect(site.requests.length).toBe(requestsBefore);
  });
});
