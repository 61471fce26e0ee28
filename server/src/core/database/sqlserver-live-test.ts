import { randomBytes } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { Connection, Request } from 'tedious';
import type { DatabaseLiveTestSuccess, DatabaseSettings } from '../../../../contract/database.js';
import { type DatabaseHost, formatDatabaseHost, kerberosSpn } from '../../../../contract/database-host.js';
import { HdsError } from '../../../../contract/hds-error.js';
import { atHost, databaseHosts, isNetworkFailure } from './database-hosts.js';
import { oneLine } from './database-root-ca.js';
import { diagnoseSqlServerError } from './diagnose-sqlserver-error.js';
import { sqlServerConnectionConfig } from './sqlserver-connection-options.js';

/** SQL Server 2016 is version 13. */
const MIN_MAJOR_VERSION = 13;

/**
 * The SQL Server live test: connect (reachability, TLS, login, database) with tedious, then the
 * version and the right to create tables. Hosts are a failover set, tried in order.
 */
export async function runSqlServerLiveTest(
  settings: DatabaseSettings,
  password: Buffer,
  rootCaPem?: string,
): Promise<DatabaseLiveTestSuccess> {
  const hosts = databaseHosts(settings);
  let first: HdsError | undefined;
  for (const [index, host] of hosts.entries()) {
    try {
      return await testOneHost(settings, host, password, rootCaPem);
    } catch (error) {
      const diagnosed = atHost(diagnoseSqlServerError(error, settings, host), index);
      if (!isNetworkFailure(diagnosed)) throw diagnosed;
      first ??= diagnosed;
    }
  }
  throw first!;
}

async function testOneHost(
  settings: DatabaseSettings,
  host: DatabaseHost,
  password: Buffer,
  rootCaPem: string | undefined,
): Promise<DatabaseLiveTestSuccess> {
  const connection = new Connection(sqlServerConnectionConfig(settings, host, password, rootCaPem));
  let secure: TLSSocket | undefined;
  connection.on('secure', (socket: TLSSocket) => {
    secure = socket;
  });
  await new Promise<void>((resolve, reject) =>
    connection.connect((error) => (error ? reject(error) : resolve())),
  );
  try {
    const where = formatDatabaseHost(host);
    const [row] = await query(
      connection,
      "SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(64)), CAST(SERVERPROPERTY('ProductMajorVersion') AS int)",
    );
    const version = String(row?.[0] ?? 'unknown');
    const major = Number(row?.[1] ?? version.split('.')[0]);
    if (major < MIN_MAJOR_VERSION)
      throw new HdsError(
        'DB_SERVER_TOO_OLD',
        `${where} runs SQL Server ${version}; HDS needs SQL Server 2016 (13.x) or later.`,
        'database.hosts',
      );
    const table = `hds_setup_probe_${randomBytes(6).toString('hex')}`;
    await query(connection, `BEGIN TRANSACTION; CREATE TABLE ${table} (id int); ROLLBACK TRANSACTION;`);
    const peer = secure?.getPeerX509Certificate();
    return {
      ok: true,
      host: where,
      serverVersion: `Microsoft SQL Server ${version}`,
      tls: secure
        ? {
            used: true,
            protocol: secure.getProtocol() ?? undefined,
            cipher: secure.getCipher()?.name,
            certificateSubject: peer ? oneLine(peer.subject) : undefined,
            certificateNotAfter: peer ? new Date(peer.validTo).toISOString() : undefined,
          }
        : { used: false },
      ...(settings.auth === 'windows'
        ? {
            notes: [
              `The account was checked with NTLM from this machine; the nodes use Kerberos and request the SPN ${kerberosSpn(host)}, which must be registered for the SQL Server service account. Keep the nodes, Active Directory and SQL Server clocks synchronised with NTP.`,
            ],
          }
        : {}),
    };
  } finally {
    connection.close();
  }
}

function query(connection: Connection, sql: string): Promise<unknown[][]> {
  return new Promise((resolve, reject) => {
    const rows: unknown[][] = [];
    const request = new Request(sql, (error) => (error ? reject(error) : resolve(rows)));
    request.on('row', (columns: { value: unknown }[]) => rows.push(columns.map((c) => c.value)));
    connection.execSql(request);
  });
}
