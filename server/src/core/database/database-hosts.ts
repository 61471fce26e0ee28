import type { DatabaseSettings } from '../../../../contract/database.js';
import { type DatabaseHost, parseDatabaseHost } from '../../../../contract/database-host.js';
import { HdsError } from '../../../../contract/hds-error.js';

/** The parsed hosts of accepted settings, in failover order. */
export function databaseHosts(settings: Pick<DatabaseSettings, 'hosts' | 'type'>): DatabaseHost[] {
  return settings.hosts.map((text, index) => {
    const parsed = parseDatabaseHost(text, settings.type);
    if ('error' in parsed) throw new HdsError('INVALID_INPUT', parsed.error, `database.hosts.${index}`);
    return parsed;
  });
}

/** Points an error about "the hosts" at the one host it concerns, so the page shows it there. */
export function atHost(error: HdsError, index: number): HdsError {
  return error.field === 'database.hosts'
    ? new HdsError(error.code, error.message, `database.hosts.${index}`)
    : error;
}

/** Failures that make a client (libpq, JDBC) move on to the next host of a failover list. */
export function isNetworkFailure(error: HdsError): boolean {
  return error.code === 'DB_HOST_UNRESOLVED' || error.code === 'DB_UNREACHABLE';
}
