import { HdsError } from '../../../../contract/hds-error.js';
import { type CertificateFacts, readCertificate } from './certificate-facts.js';
import { pemBlocks } from './pem-blocks.js';

const MAX_CERTIFICATES = 20;

/**
 * Certificates from PEM text (a CA's reply: leaf and chain in any order, or a private root).
 * A private key pasted by mistake is refused rather than silently read: it must not travel here.
 */
export function readPemCertificates(pem: string, field: string, what: string): CertificateFacts[] {
  const blocks = pemBlocks(pem);
  if (blocks.some((b) => b.label.includes('PRIVATE KEY')))
    throw new HdsError(
      'CERT_PEM_INVALID',
      `${what} contains a private key. Paste only certificates (BEGIN CERTIFICATE blocks); the private key stays where it is.`,
      field,
    );
  const certificates = blocks.filter((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE');
  if (certificates.length === 0)
    throw new HdsError(
      'CERT_PEM_INVALID',
      `${what} has no certificate in it. Paste PEM text with -----BEGIN CERTIFICATE----- blocks, as your CA sent it.`,
      field,
    );
  if (certificates.length > MAX_CERTIFICATES)
    throw new HdsError(
      'CERT_PEM_INVALID',
      `${what} holds ${certificates.length} certificates; paste only your certificate and its CA chain.`,
      field,
    );
  return certificates.map((block, index) => {
    const body = block.body.replace(/\s+/g, '');
    try {
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new Error('not base64');
      return readCertificate(Buffer.from(body, 'base64'));
    } catch {
      throw new HdsError(
        'CERT_PEM_INVALID',
        `Certificate ${index + 1} of ${what.toLowerCase()} is damaged and cannot be read. Copy it again from your CA's email or download, including the BEGIN and END lines.`,
        field,
      );
    }
  });
}
