import { HdsError } from '../../../../contract/hds-error.js';
import type { CertificateFacts } from './certificate-facts.js';
import type { FetchedIssuer, IssuerFetcher } from './issuer-fetcher.js';
import type { TrustKind, TrustStore } from './trust-store.js';

export interface BuiltChain {
  /** Leaf first, ending with the trusted root. */
  certificates: CertificateFacts[];
  trust: TrustKind;
  /** The root came from the trust store, not from the admin's file. */
  rootAddedFromStore: boolean;
  /** Intermediates the file lacked, downloaded from their caIssuers URL; in `certificates` too. */
  fetched: FetchedIssuer[];
}

const MAX_DEPTH = 10;

/**
 * Orders the chain from the leaf up: issuers are found by name, then confirmed by signature
 * (`verify(issuer.publicKey)`; a name match alone proves nothing). The trust store is asked
 * first, so a chain that carries a cross-signed copy of a root still ends at the trusted one.
 * An issuer neither the file nor the store holds is downloaded from the child's caIssuers URL
 * when a fetcher is given, and used only if its signature on the child checks out.
 */
export async function buildChain(
  leaf: CertificateFacts,
  pool: CertificateFacts[],
  trust: TrustStore,
  field: string,
  fetcher?: IssuerFetcher,
): Promise<BuiltChain> {
  const path: CertificateFacts[] = [leaf];
  const candidates = [...pool];
  const fetched: FetchedIssuer[] = [];
  const done = (certificates: CertificateFacts[], kind: TrustKind, rootAddedFromStore: boolean) => ({
    certificates,
    trust: kind,
    rootAddedFromStore,
    fetched,
  });
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const kind = trust.kindOf(current);
    if (kind) return done(path, kind, false);
    const trusted = trust.issuersNamedBy(current).find((root) => signedBy(current, root.facts));
    if (trusted)
      return done([...path, trusted.facts], trusted.kind, !pool.some((c) => same(c, trusted.facts)));
    if (current.selfIssued && signedBy(current, current))
      throw new HdsError(
        'CERT_UNTRUSTED_ROOT',
        current === leaf
          ? `The certificate "${leaf.subject}" is self-signed. The key servers need a certificate issued by a publicly trusted CA (Mozilla's root list); request one from your CA, or let hds-setup create the key and the CSR.`
          : `The chain ends at the root "${current.subject}", which is not a publicly trusted CA (it is not in Mozilla's root list). Use a certificate from a public CA; a private CA works only if you add its root and acknowledge that it is not publicly trusted.`,
        field,
      );
    const isIssuer = (c: CertificateFacts) => !path.some((p) => same(p, c)) && signedBy(current, c);
    let issuer = candidates.find(isIssuer);
    let account = '';
    if (!issuer && fetcher) {
      const search = await fetcher.fetchIssuerOf(current, isIssuer);
      candidates.push(...search.others);
      if (search.found) {
        issuer = search.found.certificate;
        fetched.push(search.found);
      } else account = ` ${search.account}`;
    }
    if (!issuer)
      throw new HdsError(
        'CERT_CHAIN_INCOMPLETE',
        `The chain stops at "${current.subject}": the certificate of its issuer "${oneLine(current.x509.issuer)}" is missing.${account} Include the CA bundle (every intermediate certificate) when you export the PKCS12 — for example openssl pkcs12 -export -certfile ca-bundle.pem — or paste it with your certificate. If that issuer is your organisation's own root CA, add it as a private root CA instead (wizard: "Use a private root CA"; CLI: --trust-root, or trustRoots in the answers file).`,
        field,
      );
    path.push(issuer);
    current = issuer;
  }
  throw new HdsError(
    'CERT_CHAIN_INCOMPLETE',
    `The chain is longer than ${MAX_DEPTH} certificates without reaching a trusted root. Export the file with only your certificate and its CA chain.`,
    field,
  );
}

function signedBy(child: CertificateFacts, issuer: CertificateFacts): boolean {
  if (child.x509.issuer !== issuer.x509.subject) return false;
  try {
    return child.x509.verify(issuer.x509.publicKey);
  } catch {
    return false;
  }
}

function same(a: CertificateFacts, b: CertificateFacts): boolean {
  return a.fingerprintSha256 === b.fingerprintSha256;
}

function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).reverse().join(', ');
}
