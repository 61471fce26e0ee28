import type { CertificateFacts } from './certificate-facts.js';
import {
  CaIssuerDownloadError,
  type CaIssuerDownloadLimits,
  downloadCaIssuer,
} from './download-ca-issuer.js';
import { readCaIssuerResponse } from './read-ca-issuer-response.js';

export interface IssuerFetchLimits extends CaIssuerDownloadLimits {
  /** All downloads of one certificate check together. */
  budgetMs: number;
  /** Downloads per certificate check; each URL tried counts once, its redirects included. */
  maxFetches: number;
}

export const ISSUER_FETCH_LIMITS: IssuerFetchLimits = {
  timeoutMs: 5000,
  budgetMs: 12_000,
  maxBytes: 256 * 1024,
  maxRedirects: 3,
  maxFetches: 4,
};

export interface FetchedIssuer {
  certificate: CertificateFacts;
  /** The caIssuers URL it came from, as the child certificate names it. */
  url: string;
}

export interface IssuerSearch {
  found?: FetchedIssuer;
  /** The other certificates the answers held: a .p7c may carry the next CA up as well. */
  others: CertificateFacts[];
  /** What was tried and why it failed, for the CERT_CHAIN_INCOMPLETE message. */
  account: string;
}

/**
 * Completes a chain the way browsers do: a certificate whose issuer is missing names, in its
 * Authority Information Access extension (RFC 5280 4.2.2.1), where to download it. One fetcher
 * serves one certificate check, so its download count and time budget bound the whole chain.
 */
export class IssuerFetcher {
  private fetches = 0;
  private readonly deadline: number;

  constructor(private readonly limits: IssuerFetchLimits) {
    this.deadline = Date.now() + limits.budgetMs;
  }

  /** Tries the child's caIssuers URLs in order; the first certificate that really signed the child wins. */
  async fetchIssuerOf(
    child: CertificateFacts,
    isIssuer: (candidate: CertificateFacts) => boolean,
  ): Promise<IssuerSearch> {
    const urls = caIssuerUrls(child);
    if (urls.length === 0)
      return {
        others: [],
        account:
          'Its certificate names no address (Authority Information Access) to download the issuer from, so hds-setup could not complete the chain itself.',
      };
    const tried: string[] = [];
    const skipped: string[] = [];
    const others: CertificateFacts[] = [];
    for (const url of urls) {
      const shown = displayUrl(url);
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        skipped.push(`${shown} (not a valid address)`);
        continue;
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
        skipped.push(`${shown} (hds-setup downloads only http:// and https:// addresses)`);
        continue;
      }
      const left = this.deadline - Date.now();
      if (this.fetches >= this.limits.maxFetches || left <= 0) {
        skipped.push(
          `${shown} (one certificate check makes at most ${this.limits.maxFetches} downloads in ${this.limits.budgetMs / 1000} s)`,
        );
        continue;
      }
      this.fetches++;
      try {
        const body = await downloadCaIssuer(parsed, {
          ...this.limits,
          timeoutMs: Math.min(this.limits.timeoutMs, left),
        });
        const certificates = readCaIssuerResponse(body);
        if (!certificates) {
          tried.push(`${shown}: the answer is not a certificate (DER, PEM or PKCS#7 .p7c expected)`);
          continue;
        }
        const issuer = certificates.find(isIssuer);
        others.push(...certificates.filter((c) => c !== issuer));
        if (issuer) return { found: { certificate: issuer, url: shown }, others, account: '' };
        tried.push(
          certificates.length === 1
            ? `${shown}: it holds "${certificates[0]!.subject}", which did not sign this certificate (wrong CA certificate)`
            : `${shown}: none of its ${certificates.length} certificates signed this certificate`,
        );
      } catch (error) {
        if (!(error instanceof CaIssuerDownloadError)) throw error;
        tried.push(`${shown}: ${error.message}`);
      }
    }
    const sentences = [
      ...(tried.length ? [`hds-setup tried to fetch it from ${tried.join('; then from ')}.`] : []),
      ...(skipped.length ? [`It did not try ${skipped.join(', nor ')}.`] : []),
    ];
    return { others, account: sentences.join(' ') };
  }
}

/** Node prints each AIA entry on its own line, JSON-quoting values with unusual characters. */
function caIssuerUrls(facts: CertificateFacts): string[] {
  const urls = (facts.x509.infoAccess ?? '').split('\n').flatMap((line) => {
    const match = /^CA Issuers - URI:(.*)$/.exec(line);
    if (!match) return [];
    if (!match[1]!.startsWith('"')) return [match[1]!];
    try {
      return [String(JSON.parse(match[1]!))];
    } catch {
      return [];
    }
  });
  return [...new Set(urls)];
}

/** A certificate's text shown back to the admin: no user:password@, nothing unprintable, bounded. */
function displayUrl(url: string): string {
  const clean = url.replace(/\/\/[^\s/@]*@/, '//').replace(/[^\x21-\x7e]/g, '');
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}
