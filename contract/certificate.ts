import { z } from 'zod';

/**
 * Page 4 (certificate): the nodes' TLS certificate, as a PKCS12 upload or as a key + CSR made
 * by hds-setup and completed with the CA's PEM chain. Files travel base64-encoded in JSON.
 */

/** A PKCS12 with a 3-certificate RSA-4096 chain is ~10 KB; 256 KB leaves room for long bundles. */
export const MAX_PKCS12_BYTES = 256 * 1024;
export const MAX_PEM_CHARS = 256 * 1024;
/** Room for a file several times the PKCS12 limit, so the core can say "larger than 256 KB" itself. */
export const MAX_PKCS12_UPLOAD_BODY = '1mb';

const password = z.string().max(1024, 'The password is longer than 1024 characters.');
const pemText = z
  .string()
  .max(MAX_PEM_CHARS, 'That PEM text is larger than 256 KB. Paste only the certificates.');

/** Optional private root CA, accepted only with the admin's "not publicly trusted" acknowledgment. */
const privateRoot = {
  trustRoot: pemText.optional(),
  acknowledgePrivateRoot: z.boolean().optional(),
};

export const uploadPkcs12RequestSchema = z.object({
  // An empty or oversized file is the core's P12_INVALID, as in `hds-setup cert check`; the
  // route's body limit (MAX_PKCS12_UPLOAD_BODY) bounds what reaches it.
  p12: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'The file did not arrive intact; choose it again.'),
  password,
  ...privateRoot,
});
export type UploadPkcs12Request = z.infer<typeof uploadPkcs12RequestSchema>;

export const CERTIFICATE_KEY_TYPES = ['rsa-3072', 'ec-p256'] as const;
export type CertificateKeyType = (typeof CERTIFICATE_KEY_TYPES)[number];

export const createCsrRequestSchema = z.object({
  cn: z
    .string()
    .trim()
    .min(1, 'Enter the common name (CN) the nodes will use, for example kms.example.com.')
    .max(64, 'A common name is at most 64 characters (RFC 5280).'),
  sans: z.array(z.string().trim().min(1).max(253)).max(20, 'Enter at most 20 alternative names.').default([]),
  organization: z.string().trim().max(64, 'The organization is at most 64 characters.').optional(),
  country: z
    .string()
    .trim()
    .regex(/^([A-Za-z]{2})?$/, 'The country is a two-letter ISO 3166 code such as US or DE.')
    .optional(),
  keyType: z.enum(CERTIFICATE_KEY_TYPES).default('rsa-3072'),
});
export type CreateCsrRequest = z.input<typeof createCsrRequestSchema>;

export const completeCsrRequestSchema = z.object({
  chainPem: pemText.min(1, "Paste or upload the CA's PEM: your certificate and the CA certificates."),
  ...privateRoot,
});
export type CompleteCsrRequest = z.infer<typeof completeCsrRequestSchema>;

export const backupPkcs12RequestSchema = z.object({
  password: z
    .string()
    .min(8, 'Choose a backup password of at least 8 characters.')
    .max(1024, 'The password is longer than 1024 characters.'),
});
export type BackupPkcs12Request = z.infer<typeof backupPkcs12RequestSchema>;

/**
 * Warnings: shown, acknowledged, and the admin may continue. CERT_INTERMEDIATE_FETCHED: the file
 * lacked an intermediate that hds-setup downloaded from the certificate's caIssuers URL.
 */
export type CertificateWarningCode =
  | 'CERT_EXPIRES_SOON'
  | 'CERT_CN_NOT_IN_SAN'
  | 'CERT_INTERMEDIATE_FETCHED'
  | 'CERT_PRIVATE_ROOT';

export interface CertificateWarning {
  code: CertificateWarningCode;
  message: string;
}

/** One certificate of the chain, leaf first, as the page lists it (subject → issuer). */
export interface ChainCertificate {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  signatureAlgorithm: string;
  fingerprintSha256: string;
  role: 'leaf' | 'intermediate' | 'root';
  /** Where the root came from: Node's bundled Mozilla store, or the admin's private root. */
  trust?: 'public' | 'private';
  /** The root was taken from the trust store because the file did not include it. */
  addedFromTrustStore?: boolean;
  /** An intermediate the file lacked, downloaded from this caIssuers URL. */
  fetchedFrom?: string;
}

/** The non-secret facts of an accepted certificate. */
export interface CertificateSummary {
  cn: string;
  sans: string[];
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  daysToExpiry: number;
  fingerprintSha256: string;
  keyType: 'RSA' | 'EC';
  /** Bits: RSA modulus length, or the EC curve's field size. */
  keySize: number;
  curve?: string;
  chain: ChainCertificate[];
  trust: 'public' | 'private';
}

export type CertificateSource = 'upload' | 'csr' | 'imported';

export interface CertificateView {
  source: CertificateSource;
  summary: CertificateSummary;
  warnings: CertificateWarning[];
}

export interface CertificateCsrView {
  cn: string;
  sans: string[];
  keyType: CertificateKeyType;
  csrPem: string;
}

/** GET /api/certificate: what the page shows when it opens. */
export interface CertificateStatus {
  ok: true;
  certificate?: CertificateView;
  csr?: CertificateCsrView;
  /** The CN of the imported ISO's certificate: a new certificate must keep it. */
  previousCn?: string;
  /** The private root the imported ISO's chain ended at: offered again, trusted only once acknowledged. */
  previousPrivateRoot?: PreviousPrivateRoot;
}

/** A root CA that is not publicly trusted, as the previous ISO's certificate chain held it. */
export interface PreviousPrivateRoot {
  pem: string;
  /** One line, most specific first: `CN=…, O=…`. */
  subject: string;
  commonName: string;
  fingerprintSha256: string;
}

export interface CertificateAccepted extends CertificateView {
  ok: true;
}

export interface CsrCreated extends CertificateCsrView {
  ok: true;
}

export interface Pkcs12Backup {
  ok: true;
  fileName: string;
  /** The PKCS12, encrypted with the admin's backup password, base64. */
  p12: string;
}
