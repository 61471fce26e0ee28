import type { DatabaseSettings } from '../../../../contract/database.js';
import { type DatabaseHost, formatDatabaseHost } from '../../../../contract/database-host.js';
import { HdsError } from '../../../../contract/hds-error.js';

/** Name resolution, refused and timed-out connections: the same for both drivers. */
export function diagnoseNetworkError(
  error: unknown,
  host: DatabaseHost,
  settings: DatabaseSettings,
): HdsError | undefined {
  const e = error as { code?: string; message?: string; cause?: unknown };
  const cause = e.cause as { code?: string; message?: string; errors?: unknown[] } | undefined;
  // tedious tries each address of a name and reports an AggregateError of the attempts as cause.
  const attempts = (Array.isArray(cause?.errors) ? cause.errors : []) as { code?: string }[];
  const code = e.code ?? cause?.code ?? attempts.find((a) => a.code)?.code;
  const message = `${e.message ?? ''} ${cause?.message ?? ''} ${attempts.map((a) => a.code ?? '').join(' ')}`;
  const where = formatDatabaseHost(host);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /ENOTFOUND|EAI_AGAIN|getaddrinfo/.test(message))
    return new HdsError(
      'DB_HOST_UNRESOLVED',
      `The host name "${host.host}" could not be resolved from this machine. Check the spelling, or use the name your DNS knows (the nodes use the same name).`,
      'database.hosts',
    );
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(message))
    return new HdsError(
      'DB_UNREACHABLE',
      `Nothing accepts connections on ${where} (connection refused). Check the port and that the database server is running and listening on this address (listen_addresses / TCP/IP enabled).`,
      'database.hosts',
    );
  if (
    code === 'ETIMEDOUT' ||
    code === 'ETIMEOUT' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENETUNREACH' ||
    /timeout|timed out|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH/i.test(message)
  )
    return new HdsError(
      'DB_UNREACHABLE',
      `${where} did not answer within ${settings.advanced.connectTimeoutSeconds} s. Check the address, the port and any firewall between here and the database (the nodes may still reach it: you can ignore this and continue).`,
      'database.hosts',
    );
  return undefined;
}
