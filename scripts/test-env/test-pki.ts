import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throw-away certificate authority made with the real OpenSSL, for test servers (PostgreSQL, rsyslog…). */
export interface TestCa {
  dir: string;
  certPath: string;
  keyPath: string;
  certPem: string;
}

export interface IssuedCert {
  certPath: string;
  keyPath: string;
  certPem: string;
  keyPem: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function createTestCa(
  commonName = 'HDS Test Root CA',
  dir = mkdtempSync(join(tmpdir(), 'hds-ca-')),
): TestCa {
  const keyPath = join(dir, 'ca.key');
  const certPath = join(dir, 'ca.pem');
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyPath], dir);
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      keyPath,
      '-sha256',
      '-days',
      '30',
      '-subj',
      `/CN=${commonName}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      certPath,
    ],
    dir,
  );
  return { dir, certPath, keyPath, certPem: readFileSync(certPath, 'utf8') };
}

/**
 * A server certificate signed by `ca`, for the given DNS names and IP addresses. `validity`
 * (`YYYYMMDDHHMMSSZ`) makes one that has expired or is not yet valid.
 */
export function issueServerCert(
  ca: TestCa,
  name: string,
  {
    dnsNames = [],
    ips = [],
    validity,
  }: { dnsNames?: string[]; ips?: string[]; validity?: { notBefore: string; notAfter: string } },
): IssuedCert {
  const keyPath = join(ca.dir, `${name}.key`);
  const csrPath = join(ca.dir, `${name}.csr`);
  const certPath = join(ca.dir, `${name}.pem`);
  const extPath = join(ca.dir, `${name}.ext`);
  const san = [...dnsNames.map((d) => `DNS:${d}`), ...ips.map((i) => `IP:${i}`)].join(',');
  writeFileSync(
    extPath,
    `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n${san ? `subjectAltName=${san}\n` : ''}`,
  );
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyPath], ca.dir);
  openssl(
    ['req', '-new', '-key', keyPath, '-subj', `/CN=${dnsNames[0] ?? ips[0] ?? name}`, '-out', csrPath],
    ca.dir,
  );
  if (validity) {
    // OpenSSL 3.0's `x509` cannot set a start date; `ca` can. A throw-away database per certificate.
    const dbDir = mkdtempSync(join(ca.dir, 'ca-db-'));
    writeFileSync(join(dbDir, 'index.txt'), '');
    writeFileSync(join(dbDir, 'serial'), `${Date.now().toString(16).padStart(12, '0')}\n`);
    const conf = join(dbDir, 'ca.cnf');
    writeFileSync(
      conf,
      `[ca]\ndefault_ca=c\n[c]\ndatabase=${dbDir}/index.txt\nnew_certs_dir=${dbDir}\nserial=${dbDir}/serial\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n`,
    );
    openssl(
      [
        'ca',
        '-batch',
        '-config',
        conf,
        '-cert',
        ca.certPath,
        '-keyfile',
        ca.keyPath,
        '-in',
        csrPath,
        '-startdate',
        validity.notBefore,
        '-enddate',
        validity.notAfter,
        '-extfile',
        extPath,
        '-notext',
        '-out',
        certPath,
      ],
      ca.dir,
    );
  } else
    openssl(
      [
        'x509',
        '-req',
        '-in',
        csrPath,
        '-CA',
        ca.certPath,
        '-CAkey',
        ca.keyPath,
        '-CAcreateserial',
        '-days',
        '30',
        '-sha256',
        '-extfile',
        extPath,
        '-out',
        certPath,
      ],
      ca.dir,
    );
  return {
    certPath,
    keyPath,
    certPem: readFileSync(certPath, 'utf8'),
    keyPem: readFileSync(keyPath, 'utf8'),
  };
}

/** A self-signed server certificate (CA:FALSE), as `openssl req -x509` makes for a quick TLS setup. */
export function createSelfSignedServerCert(
  dnsName: string,
  dir = mkdtempSync(join(tmpdir(), 'hds-self-')),
): IssuedCert {
  const keyPath = join(dir, 'self.key');
  const certPath = join(dir, 'self.pem');
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-subj',
      `/CN=${dnsName}`,
      '-days',
      '30',
      '-addext',
      'basicConstraints=critical,CA:FALSE',
      '-addext',
      `subjectAltName=DNS:${dnsName}`,
      '-out',
      certPath,
    ],
    dir,
  );
  return {
    certPath,
    keyPath,
    certPem: readFileSync(certPath, 'utf8'),
    keyPem: readFileSync(keyPath, 'utf8'),
  };
}
