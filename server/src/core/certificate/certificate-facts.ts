import { X509Certificate } from 'node:crypto';
import { type Asn1, DerShapeError, explicit, isContextTag, oid, parseDer, sequence, text } from './der.js';

/** One X.509 certificate with the facts the checks and the page need, read once. */
export interface CertificateFacts {
  x509: X509Certificate;
  der: Buffer;
  /** Every CN attribute of the subject, in order (normally exactly one). */
  commonNames: string[];
  subject: string;
  issuer: string;
  sans: string[];
  notBefore: Date;
  notAfter: Date;
  signatureAlgorithm: SignatureAlgorithm;
  /** SHA-256 of the DER, colon-separated upper-case hex (as browsers and OpenSSL print it). */
  fingerprintSha256: string;
  /** Subject equals issuer: a root (or a self-signed leaf). */
  selfIssued: boolean;
}

export interface SignatureAlgorithm {
  name: string;
  /** SHA-1, MD5 or MD2: refused anywhere below the root. */
  weak: boolean;
}

const COMMON_NAME = '2.5.4.3';
const RSASSA_PSS = '1.2.840.113549.1.1.10';
const SIGNATURE_ALGORITHMS: Record<string, SignatureAlgorithm> = {
  '1.2.840.113549.1.1.2': { name: 'md2WithRSAEncryption', weak: true },
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', weak: true },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', weak: true },
  '1.3.14.3.2.29': { name: 'sha1WithRSAEncryption', weak: true },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', weak: false },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', weak: false },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', weak: false },
  '1.2.840.113549.1.1.14': { name: 'sha224WithRSAEncryption', weak: false },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', weak: true },
  '1.2.840.10045.4.3.1': { name: 'ecdsa-with-SHA224', weak: false },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', weak: false },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', weak: false },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', weak: false },
  '1.2.840.10040.4.3': { name: 'dsa-with-SHA1', weak: true },
  '1.3.101.112': { name: 'Ed25519', weak: false },
  '1.3.101.113': { name: 'Ed448', weak: false },
};
const PSS_HASHES: Record<string, SignatureAlgorithm> = {
  '1.3.14.3.2.26': { name: 'RSASSA-PSS with SHA-1', weak: true },
  '2.16.840.1.101.3.4.2.1': { name: 'RSASSA-PSS with SHA-256', weak: false },
  '2.16.840.1.101.3.4.2.2': { name: 'RSASSA-PSS with SHA-384', weak: false },
  '2.16.840.1.101.3.4.2.3': { name: 'RSASSA-PSS with SHA-512', weak: false },
};

/** Reads a DER certificate; a structure Node or the RFC 5280 walk cannot read throws DerShapeError. */
export function readCertificate(der: Buffer): CertificateFacts {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch (error) {
    throw new DerShapeError(`a certificate is unreadable (${(error as Error).message})`);
  }
  const [tbs, algorithm] = sequence(parseDer(der), 'Certificate', 3);
  const tbsFields = sequence(tbs, 'TBSCertificate', 6);
  // The optional [0] version shifts every later field by one (RFC 5280 4.1).
  const offset = isContextTag(tbsFields[0], 0) ? 1 : 0;
  const subjectName = tbsFields[4 + offset];
  const notBefore = new Date(x509.validFrom);
  const notAfter = new Date(x509.validTo);
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime()))
    throw new DerShapeError('a certificate has unreadable validity dates');
  return {
    x509,
    der,
    commonNames: attributeValues(subjectName, COMMON_NAME),
    subject: oneLine(x509.subject),
    issuer: oneLine(x509.issuer),
    sans: subjectAltNames(x509),
    notBefore,
    notAfter,
    signatureAlgorithm: signatureAlgorithmOf(algorithm!),
    fingerprintSha256: x509.fingerprint256,
    selfIssued: x509.subject === x509.issuer,
  };
}

function signatureAlgorithmOf(algorithm: Asn1): SignatureAlgorithm {
  const [idNode, params] = sequence(algorithm, 'signature algorithm', 1);
  const id = oid(idNode, 'signature algorithm');
  if (id === RSASSA_PSS) {
    // RFC 4055: an absent hashAlgorithm means SHA-1.
    const fields = params?.constructed ? sequence(params, 'PSS parameters') : [];
    const hashField = fields.find((f) => isContextTag(f, 0));
    if (!hashField) return PSS_HASHES['1.3.14.3.2.26']!;
    const hashOid = oid(sequence(explicit(hashField, 0, 'PSS hash'), 'PSS hash', 1)[0], 'PSS hash');
    return PSS_HASHES[hashOid] ?? { name: `RSASSA-PSS (${hashOid})`, weak: true };
  }
  return SIGNATURE_ALGORITHMS[id] ?? { name: id, weak: false };
}

function attributeValues(name: Asn1 | undefined, type: string): string[] {
  const values: string[] = [];
  for (const rdn of sequence(name, 'Name'))
    for (const attribute of sequence(rdn, 'RelativeDistinguishedName')) {
      const [typeNode, value] = sequence(attribute, 'AttributeTypeAndValue', 2);
      if (oid(typeNode, 'attribute type') === type) values.push(text(value));
    }
  return values;
}

function subjectAltNames(x509: X509Certificate): string[] {
  if (!x509.subjectAltName) return [];
  return x509.subjectAltName
    .split(/,\s*/)
    .map((entry) => entry.replace(/^DNS:/, '').replace(/^IP Address:/, ''))
    .filter(Boolean);
}

/** Node prints names one attribute per line; the page shows them as `CN=…, O=…`. */
function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).reverse().join(', ');
}
