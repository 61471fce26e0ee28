import type { PreviousPrivateRoot } from '../../../../contract/certificate.js';
import { HdsError } from '../../../../contract/hds-error.js';
import { buildChain } from './build-chain.js';
import type { CertificateFacts } from './certificate-facts.js';
import { readPemCertificates } from './read-pem.js';
import { publicRoots, TrustStore } from './trust-store.js';

/**
 * The root the imported ISO's certificate chain (hds/certs/kms-chain.pem, leaf first) ends at,
 * when it is a private one: a new certificate from the same CA needs it again. A chain that ends
 * at a publicly trusted root, or cannot be read, offers nothing.
 */
export function findPreviousPrivateRoot(chainPem: string): PreviousPrivateRoot | undefined {
  let chain: CertificateFacts[];
  try {
    chain = readPemCertificates(chainPem, 'import', 'The imported certificate chain');
  } catch {
    return undefined;
  }
  const root = chain.at(-1);
  if (!root || chain.length < 2 || !root.selfIssued) return undefined;
  if (publicRoots().some((p) => p.fingerprintSha256 === root.fingerprintSha256)) return undefined;
  return {
    pem: root.x509.toString(),
    subject: root.subject,
    commonName: root.commonNames[0] ?? root.subject,
    fingerprintSha256: root.fingerprintSha256,
  };
}

/** What the front door tells the admin to do to trust the previous root again (its own words). */
export interface PreviousPrivateRootHint {
  root: PreviousPrivateRoot;
  howToTrust: string;
}

/**
 * A chain refused for its root (untrusted, or missing from the file) that would end at the
 * previous ISO's private root: the refusal names that root and how to add it. It is never trusted
 * here — the acknowledgment stays the admin's (wizard checkbox, answers-file trustRoots entry).
 */
export async function explainPreviousPrivateRoot(
  error: HdsError,
  leaf: CertificateFacts,
  pool: CertificateFacts[],
  hint: PreviousPrivateRootHint | undefined,
  field: string,
): Promise<HdsError> {
  if (!hint || (error.code !== 'CERT_UNTRUSTED_ROOT' && error.code !== 'CERT_CHAIN_INCOMPLETE')) return error;
  const root = readPemCertificates(hint.root.pem, field, 'The previous private root')[0]!;
  try {
    const built = await buildChain(leaf, pool, new TrustStore([], [root]), field);
    if (built.certificates.at(-1)?.fingerprintSha256 !== root.fingerprintSha256) return error;
  } catch {
    return error; // Not issued under the previous root: the original refusal says what is wrong.
  }
  return new HdsError(
    'CERT_UNTRUSTED_ROOT',
    `The chain ends at the private root "${hint.root.commonName}" that the previous ISO's certificate chain also ended at. It is not publicly trusted, so hds-setup trusts it again only when you say so: ${hint.howToTrust}`,
    field,
  );
}
