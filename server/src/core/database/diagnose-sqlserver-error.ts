import type { DatabaseSettings } from '../../../../contract/database.js';
import { type DatabaseHost, formatDatabaseHost } from '../../../../contract/database-host.js';
import { HdsError } from '../../../../contract/hds-error.js';
import { diagnoseNetworkError } from './diagnose-network-error.js';
import { diagnoseTlsError } from './diagnose-tls-error.js';

/**
 * Turns a tedious error into one HdsError code. tedious puts the server's login message in
 * ELOGIN errors (18456 "Login failed for user", 4060 "Cannot open database"); neither carries
 * the password.
 */
export function diagnoseSqlServerError(
  error: unknown,
  settings: DatabaseSettings,
  host: DatabaseHost,
): HdsError {
  if (error instanceof HdsError) return error;
  const e = error as { code?: string; message?: string; number?: number; cause?: unknown };
  const message = e.message ?? String(error);
  const where = formatDatabaseHost(host);
  if (e.code === 'ELOGIN' && /Cannot open database/i.test(message))
    return new HdsError(
      'DB_NOT_FOUND',
      `The database "${settings.name}" does not exist on ${where}, or "${settings.username}" has no user in it. Create it (CREATE DATABASE [${settings.name}]) and map the login to a user with all privileges there.`,
      'database.name',
    );
  if (e.code === 'ELOGIN')
    return new HdsError(
      'DB_AUTH_FAILED',
      `${where} refused the login of "${settings.username}" (the server said: "${message.slice(0, 200)}"). Check the username and password${settings.auth === 'windows' ? ', and that the Windows account is a login on this server' : ', and that SQL Server authentication is enabled'}.`,
      'database.password',
    );
  if (e.code === 'EENCRYPT')
    return new HdsError(
      'DB_TLS_UNAVAILABLE',
      /requires encryption/i.test(message)
        ? `${where} requires encryption; choose "Require TLS".`
        : `${where} does not offer TLS, but the TLS mode "${settings.tlsMode}" requires it. Give SQL Server a certificate and enable encryption, or choose "Prefer TLS".`,
      'database.tlsMode',
    );
  if (e.number === 262 || /CREATE TABLE permission denied/i.test(message))
    return new HdsError(
      'DB_PERMISSION',
      `"${settings.username}" cannot create tables in "${settings.name}" on ${where}. Make it db_owner of that database (ALTER ROLE db_owner ADD MEMBER …).`,
      'database.username',
    );
  if (/Connection lost - socket hang up/i.test(message))
    return new HdsError(
      'DB_UNREACHABLE',
      `${where} accepted the connection but closed it before the SQL Server pre-login finished: it is probably not SQL Server (check the port, 1433 by default), or a proxy or firewall in between cuts the connection.`,
      'database.hosts',
    );
  return (
    diagnoseTlsError(e.cause ?? error, host, settings) ??
    diagnoseNetworkError(error, host, settings) ??
    new HdsError(
      'DB_UNREACHABLE',
      `The connection to ${where} failed: ${message.slice(0, 300)}. Check the host, port and TLS mode.`,
      'database.hosts',
    )
  );
}
