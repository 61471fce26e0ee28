import { X509Certificate } from 'node:crypto';
import type { DatabaseSettings } from '../../../../contract/database.js';
import { HdsError } from '../../../../contract/hds-error.js';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const MAX_CERTIFICATES = 20;

export interface DatabaseRootCa {
  pem: string;
  subject: string;
  notAfter: string;
}

/**
 * The root CA the verifying TLS modes trust (one or more CA certificates in PEM). Returns
 * undefined for the modes that do not verify: an upload there is not used, so it is not kept.
 */
export function validateDatabaseRootCa(
  settings: Pick<DatabaseSettings, 'tlsMode'>,
  pem: string | undefined,
  now: Date = new Date(),
): DatabaseRootCa | undefined {
  if (settings.tlsMode !== 'verify-ca' && settings.tlsMode !== 'verify-full') return undefined;
  if (!pem?.trim())
    throw invalid(
      'This TLS mode verifies the server’s certificate: upload the root CA certificate (PEM) that signed it.',
    );
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0)
    throw invalid(
      'The root CA file holds no PEM certificate (-----BEGIN CERTIFICATE-----). Export the CA certificate as PEM (Base-64) and upload that.',
    );
  if (blocks.length > MAX_CERTIFICATES)
    throw invalid(
      `The root CA file holds ${blocks.length} certificates; upload only the CA chain (at most ${MAX_CERTIFICATES}).`,
    );
  const certificates = blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw invalid(
        `Certificate ${i + 1} in the root CA file cannot be read. Upload the CA certificate exactly as the CA published it.`,
      );
    }
  });
  for (const cert of certificates) {
    // A self-signed server certificate is its own trust anchor (libpq's sslrootcert, Node and Java
    // truststores all accept it), the only way to verify a server set up without a CA.
    if (!cert.ca && !isSelfSigned(cert))
      throw invalid(
        `"${oneLine(cert.subject)}" is not a CA certificate (it looks like a server certificate). Upload the root CA that signed the database server’s certificate.`,
      );
    if (new Date(cert.validTo) < now)
      throw invalid(
        `The CA certificate "${oneLine(cert.subject)}" expired on ${new Date(cert.validTo).toISOString().slice(0, 10)}. Upload the current one.`,
      );
  }
  const root = certificates[0]!;
  return {
    pem: certificates.map((c) => c.toString()).join(''),
    subject: oneLine(root.subject),
    notAfter: new Date(root.validTo).toISOString(),
  };
}

function isSelfSigned(cert: X509Certificate): boolean {
  try {
    return cert.subject === cert.issuer && cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}

/** X509Certificate prints names one attribute per line; messages want one line. */
export function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

function invalid(message: string): HdsError {
  return new HdsError('DB_CA_INVALID', message, 'database.rootCa');
}
