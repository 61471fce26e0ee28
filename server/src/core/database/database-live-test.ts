import type { DatabaseLiveTestSuccess, DatabaseSettings } from '../../../../contract/database.js';
import { runPostgresLiveTest } from './postgres-live-test.js';

export type LiveTestResult = DatabaseLiveTestSuccess;

/**
 * The live test the page runs on Continue and `hds-setup db check` runs: against the real server,
 * stopping at the first failing step with that step's HdsError code.
 */
export async function runDatabaseLiveTest(
  settings: DatabaseSettings,
  password: Buffer,
  rootCaPem?: string,
): Promise<LiveTestResult> {
  if (settings.type === 'postgresql') return runPostgresLiveTest(settings, password, rootCaPem);
  // tedious takes ~200 ms to load: only SQL Server deployments pay for it.
  const { runSqlServerLiveTest } = await import('./sqlserver-live-test.js');
  return runSqlServerLiveTest(settings, password, rootCaPem);
}
