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

/** A server certificate signed by `ca`, for the given DNS names and IP addresses. */
export function issueServerCert(
  ca: TestCa,
  name: string,
  { dnsNames = [], ips = [] }: { dnsNames?: string[]; ips?: string[] },
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
