import { Connection } from 'tedious';
import type { DatabaseSettings } from '../../../../contract/database.js';
import { formatDatabaseHost } from '../../../../contract/database-host.js';
import type { HdsError } from '../../../../contract/hds-error.js';
import { atHost, databaseHosts, isNetworkFailure } from '../database/database-hosts.js';
import { diagnoseSqlServerError } from '../database/diagnose-sqlserver-error.js';
import { sqlServerConnectionConfig } from '../database/sqlserver-connection-options.js';
import type { KeyDatabase } from './key-database.js';
import { sqlserverKeyDatabase } from './sqlserver-key-database.js';

/**
 * SQL Server: the hosts in order (a failover partner is tried when the first cannot be reached),
 * with the connection options the live test uses. Cannot be exercised live on this machine.
 */
export async function openSqlServerKeyDatabase(
  settings: DatabaseSettings,
  password: Buffer,
  rootCaPem?: string,
): Promise<{ db: KeyDatabase; close: () => Promise<void> }> {
  const hosts = databaseHosts(settings);
  let lastError: HdsError | undefined;
  for (const [index, host] of hosts.entries()) {
    const connection = new Connection(sqlServerConnectionConfig(settings, host, password, rootCaPem));
    try {
      await new Promise<void>((resolve, reject) =>
        connection.connect((error) => (error ? reject(error) : resolve())),
      );
    } catch (error) {
      connection.close();
      lastError = atHost(diagnoseSqlServerError(error, settings, host), index);
      if (isNetworkFailure(lastError) && index < hosts.length - 1) continue;
      throw lastError;
    }
    return {
      db: sqlserverKeyDatabase(connection, `${formatDatabaseHost(host)}/${settings.name}`),
      close: async () => connection.close(),
    };
  }
  throw lastError!;
}
