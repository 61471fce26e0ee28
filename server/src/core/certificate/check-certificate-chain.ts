import type { KeyObject, X509Certificate } from 'node:crypto';
import type { CertificateSummary, CertificateWarning } from '../../../../contract/certificate.js';
import { HdsError, HdsErrors } from '../../../../contract/hds-error.js';
import { type BuiltChain, buildChain } from './build-chain.js';
import type { CertificateFacts } from './certificate-facts.js';
import { checkCommonName } from './check-common-name.js';
import { checkKeyStrength, describeKey } from './check-key-strength.js';
import { checkSignatures } from './check-signatures.js';
import { checkValidity } from './check-validity.js';
import { findLeaf } from './find-leaf.js';
import {
  type FetchedIssuer,
  ISSUER_FETCH_LIMITS,
  IssuerFetcher,
  type IssuerFetchLimits,
} from './issuer-fetcher.js';
import { explainPreviousPrivateRoot, type PreviousPrivateRootHint } from './previous-private-root.js';
import { readPemCertificates } from './read-pem.js';
import { publicRoots, TrustStore } from './trust-store.js';

export interface CertificateCheckOptions {
  /** Private root CAs (PEM) the admin added with the "not publicly trusted" acknowledgment. */
  trustRoots?: string[];
  /** The imported ISO's CN: a new certificate must keep it. */
  previousCn?: string;
  /**
   * The private root the imported ISO's chain ended at: not trusted by this, only named (with how
   * to add it) when a chain is refused for lacking it.
   */
  previousPrivateRoot?: PreviousPrivateRootHint;
  now?: Date;
  /** Which input the errors concern (the page shows them beside it). */
  fields?: { file?: string; password?: string; trustRoot?: string };
  /**
   * Downloading missing intermediates from their caIssuers URL: on by default with
   * ISSUER_FETCH_LIMITS; `false` for a keystore hds-setup made itself (an ISO import), which
   * holds its full chain and must open offline.
   */
  issuerFetch?: Partial<IssuerFetchLimits> | false;
}

/** A usable certificate: what the page shows, plus the normalized key and chain for the PKCS12. */
export interface CertificateCheckResult {
  summary: CertificateSummary;
  warnings: CertificateWarning[];
  key: KeyObject;
  /** Leaf first, ending with the root. */
  chain: X509Certificate[];
}

/**
 * The certificate rules of the deployment guide, as one pipeline: find the leaf, build the chain
 * to a trusted root (downloading a missing intermediate if need be), then every rule. All
 * problems are reported at once.
 */
export async function checkCertificateChain(
  keys: KeyObject[],
  certificates: CertificateFacts[],
  options: CertificateCheckOptions,
): Promise<CertificateCheckResult> {
  const field = options.fields?.file ?? 'p12';
  const now = options.now ?? new Date();
  const privateRoots = (options.trustRoots ?? []).flatMap((pem) =>
    readPemCertificates(pem, options.fields?.trustRoot ?? 'trustRoot', 'The private root CA'),
  );
  const trust = new TrustStore(publicRoots(), privateRoots);
  const { key, leaf } = findLeaf(keys, certificates, field);

  const errors: HdsError[] = [];
  const warnings: CertificateWarning[] = [];
  const name = checkCommonName(leaf, options.previousCn, field);
  errors.push(...name.errors);
  let built: BuiltChain | undefined;
  try {
    const fetcher =
      options.issuerFetch === false
        ? undefined
        : new IssuerFetcher({ ...ISSUER_FETCH_LIMITS, ...options.issuerFetch });
    built = await buildChain(leaf, certificates, trust, field, fetcher);
  } catch (error) {
    if (!(error instanceof HdsError)) throw error;
    errors.push(
      await explainPreviousPrivateRoot(error, leaf, certificates, options.previousPrivateRoot, field),
    );
  }
  const chain = built?.certificates ?? [leaf];
  const validity = checkValidity(chain, now, field);
  errors.push(...validity.errors, ...checkSignatures(chain, field));
  errors.push(...checkKeyStrength(key, chain, built?.rootAddedFromStore ?? false, field));
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1) throw new HdsErrors(errors);

  const result = built!;
  warnings.push(...validity.warnings, ...name.warnings);
  if (result.fetched.length > 0) warnings.push(intermediateFetched(result.fetched));
  if (result.trust === 'private')
    warnings.push({
      code: 'CERT_PRIVATE_ROOT',
      message: `The chain ends at your private root "${chain[chain.length - 1]!.subject}". Other organisations' key servers will not trust this certificate; use a publicly trusted CA before connecting to other organisations.`,
    });
  return {
    summary: summarize(key, result, now),
    warnings,
    key,
    chain: chain.map((c) => c.x509),
  };
}

function fetchedFrom(built: BuiltChain, cert: CertificateFacts): { fetchedFrom?: string } {
  const fetched = built.fetched.find((f) => f.certificate === cert);
  return fetched ? { fetchedFrom: fetched.url } : {};
}

function intermediateFetched(fetched: FetchedIssuer[]): CertificateWarning {
  const list = fetched.map((f) => `"${f.certificate.subject}" from ${f.url}`).join(' and ');
  return {
    code: 'CERT_INTERMEDIATE_FETCHED',
    message: `The file lacked ${fetched.length === 1 ? 'an intermediate CA certificate' : 'intermediate CA certificates'}: hds-setup downloaded ${list} (the address your certificate names), checked ${fetched.length === 1 ? 'its signature' : 'their signatures'}, and added ${fetched.length === 1 ? 'it' : 'them'} to the chain the key servers send. Next time, include the full chain: export the PKCS12 with every intermediate (openssl pkcs12 -export … -certfile ca-bundle.pem), or paste the CA bundle with your certificate.`,
  };
}

function summarize(key: KeyObject, built: BuiltChain, now: Date): CertificateSummary {
  const leaf = built.certificates[0]!;
  const last = built.certificates.length - 1;
  const description = describeKey(key);
  const keyFacts = typeof description === 'string' ? { keyType: 'RSA' as const, keySize: 0 } : description;
  return {
    cn: leaf.commonNames[0]!,
    sans: leaf.sans,
    subject: leaf.subject,
    issuer: leaf.issuer,
    notBefore: leaf.notBefore.toISOString(),
    notAfter: leaf.notAfter.toISOString(),
    daysToExpiry: Math.floor((leaf.notAfter.getTime() - now.getTime()) / 86_400_000),
    fingerprintSha256: leaf.fingerprintSha256,
    ...keyFacts,
    chain: built.certificates.map((cert, index) => ({
      subject: cert.subject,
      issuer: cert.issuer,
      notBefore: cert.notBefore.toISOString(),
      notAfter: cert.notAfter.toISOString(),
      signatureAlgorithm: cert.signatureAlgorithm.name,
      fingerprintSha256: cert.fingerprintSha256,
      role: index === 0 ? 'leaf' : index === last ? 'root' : 'intermediate',
      ...(index === last ? { trust: built.trust } : {}),
      ...(index === last && built.rootAddedFromStore ? { addedFromTrustStore: true } : {}),
      ...fetchedFrom(built, cert),
    })),
    trust: built.trust,
  };
}
