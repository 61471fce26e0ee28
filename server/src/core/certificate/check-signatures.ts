import { HdsError } from '../../../../contract/hds-error.js';
import type { CertificateFacts } from './certificate-facts.js';

/**
 * "The KMS software does not support SHA1 signatures for validating connections to other
 * organizations' KMSs" (deployment guide). A root's own self-signature is never checked by
 * anyone, so it is exempt.
 */
export function checkSignatures(chain: CertificateFacts[], field: string): HdsError[] {
  const last = chain[chain.length - 1]!;
  return chain
    .filter((cert) => !(cert === last && cert.selfIssued))
    .filter((cert) => cert.signatureAlgorithm.weak)
    .map(
      (cert, _i) =>
        new HdsError(
          'CERT_WEAK_SIGNATURE',
          `${cert === chain[0] ? 'The certificate' : `The CA certificate "${cert.subject}"`} is signed with ${cert.signatureAlgorithm.name}, which the key servers refuse. Ask your CA for a certificate (and chain) signed with SHA-256 or stronger.`,
          field,
        ),
    );
}
