import { createPrivateKey, KeyObject } from 'node:crypto';
import { HdsError } from '../../../../contract/hds-error.js';
import {
  type CertificateCheckOptions,
  type CertificateCheckResult,
  checkCertificateChain,
} from './check-certificate-chain.js';
import { readPemCertificates } from './read-pem.js';

/**
 * The second half of the CSR flow: the CA's PEM reply (leaf and chain, any order) is checked
 * against the key hds-setup made, with the same rules as an uploaded PKCS12.
 */
export async function completeCsr(
  privateKey: Buffer | KeyObject,
  chainPem: string,
  options: CertificateCheckOptions = {},
): Promise<CertificateCheckResult> {
  const field = options.fields?.file ?? 'chainPem';
  const certificates = readPemCertificates(chainPem, field, "The CA's certificate chain");
  // A KeyObject: a key the front door already read (cert assemble decrypts an encrypted one first).
  const key =
    privateKey instanceof KeyObject ? privateKey : createPrivateKey({ key: privateKey, format: 'pem' });
  try {
    return await checkCertificateChain([key], certificates, {
      ...options,
      fields: { ...options.fields, file: field },
    });
  } catch (error) {
    if (error instanceof HdsError && error.code === 'P12_KEY_MISMATCH')
      throw new HdsError(
        'P12_KEY_MISMATCH',
        'None of these certificates was issued for the key of your certificate request. Paste the certificate your CA issued for this request (CSRs made earlier, or elsewhere, have other keys).',
        field,
      );
    throw error;
  }
}
