import type { DatabaseSettings } from '../../../../contract/database.js';
import { formatDatabaseHost } from '../../../../contract/database-host.js';
import { connectPostgresDetailed } from '../database/connect-postgres.js';
import type { KeyDatabase } from './key-database.js';
import { postgresKeyDatabase } from './postgres-key-database.js';

/**
 * Opens the key database the way the nodes reach it (same TLS mode, same failover), for the
 * front doors that work on it (verify --database, build, tenants). `close()` ends the connection.
 */
export async function openKeyDatabase(
  settings: DatabaseSettings,
  password: Buffer,
  rootCaPem?: string,
): Promise<{ db: KeyDatabase; close: () => Promise<void> }> {
  if (settings.type === 'sqlserver') {
    // tedious takes ~200 ms to load: only SQL Server deployments pay for it.
    const { openSqlServerKeyDatabase } = await import('./open-sqlserver-key-database.js');
    return openSqlServerKeyDatabase(settings, password, rootCaPem);
  }
  const connection = await connectPostgresDetailed(settings, password, rootCaPem);
  const where = `${formatDatabaseHost(connection.host)}/${settings.name}`;
  return {
    db: postgresKeyDatabase(connection.client, where),
    close: () => connection.client.end().catch(() => undefined),
  };
}
