import type { ConnectionConfiguration } from 'tedious';
import type { DatabaseSettings } from '../../../../contract/database.js';
import type { DatabaseHost } from '../../../../contract/database-host.js';

/**
 * tedious settings for one SQL Server host, per TLS mode (the JDBC driver on the nodes has the
 * same three choices; SQL Server has no "signer only" check, hence no verify-ca):
 * - prefer: encrypt=false — tedious still encrypts the login packet, and the whole session
 *   when the server forces encryption; no certificate check.
 * - require: encrypt=true, trustServerCertificate=true — TLS or nothing, no certificate check.
 * - verify-full: encrypt=true, trustServerCertificate=false, the uploaded root as the only
 *   trust anchor; Node checks the certificate against the host name (tedious sets SNI to it).
 *
 * Windows authentication: the nodes use Kerberos (SPN MSSQLSvc/<fqdn>:<port>). tedious has no
 * Kerberos, so this machine proves the account and password with NTLM against the same domain.
 */
export function sqlServerConnectionConfig(
  settings: DatabaseSettings,
  host: DatabaseHost,
  password: Buffer,
  rootCaPem: string | undefined,
): ConnectionConfiguration {
  const timeoutMs = settings.advanced.connectTimeoutSeconds * 1000;
  const verify = settings.tlsMode === 'verify-full' || settings.tlsMode === 'verify-ca';
  return {
    server: host.host,
    authentication:
      settings.auth === 'windows'
        ? {
            type: 'ntlm',
            options: { ...splitWindowsAccount(settings.username), password: password.toString('utf8') },
          }
        : { type: 'default', options: { userName: settings.username, password: password.toString('utf8') } },
    options: {
      port: host.port,
      database: settings.name,
      encrypt: settings.tlsMode !== 'prefer',
      trustServerCertificate: !verify,
      ...(verify ? { cryptoCredentialsDetails: { ca: rootCaPem } } : {}),
      // Several hosts are a failover set: try every address a listener name resolves to at once.
      multiSubnetFailover: settings.hosts.length > 1,
      connectTimeout: timeoutMs,
      requestTimeout: timeoutMs,
      appName: 'hds-setup',
    },
  };
}

/** `hdsuser@CORP.EXAMPLE.COM` → user `hdsuser`, domain `CORP.EXAMPLE.COM`. */
export function splitWindowsAccount(account: string): { userName: string; domain: string } {
  const at = account.lastIndexOf('@');
  return { userName: account.slice(0, at), domain: account.slice(at + 1).toUpperCase() };
}
