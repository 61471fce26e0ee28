import type { DatabaseLiveTestSuccess, DatabaseSettings } from '../../../../contract/database.js';
import { runPostgresLiveTest } from './postgres-live-test.js';
import { runSqlServerLiveTest } from './sqlserver-live-test.js';

export type LiveTestResult = DatabaseLiveTestSuccess;

/**
 * The live test the page runs on Continue and `hds-setup db check` runs: against the real server,
 * stopping at the first failing step with that step's HdsError code.
 */
export function runDatabaseLiveTest(
  settings: DatabaseSettings,
  password: Buffer,
  rootCaPem?: string,
): Promise<LiveTestResult> {
  return settings.type === 'postgresql'
    ? runPostgresLiveTest(settings, password, rootCaPem)
    : runSqlServerLiveTest(settings, password, rootCaPem);
}
