import { rootCertificates } from 'node:tls';
import { type CertificateFacts, readCertificate } from './certificate-facts.js';

export type TrustKind = 'public' | 'private';

/**
 * The roots a chain may end in: Node's bundled Mozilla store (what the key servers of other
 * organisations trust), plus private roots the admin added with an explicit acknowledgment.
 */
export class TrustStore {
  private readonly bySubject = new Map<string, { facts: CertificateFacts; kind: TrustKind }[]>();
  private readonly byFingerprint = new Map<string, TrustKind>();

  constructor(publicRoots: CertificateFacts[], privateRoots: CertificateFacts[]) {
    for (const facts of publicRoots) this.add(facts, 'public');
    for (const facts of privateRoots) this.add(facts, 'private');
  }

  private add(facts: CertificateFacts, kind: TrustKind): void {
    if (this.byFingerprint.get(facts.fingerprintSha256) === 'public') return;
    this.byFingerprint.set(facts.fingerprintSha256, kind);
    const list = this.bySubject.get(facts.x509.subject) ?? [];
    list.push({ facts, kind });
    this.bySubject.set(facts.x509.subject, list);
  }

  /** The certificate itself is a trusted root. */
  kindOf(facts: CertificateFacts): TrustKind | undefined {
    return this.byFingerprint.get(facts.fingerprintSha256);
  }

  /** Trusted roots whose name matches the certificate's issuer (still to be confirmed by signature). */
  issuersNamedBy(facts: CertificateFacts): { facts: CertificateFacts; kind: TrustKind }[] {
    return this.bySubject.get(facts.x509.issuer) ?? [];
  }
}

let mozillaRoots: CertificateFacts[] | undefined;

/** Parsed once per process (about 150 roots, a few milliseconds). */
export function publicRoots(): CertificateFacts[] {
  mozillaRoots ??= rootCertificates.flatMap((pem) => {
    try {
      return [readCertificate(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'))];
    } catch {
      return [];
    }
  });
  return mozillaRoots;
}
