import { X509Certificate } from 'node:crypto';
import { HdsError } from '../../../../contract/hds-error.js';
import { SYSLOG_CA_MAX_BYTES, type SyslogRootCaView } from '../../../../contract/syslog.js';

const MAX_CERTIFICATES = 20;
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

export interface SyslogRootCa {
  /** PEM of every certificate in the file, what the TLS client trusts. */
  pem: string;
  view: SyslogRootCaView;
}

/**
 * Reads the syslog server's root CA file as uploaded: PEM (one or several certificates) or a
 * single DER certificate. Anything else is SYSLOG_CA_INVALID on `rootCa`.
 */
export function parseSyslogRootCa(bytes: Uint8Array, field = 'rootCa'): SyslogRootCa {
  const invalid = (what: string): never => {
    throw new HdsError(
      'SYSLOG_CA_INVALID',
      `${what} Upload the root CA certificate of your syslog server as a PEM (.pem, .crt) or DER (.cer, .der) file.`,
      field,
    );
  };
  if (bytes.length === 0) invalid('The root CA file is empty.');
  if (bytes.length > SYSLOG_CA_MAX_BYTES) invalid('The root CA file is larger than 256 KB.');
  const text = Buffer.from(bytes).toString('latin1');
  const ders: Buffer[] = [];
  if (text.includes('-----BEGIN')) {
    for (const m of text.matchAll(PEM_BLOCK)) {
      if (ders.length === MAX_CERTIFICATES)
        invalid(`The file holds more than ${MAX_CERTIFICATES} certificates.`);
      ders.push(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
    }
    if (ders.length === 0)
      invalid(
        'The PEM file holds no CERTIFICATE block (a private key or a request is not a CA certificate).',
      );
  } else ders.push(Buffer.from(bytes));
  const certificates = ders.map((der, i) => {
    try {
      return new X509Certificate(der);
    } catch {
      return invalid(
        ders.length > 1
          ? `Certificate ${i + 1} in the file cannot be read.`
          : 'The file is not an X.509 certificate.',
      );
    }
  });
  const pem = certificates.map((c) => c.toString()).join('');
  const notAfter = new Date(Math.min(...certificates.map((c) => Date.parse(c.validTo)))).toISOString();
  return { pem, view: { subjects: certificates.map((c) => c.subject.replace(/\n/g, ', ')), notAfter } };
}
