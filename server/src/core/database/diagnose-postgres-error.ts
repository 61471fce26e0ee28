import type { DatabaseSettings } from '../../../../contract/database.js';
import type { DatabaseHost } from '../../../../contract/database-host.js';
import { formatDatabaseHost } from '../../../../contract/database-host.js';
import { HdsError } from '../../../../contract/hds-error.js';
import { diagnoseNetworkError } from './diagnose-network-error.js';
import { diagnoseTlsError } from './diagnose-tls-error.js';

/**
 * Turns an error of the pg driver into exactly one HdsError code. Server messages are quoted
 * (they name the user and database, never the password); driver internals are not.
 */
export function diagnosePostgresError(
  error: unknown,
  settings: DatabaseSettings,
  host: DatabaseHost,
): HdsError {
  if (error instanceof HdsError) return error;
  const e = error as { code?: string; message?: string; severity?: string };
  const where = formatDatabaseHost(host);
  const serverSays = e.severity && e.message ? ` The server said: "${e.message}".` : '';
  switch (e.code) {
    case '28P01':
      return new HdsError(
        'DB_AUTH_FAILED',
        `${where} refused the login of "${settings.username}": the password is wrong or the account does not exist.${serverSays} Check the username and password.`,
        'database.password',
      );
    case '28000':
      if (/client certificate|certificate authentication/i.test(e.message ?? ''))
        return new HdsError(
          'DB_AUTH_FAILED',
          `${where} wants a client certificate from "${settings.username}" (clientcert=… or the cert method in pg_hba.conf).${serverSays} HDS nodes log in with a password only: make the matching pg_hba.conf line "hostssl ${settings.name} ${settings.username} <nodes' addresses> scram-sha-256" without clientcert, then reload the server.`,
          'database.username',
        );
      if (/rejects connection/i.test(e.message ?? ''))
        return new HdsError(
          'DB_AUTH_FAILED',
          `A "reject" line in pg_hba.conf on ${where} refuses "${settings.username}" from this machine.${serverSays} Put a line that accepts it (hostssl ${settings.name} ${settings.username} <address> scram-sha-256) before the reject line, then reload the server.`,
          'database.username',
        );
      return new HdsError(
        'DB_AUTH_FAILED',
        `${where} does not accept "${settings.username}" from this machine.${serverSays} Add a matching line to pg_hba.conf (hostssl for TLS) for this user and database, or check the TLS mode.`,
        'database.username',
      );
    case '3D000':
      return new HdsError(
        'DB_NOT_FOUND',
        `The database "${settings.name}" does not exist on ${where}. Create it (CREATE DATABASE "${settings.name}" OWNER "${settings.username}";) or correct the name.`,
        'database.name',
      );
    case '42501':
      if (/permission denied for database/i.test(e.message ?? ''))
        return new HdsError(
          'DB_PERMISSION',
          `"${settings.username}" may not connect to the database "${settings.name}" on ${where}.${serverSays} Grant it: GRANT CONNECT ON DATABASE "${settings.name}" TO "${settings.username}"; (or make it the database's owner).`,
          'database.username',
        );
      return new HdsError(
        'DB_PERMISSION',
        `"${settings.username}" may not use the database "${settings.name}" on ${where}.${serverSays} Grant it all privileges on that database.`,
        'database.username',
      );
    case '53300':
      return new HdsError(
        'DB_UNREACHABLE',
        `${where} has no free connection slots.${serverSays} Try again later or raise max_connections.`,
        'database.hosts',
      );
  }
  const message = e.message ?? String(error);
  if (message === 'The server does not support SSL connections')
    return new HdsError(
      'DB_TLS_UNAVAILABLE',
      `${where} does not offer TLS, but the TLS mode "${settings.tlsMode}" requires it. Turn on ssl in postgresql.conf, or choose "Prefer TLS".`,
      'database.tlsMode',
    );
  return (
    diagnoseNetworkError(error, host, settings) ??
    diagnoseTlsError(error, host, settings) ??
    new HdsError(
      'DB_UNREACHABLE',
      `The connection to ${where} failed: ${message.slice(0, 300)}. Check the host, port and TLS mode.`,
      'database.hosts',
    )
  );
}
