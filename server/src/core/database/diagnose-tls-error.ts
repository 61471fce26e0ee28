import type { DatabaseSettings } from '../../../../contract/database.js';
import { type DatabaseHost, formatDatabaseHost } from '../../../../contract/database-host.js';
import { HdsError } from '../../../../contract/hds-error.js';

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);

/**
 * Node's certificate errors, for a driver that reports them without the live test's own probe
 * (connectPostgres, tedious). The live test names issuer and subject itself; this is the fallback.
 */
export function diagnoseTlsError(
  error: unknown,
  host: DatabaseHost,
  settings: DatabaseSettings,
): HdsError | undefined {
  const e = error as { code?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  const where = formatDatabaseHost(host);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return new HdsError(
      'DB_TLS_HOSTNAME',
      `The certificate of ${where} does not name "${host.host}" (${e.message ?? ''}). Enter the host exactly as the certificate names it, or choose "verify-ca".`,
      'database.hosts',
    );
  if (code === 'CERT_HAS_EXPIRED')
    return new HdsError(
      'DB_TLS_UNTRUSTED',
      `The certificate of ${where} has expired. Renew the database server’s certificate and reload the server.`,
      'database.rootCa',
    );
  if (code === 'DEPTH_ZERO_SELF_SIGNED_CERT')
    return new HdsError(
      'DB_TLS_UNTRUSTED',
      `The certificate of ${where} is self-signed. Upload that certificate itself as the root CA, or give the server a certificate signed by your CA.`,
      'database.rootCa',
    );
  if (code && UNTRUSTED.has(code))
    return new HdsError(
      'DB_TLS_UNTRUSTED',
      `The certificate of ${where} is not trusted with the uploaded root CA (${code}). Upload the root CA that signed the database server's certificate.`,
      'database.rootCa',
    );
  if (/SSL|TLS|certificate|handshake/i.test(e.message ?? ''))
    return new HdsError(
      'DB_TLS_UNAVAILABLE',
      `The TLS handshake with ${where} failed (${(e.message ?? '').slice(0, 200)}). Check the server's TLS configuration or choose another TLS mode (now "${settings.tlsMode}").`,
      'database.tlsMode',
    );
  return undefined;
}
