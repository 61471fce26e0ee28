import { HdsError } from '../../../../contract/hds-error.js';
import { type CertificateFacts, readCertificate } from './certificate-facts.js';
import {
  type CertificateCheckOptions,
  type CertificateCheckResult,
  checkCertificateChain,
} from './check-certificate-chain.js';
import { readPrivateKeys } from './find-leaf.js';
import { readPkcs12 } from './read-pkcs12.js';

/**
 * Opens a PKCS12 with its password and applies every certificate rule. Throws HdsError /
 * HdsErrors; returns the summary, the warnings and the normalized key and chain.
 * Used by the certificate page, `hds-setup cert check`, and the ISO import.
 */
export async function checkPkcs12(
  bytes: Buffer,
  password: Buffer,
  options: CertificateCheckOptions = {},
): Promise<CertificateCheckResult> {
  const file = options.fields?.file ?? 'p12';
  const contents = await readPkcs12(bytes, password, {
    file,
    password: options.fields?.password ?? 'password',
  });
  const certificates: CertificateFacts[] = contents.certificates.map(({ der }) => {
    try {
      return readCertificate(der);
    } catch {
      throw new HdsError(
        'P12_INVALID',
        'A certificate inside the PKCS12 file is damaged and cannot be read. Export the file again from the tool that made it.',
        file,
      );
    }
  });
  const keys = readPrivateKeys(contents.keys, file);
  for (const der of contents.keys) der.fill(0);
  return checkCertificateChain(keys, certificates, options);
}
