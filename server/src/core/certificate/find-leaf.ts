import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { HdsError } from '../../../../contract/hds-error.js';
import type { CertificateFacts } from './certificate-facts.js';

export interface KeyAndLeaf {
  key: KeyObject;
  leaf: CertificateFacts;
}

/** Turns the PKCS#8 keys of a file into Node keys; one that Node cannot read is a damaged file. */
export function readPrivateKeys(keys: Buffer[], field: string): KeyObject[] {
  return keys.map((der) => {
    try {
      return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    } catch {
      throw new HdsError(
        'P12_INVALID',
        'The private key inside the PKCS12 file is unreadable. Export the file again from the tool that made it.',
        field,
      );
    }
  });
}

/**
 * The one private key and the certificate it belongs to. Matching is by the key itself
 * (`checkPrivateKey`), not by friendly name: often only the leaf's bag carries one.
 */
export function findLeaf(keys: KeyObject[], certificates: CertificateFacts[], field: string): KeyAndLeaf {
  const distinct = keys.filter(
    (key, i) => keys.findIndex((other) => publicDer(other).equals(publicDer(key))) === i,
  );
  if (distinct.length === 0)
    throw new HdsError(
      'P12_NO_KEY',
      'The PKCS12 file holds certificates but no private key. Export it again with the private key included (in Windows: "Yes, export the private key"; with OpenSSL: pkcs12 -export -inkey <key file>).',
      field,
    );
  if (distinct.length > 1)
    throw new HdsError(
      'P12_MULTIPLE_KEYS',
      `The PKCS12 file holds ${distinct.length} private keys; the key servers need exactly one. Export a file with only the key of the nodes' certificate.`,
      field,
    );
  const key = distinct[0]!;
  const matching = certificates.filter((c) => c.x509.checkPrivateKey(key));
  if (matching.length === 0)
    throw new HdsError(
      'P12_KEY_MISMATCH',
      certificates.length === 0
        ? 'The PKCS12 file holds a private key but no certificate. Include the certificate your CA issued for this key.'
        : 'No certificate in the file belongs to its private key. Put the certificate your CA issued for this key (and its CA chain) in the file, or use the key that made the certificate request.',
      field,
    );
  // A renewed certificate for the same key may sit beside the old one: take the newest.
  const leaf = matching.reduce((best, c) => (c.notAfter > best.notAfter ? c : best));
  return { key, leaf };
}

function publicDer(key: KeyObject): Buffer {
  return createPublicKey(key).export({ type: 'spki', format: 'der' });
}
