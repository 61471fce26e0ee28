import type { CertificateWarning } from '../../../../contract/certificate.js';
import { HdsError } from '../../../../contract/hds-error.js';
import type { CertificateFacts } from './certificate-facts.js';

const DAY_MS = 86_400_000;
const EXPIRES_SOON_DAYS = 60;

/** Every certificate of the chain must be valid now; the leaf should stay valid for 60 more days. */
export function checkValidity(
  chain: CertificateFacts[],
  now: Date,
  field: string,
): { errors: HdsError[]; warnings: CertificateWarning[] } {
  const errors: HdsError[] = [];
  for (const [index, cert] of chain.entries()) {
    const which = index === 0 ? 'The certificate' : `The CA certificate "${cert.subject}"`;
    if (cert.notAfter < now)
      errors.push(
        new HdsError(
          'CERT_EXPIRED',
          `${which} expired on ${day(cert.notAfter)}. ${index === 0 ? 'Renew it with your CA' : 'Get the current CA bundle from your CA'} and export the PKCS12 again.`,
          field,
        ),
      );
    else if (cert.notBefore > now)
      errors.push(
        new HdsError(
          'CERT_NOT_YET_VALID',
          `${which} is not valid until ${day(cert.notBefore)}. Check this computer's clock, or wait until that date.`,
          field,
        ),
      );
  }
  const leaf = chain[0]!;
  const daysLeft = Math.floor((leaf.notAfter.getTime() - now.getTime()) / DAY_MS);
  const warnings: CertificateWarning[] =
    errors.length === 0 && daysLeft < EXPIRES_SOON_DAYS
      ? [
          {
            code: 'CERT_EXPIRES_SOON',
            message: `The certificate expires on ${day(leaf.notAfter)} (in ${daysLeft} days). Plan its renewal now: the nodes stop working when it expires.`,
          },
        ]
      : [];
  return { errors, warnings };
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}
