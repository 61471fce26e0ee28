import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

/**
 * Certificate fixtures made in the test run with the real tools an admin uses: OpenSSL 3 (default
 * and -legacy PKCS12), Java keytool (RSA and EC), and node-forge where a date in the past or the
 * future is needed. A private root → intermediate → leaf hierarchy, like a real CA's.
 */
export interface IssuedLeaf {
  keyPath: string;
  certPath: string;
  keyPem: string;
  certPem: string;
}

export interface LeafOptions {
  cn?: string;
  /** DNS names; the CN is added first unless `cnInSan` is false. */
  sans?: string[];
  cnInSan?: boolean;
  /** `rsa:2048`, `rsa:1024`, `rsa:4096`, `ec:prime256v1`, `ec:secp384r1`, `ec:secp224r1`. */
  key?: string;
  digest?: 'sha256' | 'sha1';
  /** A subject without a CN (only O=). */
  noCn?: boolean;
  /** Authority Information Access caIssuers URLs: where a client may download the intermediate. */
  caIssuers?: string[];
}

export class TestPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'hds-cert-fixtures-'));
  readonly rootPem: string;
  readonly intermediatePem: string;
  private counter = 0;

  constructor(
    readonly rootCn = 'HDS Test Private Root CA',
    caKey = 'rsa:2048',
  ) {
    this.key('root', caKey);
    this.openssl([
      'req',
      '-x509',
      '-new',
      '-key',
      'root.key',
      '-sha256',
      '-days',
      '3650',
      '-subj',
      `/O=HDS Tests/CN=${rootCn}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      'root.pem',
    ]);
    this.key('intermediate', 'rsa:2048');
    this.openssl([
      'req',
      '-new',
      '-key',
      'intermediate.key',
      '-subj',
      '/O=HDS Tests/CN=HDS Test Issuing CA',
      '-out',
      'intermediate.csr',
    ]);
    this.write(
      'intermediate.ext',
      'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
    );
    this.openssl([
      'x509',
      '-req',
      '-in',
      'intermediate.csr',
      '-CA',
      'root.pem',
      '-CAkey',
      'root.key',
      '-CAcreateserial',
      '-days',
      '1825',
      '-sha256',
      '-extfile',
      'intermediate.ext',
      '-out',
      'intermediate.pem',
    ]);
    this.rootPem = this.read('root.pem');
    this.intermediatePem = this.read('intermediate.pem');
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** A leaf signed by the intermediate CA with OpenSSL. */
  issueLeaf(options: LeafOptions = {}): IssuedLeaf {
    const name = `leaf${++this.counter}`;
    const cn = options.cn ?? 'kms.example.org';
    this.key(name, options.key ?? 'ec:prime256v1');
    this.openssl([
      'req',
      '-new',
      '-key',
      `${name}.key`,
      '-subj',
      options.noCn ? '/O=HDS Tests' : `/O=HDS Tests/CN=${cn}`,
      '-out',
      `${name}.csr`,
    ]);
    return this.sign(name, `${name}.csr`, options);
  }

  /** Signs a CSR (e.g. one hds-setup made) with the intermediate CA, like a CA would. */
  signCsr(
    csrPem: string,
    sans: string[] = [],
    { caIssuers }: Pick<LeafOptions, 'caIssuers'> = {},
  ): IssuedLeaf {
    const name = `csr${++this.counter}`;
    this.write(`${name}.csr`, csrPem);
    return this.sign(name, `${name}.csr`, { sans, cnInSan: false, ...(caIssuers ? { caIssuers } : {}) });
  }

  private sign(name: string, csr: string, options: LeafOptions): IssuedLeaf {
    const cn = options.cn ?? 'kms.example.org';
    const sans = [...(options.noCn || options.cnInSan === false ? [] : [cn]), ...(options.sans ?? [])];
    this.write(
      `${name}.ext`,
      `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n${sans.length ? `subjectAltName=${sans.map((s) => `DNS:${s}`).join(',')}\n` : ''}${options.caIssuers?.length ? `authorityInfoAccess=${options.caIssuers.map((u) => `caIssuers;URI:${u}`).join(',')}\n` : ''}`,
    );
    this.openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      'intermediate.pem',
      '-CAkey',
      'intermediate.key',
      '-CAcreateserial',
      '-days',
      '365',
      `-${options.digest ?? 'sha256'}`,
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    ]);
    const keyPath = this.path(`${name}.key`);
    return {
      keyPath,
      certPath: this.path(`${name}.pem`),
      keyPem: exists(keyPath) ? this.read(`${name}.key`) : '',
      certPem: this.read(`${name}.pem`),
    };
  }

  /** A leaf with chosen dates, signed by the intermediate with node-forge (OpenSSL 3.0 cannot backdate). */
  issueDatedLeaf(notBefore: Date, notAfter: Date, cn = 'kms.example.org'): IssuedLeaf {
    const name = `dated${++this.counter}`;
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }) as string);
    cert.serialNumber = `0${randomBytes(8).toString('hex')}`;
    cert.validity.notBefore = notBefore;
    cert.validity.notAfter = notAfter;
    const issuer = forge.pki.certificateFromPem(this.intermediatePem);
    cert.setSubject([
      { name: 'organizationName', value: 'HDS Tests' },
      { name: 'commonName', value: cn },
    ]);
    cert.setIssuer(issuer.subject.attributes);
    cert.setExtensions([
      { name: 'basicConstraints', cA: false },
      { name: 'subjectAltName', altNames: [{ type: 2, value: cn }] },
    ]);
    cert.sign(forge.pki.privateKeyFromPem(this.read('intermediate.key')), forge.md.sha256.create());
    const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    this.write(`${name}.key`, keyPem);
    this.write(`${name}.pem`, forge.pki.certificateToPem(cert));
    return {
      keyPath: this.path(`${name}.key`),
      certPath: this.path(`${name}.pem`),
      keyPem,
      certPem: forge.pki.certificateToPem(cert),
    };
  }

  /** `openssl pkcs12 -export` (OpenSSL 3 defaults, or `-legacy`: 3DES key, RC2 certificates, SHA-1 MAC). */
  pkcs12(
    leaf: IssuedLeaf | undefined,
    password: string,
    {
      chain = ['intermediate'],
      legacy = false,
      noMac = false,
      keyPath,
      exportArgs = [],
    }: {
      chain?: ('intermediate' | 'root')[];
      legacy?: boolean;
      noMac?: boolean;
      keyPath?: string;
      /** More `openssl pkcs12 -export` options, e.g. `-keypbe`, `-certpbe`, `-macalg`. */
      exportArgs?: string[];
    } = {},
  ): Buffer {
    const name = `p12-${++this.counter}`;
    this.write(`${name}.chain.pem`, chain.map((c) => this.read(`${c}.pem`)).join(''));
    const args = [
      'pkcs12',
      '-export',
      '-name',
      'kms-private-key',
      '-out',
      `${name}.p12`,
      '-passout',
      `pass:${password}`,
    ];
    if (leaf)
      args.push(
        '-in',
        leaf.certPath,
        ...(keyPath || leaf.keyPem ? ['-inkey', keyPath ?? leaf.keyPath] : ['-nokeys']),
      );
    else args.push('-in', `${name}.chain.pem`, '-nokeys');
    if (leaf && chain.length) args.push('-certfile', `${name}.chain.pem`);
    if (legacy) args.push('-legacy');
    if (noMac) args.push('-nomac');
    args.push(...exportArgs);
    this.openssl(args);
    return readFileSync(this.path(`${name}.p12`));
  }

  /** A PKCS12 keystore made by Java keytool: key pair, CSR, signed here, CA reply imported. */
  keytool(keyalg: 'RSA' | 'EC', password: string, { extraKey = false } = {}): Buffer {
    const name = `keytool-${keyalg}-${++this.counter}`;
    const store = `${name}.p12`;
    const common = ['-keystore', store, '-storetype', 'PKCS12', '-storepass', password];
    const size = keyalg === 'RSA' ? ['-keysize', '2048'] : ['-groupname', 'secp256r1'];
    this.run('keytool', [
      '-genkeypair',
      '-alias',
      'kms-private-key',
      '-keyalg',
      keyalg,
      ...size,
      '-dname',
      'CN=kms.example.org, O=HDS Tests',
      '-validity',
      '365',
      ...common,
    ]);
    this.run('keytool', ['-certreq', '-alias', 'kms-private-key', '-file', `${name}.csr`, ...common]);
    const signed = this.sign(name, `${name}.csr`, {});
    this.write(`${name}.reply.pem`, signed.certPem + this.intermediatePem + this.rootPem);
    this.run('keytool', [
      '-importcert',
      '-noprompt',
      '-trustcacerts',
      '-alias',
      'kms-private-key',
      '-file',
      `${name}.reply.pem`,
      ...common,
    ]);
    if (extraKey) {
      const other = this.pkcs12(this.issueLeaf({ cn: 'other.example.org' }), password, { chain: [] });
      writeFileSync(this.path(`${name}.other.p12`), other);
      this.run('keytool', [
        '-importkeystore',
        '-srckeystore',
        `${name}.other.p12`,
        '-srcstoretype',
        'PKCS12',
        '-srcstorepass',
        password,
        '-srcalias',
        'kms-private-key',
        '-destalias',
        'second',
        '-destkeystore',
        store,
        '-deststoretype',
        'PKCS12',
        '-deststorepass',
        password,
        '-noprompt',
      ]);
    }
    return readFileSync(this.path(store));
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private key(name: string, spec: string): void {
    const [type, param] = spec.split(':');
    if (type === 'rsa')
      this.openssl([
        'genpkey',
        '-algorithm',
        'RSA',
        '-pkeyopt',
        `rsa_keygen_bits:${param}`,
        '-out',
        `${name}.key`,
      ]);
    else
      this.openssl([
        'genpkey',
        '-algorithm',
        'EC',
        '-pkeyopt',
        `ec_paramgen_curve:${param}`,
        '-out',
        `${name}.key`,
      ]);
  }

  private openssl(args: string[]): void {
    this.run('openssl', args);
  }

  private run(tool: string, args: string[]): void {
    // keytool is a JVM: the C1 compiler alone starts it 4x faster, which matters in a test run.
    if (tool === 'keytool') args = ['-J-XX:TieredStopAtLevel=1', '-J-XX:+UseSerialGC', ...args];
    execFileSync(tool, args, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  private write(name: string, text: string): void {
    writeFileSync(this.path(name), text);
  }

  private read(name: string): string {
    return readFileSync(this.path(name), 'utf8');
  }
}

function exists(path: string): boolean {
  try {
    readFileSync(path);
    return true;
  } catch {
    return false;
  }
}
