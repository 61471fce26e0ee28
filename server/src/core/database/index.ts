/** The key database: settings, the live test, and connecting the way the nodes will. */
export { connectPostgres, connectPostgresDetailed, type PostgresConnection } from './connect-postgres.js';
export { type DatabaseAnswers, readDatabaseAnswers } from './database-answers.js';
export { databaseHosts } from './database-hosts.js';
export { type LiveTestResult, runDatabaseLiveTest } from './database-live-test.js';
export { type DatabaseRootCa, validateDatabaseRootCa } from './database-root-ca.js';
export { postgresClientConfig, postgresTlsOptions } from './postgres-connection-options.js';
export { sqlServerConnectionConfig } from './sqlserver-connection-options.js';
export { label as databaseTypeLabel, validateDatabaseSettings } from './validate-database-settings.js';
