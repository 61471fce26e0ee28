/** The key database: settings, the live test, and connecting the way the nodes will. */
export { connectPostgres, connectPostgresDetailed, type PostgresConnection } from './connect-postgres.js';
export { databaseHosts } from './database-hosts.js';
export { postgresClientConfig, postgresTlsOptions } from './postgres-connection-options.js';
