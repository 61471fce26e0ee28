import type { CertificateWarning } from '../../../../contract/certificate.js';
import { HdsError } from '../../../../contract/hds-error.js';
import type { CertificateFacts } from './certificate-facts.js';

/**
 * The key servers identify themselves by the CN, never by the SANs (deployment guide, "X.509
 * Certificate Requirements"): exactly one CN, no wildcard, and — once nodes are registered —
 * never a different one.
 */
export function checkCommonName(
  leaf: CertificateFacts,
  previousCn: string | undefined,
  field: string,
): { errors: HdsError[]; warnings: CertificateWarning[] } {
  const cn = leaf.commonNames[0]?.trim() ?? '';
  if (!cn)
    return {
      errors: [
        new HdsError(
          'CERT_NO_CN',
          `The certificate "${leaf.subject || '(empty subject)'}" has no common name (CN). The key servers identify themselves by the CN: request a certificate whose subject is CN=<a host name such as kms.example.com>.`,
          field,
        ),
      ],
      warnings: [],
    };
  const errors: HdsError[] = [];
  if (cn.includes('*'))
    errors.push(
      new HdsError(
        'CERT_WILDCARD_CN',
        `The certificate's CN is "${cn}"; wildcard CNs are not allowed. Request a certificate for a single name such as kms.${cn.replace(/^[*.]+/, '') || 'example.com'}.`,
        field,
      ),
    );
  if (previousCn !== undefined && cn.toLowerCase() !== previousCn.toLowerCase())
    errors.push(
      new HdsError(
        'CERT_CN_CHANGED',
        `The certificate's CN is "${cn}", but the nodes registered with "${previousCn}" (from the imported ISO). The CN cannot change once nodes are registered: use a certificate for ${previousCn}.`,
        field,
      ),
    );
  const warnings: CertificateWarning[] = [];
  if (!leaf.sans.some((san) => san.toLowerCase() === cn.toLowerCase()))
    warnings.push({
      code: 'CERT_CN_NOT_IN_SAN',
      message: `The CN "${cn}" is not among the certificate's subject alternative names (${leaf.sans.join(', ') || 'none'}). The key servers use the CN, so this works, but clients that check SANs only may complain; ask your CA to include the CN as a SAN next time.`,
    });
  return { errors, warnings };
}
