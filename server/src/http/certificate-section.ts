import type {
  CertificateCsrView,
  CertificateKeyType,
  CertificateSource,
  CertificateSummary,
  CertificateView,
  CertificateWarning,
} from '../../../contract/certificate.js';

/**
 * The accepted Certificate page, kept in server memory. The configuration ISO is built from it:
 * `pkcs12` (re-assembled by hds-setup with the friendly name kms-private-key) and its password
 * become secret files, `chainPem` the chain file. The ISO import fills it with source 'imported'.
 */
export interface AcceptedCertificate {
  source: CertificateSource;
  summary: CertificateSummary;
  pkcs12: Buffer;
  pkcs12Password: Buffer;
  /** The chain, leaf first, as PEM (not secret). */
  chainPem: string;
  warnings: CertificateWarning[];
}

/** A key + CSR made on the Certificate page, waiting for the CA's reply. The key never leaves memory. */
export interface PendingCertificateRequest {
  cn: string;
  sans: string[];
  keyType: CertificateKeyType;
  csrPem: string;
  privateKeyPem: Buffer;
}

declare module './wizard-state.js' {
  interface WizardSections {
    certificate: AcceptedCertificate;
    certificateRequest: PendingCertificateRequest;
  }
}

/** What may leave the server: never the PKCS12, its password or a key. */
export function certificateView(accepted: AcceptedCertificate): CertificateView {
  return { source: accepted.source, summary: accepted.summary, warnings: accepted.warnings };
}

export function certificateRequestView(pending: PendingCertificateRequest): CertificateCsrView {
  return { cn: pending.cn, sans: pending.sans, keyType: pending.keyType, csrPem: pending.csrPem };
}
