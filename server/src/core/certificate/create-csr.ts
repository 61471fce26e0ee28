import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { isIP } from 'node:net';
import type { CertificateKeyType } from '../../../../contract/certificate.js';
import { HdsError } from '../../../../contract/hds-error.js';
import { parseDer, toDer } from './der.js';
import {
  derBits,
  derImplicitPrimitive,
  derImplicitSet,
  derInteger,
  derNull,
  derOctets,
  derOid,
  derPrintable,
  derSequence,
  derSet,
  derUtf8,
} from './der-builder.js';

export interface CsrSubject {
  cn: string;
  sans?: string[];
  organization?: string;
  country?: string;
  keyType?: CertificateKeyType;
  /** The imported ISO's CN: the new certificate must keep it. */
  previousCn?: string;
}

export interface CreatedCsr {
  /** PKCS#8 PEM of the new private key, as bytes so it can be wiped. Never leaves the server. */
  privateKeyPem: Buffer;
  csrPem: string;
  /** The SANs written into the request: the CN first, then the admin's. */
  sans: string[];
}

const DNS_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const OIDS = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  country: '2.5.4.6',
  extensionRequest: '1.2.840.113549.1.9.14',
  subjectAltName: '2.5.29.17',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
};

/**
 * Makes the private key (RSA-3072 by default, or P-256) and a PKCS#10 request (RFC 2986) for the
 * admin's CN, with the CN repeated as a SAN — the step of the deployment guide that otherwise
 * needs OpenSSL.
 */
export function createCsr(subject: CsrSubject): CreatedCsr {
  const cn = subject.cn.trim();
  if (cn.includes('*'))
    throw new HdsError(
      'CERT_WILDCARD_CN',
      `"${cn}" is a wildcard; the key servers need a single name such as kms.${cn.replace(/^[*.]+/, '') || 'example.com'}.`,
      'cn',
    );
  if (!DNS_NAME.test(cn))
    throw new HdsError(
      'INVALID_INPUT',
      `"${cn}" is not a host name. Use letters, digits, hyphens and dots, for example kms.example.com (it does not need to resolve).`,
      'cn',
    );
  if (subject.previousCn !== undefined && cn.toLowerCase() !== subject.previousCn.toLowerCase())
    throw new HdsError(
      'CERT_CN_CHANGED',
      `The nodes registered with the CN "${subject.previousCn}" (from the imported ISO), and it cannot change. Request the certificate for ${subject.previousCn}.`,
      'cn',
    );
  const sans = [cn, ...(subject.sans ?? []).map((s) => s.trim())].filter(
    (s, i, all) => s && all.findIndex((o) => o.toLowerCase() === s.toLowerCase()) === i,
  );
  sans.forEach((san, index) => {
    if (!isIP(san) && !DNS_NAME.test(san.replace(/^\*\./, '')))
      throw new HdsError(
        'INVALID_INPUT',
        `"${san}" is neither a host name nor an IP address. Remove it or correct it.`,
        `sans.${index - 1}`,
      );
  });

  const rsa = (subject.keyType ?? 'rsa-3072') === 'rsa-3072';
  const { privateKey, publicKey } = rsa
    ? generateKeyPairSync('rsa', { modulusLength: 3072 })
    : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

  const name = derSequence([
    ...(subject.country ? [rdn(OIDS.country, derPrintable(subject.country.toUpperCase()))] : []),
    ...(subject.organization ? [rdn(OIDS.organization, derUtf8(subject.organization))] : []),
    rdn(OIDS.commonName, derUtf8(cn)),
  ]);
  const generalNames = derSequence(
    sans.map((san) =>
      isIP(san) ? derImplicitPrimitive(7, ipBytes(san)) : derImplicitPrimitive(2, Buffer.from(san, 'ascii')),
    ),
  );
  const extensionRequest = derSequence([
    derOid(OIDS.extensionRequest),
    derSet([derSequence([derSequence([derOid(OIDS.subjectAltName), derOctets(toDer(generalNames))])])]),
  ]);
  const requestInfo = derSequence([
    derInteger(0),
    name,
    parseDer(publicKey.export({ type: 'spki', format: 'der' })),
    derImplicitSet(0, [extensionRequest]),
  ]);
  const csr = derSequence([
    requestInfo,
    derSequence(rsa ? [derOid(OIDS.sha256WithRsa), derNull()] : [derOid(OIDS.ecdsaWithSha256)]),
    derBits(signRequest(toDer(requestInfo), privateKey)),
  ]);
  return {
    privateKeyPem: Buffer.from(privateKey.export({ type: 'pkcs8', format: 'pem' })),
    csrPem: pem('CERTIFICATE REQUEST', toDer(csr)),
    sans,
  };
}

function rdn(type: string, value: ReturnType<typeof derUtf8>) {
  return derSet([derSequence([derOid(type), value])]);
}

/** SHA-256 with PKCS#1 v1.5 for RSA, DER-encoded ECDSA for EC — what every CA accepts. */
function signRequest(data: Buffer, key: KeyObject): Buffer {
  return sign('sha256', data, key);
}

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  const [head = '', tail = ''] = ip.split('::');
  const parts = (s: string) => (s ? s.split(':') : []);
  const missing = 8 - parts(head).length - parts(tail).length;
  const groups = [...parts(head), ...Array(ip.includes('::') ? missing : 0).fill('0'), ...parts(tail)];
  return Buffer.from(groups.flatMap((g) => [(parseInt(g, 16) >> 8) & 0xff, parseInt(g, 16) & 0xff]));
}

function pem(label: string, der: Buffer): string {
  const body = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}
