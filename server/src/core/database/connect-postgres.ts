import pg from 'pg';
import type { DatabaseSettings } from '../../../../contract/database.js';
import { type DatabaseHost, formatDatabaseHost } from '../../../../contract/database-host.js';
import { HdsError } from '../../../../contract/hds-error.js';
import { atHost, databaseHosts, isNetworkFailure } from './database-hosts.js';
import { diagnosePostgresError } from './diagnose-postgres-error.js';
import { postgresClientConfig } from './postgres-connection-options.js';

export interface PostgresConnection {
  client: pg.Client;
  host: DatabaseHost;
  /** Whether the session runs over TLS ("prefer" may end up in plaintext). */
  tls: boolean;
}

/**
 * Connects the way the nodes will: hosts tried in order (multi-host failover with
 * target_session_attrs=read-write, so a read-only standby is skipped), with the TLS mode's exact
 * semantics. Throws one HdsError with the code of what failed; the password never appears in it.
 */
export async function connectPostgres(
  settings: DatabaseSettings,
  password: Buffer,
  rootCaPem?: string,
): Promise<pg.Client> {
  return (await connectPostgresDetailed(settings, password, rootCaPem)).client;
}

export async function connectPostgresDetailed(
  settings: DatabaseSettings,
  password: Buffer,
  rootCaPem?: string,
  hostsToTry: { host: DatabaseHost; index: number }[] = databaseHosts(settings).map((host, index) => ({
    host,
    index,
  })),
): Promise<PostgresConnection> {
  const skipped: HdsError[] = [];
  for (const { host, index } of hostsToTry) {
    let connection: PostgresConnection;
    try {
      connection = await connectOneHost(settings, host, password, rootCaPem);
    } catch (error) {
      const diagnosed = atHost(diagnosePostgresError(error, settings, host), index);
      if (isNetworkFailure(diagnosed) && hostsToTry.length > 1) {
        skipped.push(diagnosed);
        continue;
      }
      throw diagnosed;
    }
    const readOnly = await connection.client
      .query<{ transaction_read_only: string }>('SHOW transaction_read_only')
      .then((r) => r.rows[0]?.transaction_read_only === 'on')
      .catch((error: unknown) => {
        void connection.client.end().catch(() => undefined);
        throw atHost(diagnosePostgresError(error, settings, host), index);
      });
    if (!readOnly) return connection;
    await connection.client.end().catch(() => undefined);
    skipped.push(
      new HdsError(
        'DB_UNREACHABLE',
        `${formatDatabaseHost(host)} is a read-only standby; the nodes need a server that accepts writes. List the primary server (several hosts fail over to the first writable one).`,
        `database.hosts.${index}`,
      ),
    );
  }
  throw skipped[0] ?? new HdsError('INVALID_INPUT', 'Enter at least one database host.', 'database.hosts');
}

async function connectOneHost(
  settings: DatabaseSettings,
  host: DatabaseHost,
  password: Buffer,
  rootCaPem: string | undefined,
): Promise<PostgresConnection> {
  try {
    return { client: await open(postgresClientConfig(settings, host, password, rootCaPem)), host, tls: true };
  } catch (error) {
    const refusedTls = (error as Error).message === 'The server does not support SSL connections';
    if (!(refusedTls && settings.tlsMode === 'prefer')) throw error;
    const config = postgresClientConfig(settings, host, password, rootCaPem, { plaintext: true });
    return { client: await open(config), host, tls: false };
  }
}

async function open(config: pg.ClientConfig): Promise<pg.Client> {
  const client = new pg.Client(config);
  // A dropped connection later must surface on the next query, not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}
