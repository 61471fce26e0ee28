import { createPrivateKey, X509Certificate } from 'node:crypto';
import { oid, parseDer, sequence } from './der.js';

const COMBINE =
  'Put the certificate, its private key and the CA chain into one PKCS12 file (openssl pkcs12 -export -in cert.pem -inkey key.pem -certfile ca-bundle.pem -out kms.p12), and choose that file. If hds-setup made the key and CSR, paste the certificate under "Create a key and CSR" instead (CLI: hds-setup cert assemble).';
const SIGNED_DATA = '1.2.840.113549.1.7.2';
// Java keystores start with a magic number: JKS 0xFEEDFEED, JCEKS 0xCECECECE.
const JAVA_MAGIC = [0xfeedfeed, 0xcececece];

/**
 * What an admin most often picks instead of the PKCS12 — a certificate, a key, a .p7b bundle, a
 * Java keystore, a base64 copy — named, with what to do. Undefined when the bytes are none of
 * these (then the file is just damaged). Never quotes the file: it may hold a private key.
 */
export function describeWrongFile(bytes: Buffer): string | undefined {
  if (bytes.length >= 4 && JAVA_MAGIC.includes(bytes.readUInt32BE(0)))
    return 'This is a Java keystore (JKS/JCEKS), not a PKCS12 file. Convert it with keytool -importkeystore -srckeystore <this file> -destkeystore kms.p12 -deststoretype PKCS12, then choose kms.p12.';
  const text = bytes.subarray(0, 64 * 1024).toString('latin1');
  const labels = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((m) => m[1]!);
  if (labels.length > 0) return describePem(labels);
  const der = describeDer(bytes);
  if (der) return der;
  const compact = text.replace(/\s+/g, '');
  if (compact.length >= 64 && /^[A-Za-z0-9+/]+={0,2}$/.test(compact) && compact.startsWith('MI'))
    return 'This file holds the PKCS12 as base64 text, not the binary file. Decode it first (base64 -d <this file> > kms.p12, or certutil -decode on Windows) and choose the decoded file.';
  return undefined;
}

function describePem(labels: string[]): string {
  const hasKey = labels.some((l) => l.endsWith('PRIVATE KEY'));
  const hasCert = labels.some(
    (l) => l === 'CERTIFICATE' || l === 'X509 CERTIFICATE' || l === 'TRUSTED CERTIFICATE',
  );
  if (hasKey && hasCert)
    return `This is a PEM text file with a certificate and a private key, not a PKCS12 file. ${COMBINE}`;
  if (hasKey) return `This is a private key (PEM text), not a PKCS12 file: it has no certificate. ${COMBINE}`;
  if (hasCert) return `This is a PEM certificate, not a PKCS12 file: it has no private key. ${COMBINE}`;
  if (labels.some((l) => l.includes('CERTIFICATE REQUEST')))
    return 'This is a certificate signing request (CSR), not a PKCS12 file. Send it to your CA; when the certificate comes back, combine it with the private key into a PKCS12 (openssl pkcs12 -export), or paste it under "Create a key and CSR" if hds-setup made the CSR.';
  if (labels.includes('PKCS7'))
    return `This is a PKCS#7 (.p7b) certificate bundle, not a PKCS12 file: it has no private key. ${COMBINE}`;
  return `This is a PEM text file (${labels[0]}), not a PKCS12 file. ${COMBINE}`;
}

function describeDer(bytes: Buffer): string | undefined {
  try {
    new X509Certificate(bytes);
    return `This is a DER certificate (.cer/.crt), not a PKCS12 file: it has no private key. ${COMBINE}`;
  } catch {}
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const)
    try {
      createPrivateKey({ key: bytes, format: 'der', type });
      return `This is a private key (DER), not a PKCS12 file: it has no certificate. ${COMBINE}`;
    } catch {}
  try {
    const [contentType] = sequence(parseDer(bytes), 'ContentInfo', 1);
    if (oid(contentType, 'content type') === SIGNED_DATA)
      return `This is a PKCS#7 (.p7b) certificate bundle, not a PKCS12 file: it has no private key. ${COMBINE}`;
  } catch {}
  return undefined;
}
