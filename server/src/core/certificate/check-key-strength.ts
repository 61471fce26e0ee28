import type { KeyObject } from 'node:crypto';
import { HdsError } from '../../../../contract/hds-error.js';
import type { CertificateFacts } from './certificate-facts.js';

/** What the page shows about a key: "RSA 3072" or "EC P-256". */
export interface KeyDescription {
  keyType: 'RSA' | 'EC';
  keySize: number;
  curve?: string;
}

const CURVES: Record<string, { name: string; bits: number }> = {
  prime256v1: { name: 'P-256', bits: 256 },
  secp384r1: { name: 'P-384', bits: 384 },
  secp521r1: { name: 'P-521', bits: 521 },
};

export function describeKey(key: KeyObject): KeyDescription | string {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss')
    return { keyType: 'RSA', keySize: details.modulusLength ?? 0 };
  if (key.asymmetricKeyType === 'ec') {
    const curve = CURVES[details.namedCurve ?? ''];
    return curve ? { keyType: 'EC', keySize: curve.bits, curve: curve.name } : `EC ${details.namedCurve}`;
  }
  return String(key.asymmetricKeyType);
}

/** RSA below 2048 bits and EC below P-256 (or curves the key servers do not speak) are refused. */
export function checkKeyStrength(
  key: KeyObject,
  chain: CertificateFacts[],
  rootFromStore: boolean,
  field: string,
): HdsError[] {
  const checked = rootFromStore ? chain.slice(0, -1) : chain;
  const errors: HdsError[] = [];
  const leafProblem = weakness(describeKey(key));
  if (leafProblem)
    errors.push(
      new HdsError(
        'CERT_WEAK_KEY',
        `The private key is ${leafProblem}. Create a new key of RSA 2048 bits or more (3072 recommended) or EC P-256/P-384, and request a new certificate for it.`,
        field,
      ),
    );
  for (const cert of checked.slice(1)) {
    const problem = weakness(describeKey(cert.x509.publicKey));
    if (problem)
      errors.push(
        new HdsError(
          'CERT_WEAK_KEY',
          `The CA certificate "${cert.subject}" has a key of ${problem}. Ask your CA for a chain with RSA 2048+ or EC P-256+ keys.`,
          field,
        ),
      );
  }
  return errors;
}

function weakness(description: KeyDescription | string): string | undefined {
  if (typeof description === 'string') return `${description}, which the key servers do not support`;
  if (description.keyType === 'RSA' && description.keySize < 2048)
    return `RSA ${description.keySize} bits, below the 2048-bit minimum`;
  return undefined;
}
