import type { ConnectionOptions } from 'node:tls';
import type pg from 'pg';
import type { DatabaseSettings } from '../../../../contract/database.js';
import type { DatabaseHost, DatabaseTlsMode } from '../../../../contract/database-host.js';

/**
 * The TLS options each mode gives the pg driver, following libpq's sslmode (the nodes' JDBC
 * driver uses the same names):
 * - prefer: TLS when the server offers it, no certificate check; plaintext otherwise
 *   (the plaintext retry is done by connectPostgres, pg itself has no "prefer").
 * - require: TLS or nothing, no certificate check.
 * - verify-ca: TLS, the chain must lead to the uploaded root; any host name.
 * - verify-full: TLS, the chain must lead to the uploaded root and name the host entered.
 */
export function postgresTlsOptions(
  mode: DatabaseTlsMode,
  rootCaPem: string | undefined,
): ConnectionOptions | false {
  switch (mode) {
    case 'prefer':
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      return { ca: rootCaPem, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      // Node's default checkServerIdentity compares the certificate with the host (or SNI name).
      return { ca: rootCaPem, rejectUnauthorized: true };
  }
}

/** pg client settings for one host. `plaintext` is the "prefer" fallback when TLS is not offered. */
export function postgresClientConfig(
  settings: DatabaseSettings,
  host: DatabaseHost,
  password: Buffer,
  rootCaPem: string | undefined,
  { plaintext = false }: { plaintext?: boolean } = {},
): pg.ClientConfig {
  const timeoutMs = settings.advanced.connectTimeoutSeconds * 1000;
  return {
    host: host.host,
    port: host.port,
    database: settings.name,
    user: settings.username,
    // A function, so the password stays a Buffer in our hands until the driver needs it.
    password: () => password.toString('utf8'),
    ssl: plaintext ? false : postgresTlsOptions(settings.tlsMode, rootCaPem),
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    application_name: 'hds-setup',
  };
}
