import { type CertificateFacts, readCertificate } from './certificate-facts.js';
import { pemBlocks } from './pem-blocks.js';

const MAX_CERTIFICATES = 10;
const SIGNED_DATA = Buffer.from('06092a864886f70d010702', 'hex'); // OID 1.2.840.113549.1.7.2

/**
 * The certificates in a caIssuers download. RFC 5280 4.2.2.1 says DER certificate or a
 * certs-only PKCS#7 (.p7c); CAs also serve PEM. Anything else is `undefined` (not a certificate).
 */
export function readCaIssuerResponse(body: Buffer): CertificateFacts[] | undefined {
  const text = body.toString('latin1');
  const ders = text.includes('-----BEGIN')
    ? pemBlocks(text).flatMap(({ label, body }) => {
        const der = Buffer.from(body.replace(/\s+/g, ''), 'base64');
        if (label === 'CERTIFICATE' || label === 'X509 CERTIFICATE') return [der];
        if (label === 'PKCS7') return pkcs7Certificates(der) ?? [];
        return [];
      })
    : (pkcs7Certificates(body) ?? [body]);
  const certificates: CertificateFacts[] = [];
  for (const der of ders.slice(0, MAX_CERTIFICATES)) {
    try {
      certificates.push(readCertificate(der));
    } catch {
      // One unreadable entry of a bundle does not spoil the others.
    }
  }
  return certificates.length > 0 ? certificates : undefined;
}

/**
 * The `certificates [0] IMPLICIT` of a PKCS#7 SignedData (RFC 2315 9.1), each sliced from the
 * original bytes: the signatures cover exactly those bytes, so nothing is re-encoded.
 */
function pkcs7Certificates(der: Buffer): Buffer[] | undefined {
  const contentInfo = tlv(der, 0);
  if (contentInfo?.tag !== 0x30 || contentInfo.end !== der.length) return undefined;
  const type = tlv(der, contentInfo.start);
  if (type?.tag !== 0x06 || !der.subarray(type.headerStart, type.end).equals(SIGNED_DATA)) return undefined;
  const explicit = tlv(der, type.end);
  if (explicit?.tag !== 0xa0) return undefined;
  const signedData = tlv(der, explicit.start);
  if (signedData?.tag !== 0x30) return undefined;
  for (const field of children(der, signedData))
    if (field.tag === 0xa0) return children(der, field).map((c) => der.subarray(c.headerStart, c.end));
  return [];
}

interface Tlv {
  tag: number;
  headerStart: number;
  /** Where the contents start. */
  start: number;
  end: number;
}

function children(der: Buffer, parent: Tlv): Tlv[] {
  const list: Tlv[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const child = tlv(der, at);
    if (!child || child.end > parent.end) return [];
    list.push(child);
    at = child.end;
  }
  return list;
}

/** One DER tag-length-value at `at` (definite lengths only: certs-only .p7c files are DER). */
function tlv(der: Buffer, at: number): Tlv | undefined {
  if (at + 2 > der.length) return undefined;
  const tag = der[at]!;
  let length = der[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > der.length) return undefined;
    length = der.readUIntBE(start, count);
    start += count;
  }
  const end = start + length;
  return end <= der.length ? { tag, headerStart: at, start, end } : undefined;
}
