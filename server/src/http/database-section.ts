import type {
  DatabaseLiveTestIgnored,
  DatabaseLiveTestSuccess,
  DatabaseSettings,
  DatabaseView,
} from '../../../contract/database.js';
import { kerberosSpn } from '../../../contract/database-host.js';
import { databaseHosts } from '../core/database/index.js';

/**
 * The accepted Database page, kept in server memory. The configuration ISO is built from it
 * (settings → the settings file, password → its own secret file, rootCaPem → the trust file), and
 * the key-database code connects with it through connectPostgres.
 */
export interface AcceptedDatabase {
  /** Non-secret, as parsed by the contract. */
  settings: DatabaseSettings;
  password: Buffer;
  rootCaPem?: string;
  rootCa?: { subject: string; notAfter: string };
  /** The live test's outcome; a failure the admin chose to ignore is shown on the review page. */
  liveTest: DatabaseLiveTestSuccess | DatabaseLiveTestIgnored;
}

declare module './wizard-state.js' {
  interface WizardSections {
    database: AcceptedDatabase;
  }
}

/** What may leave the server: everything but the password and the CA's bytes. */
export function databaseView(accepted: AcceptedDatabase): DatabaseView {
  const { settings, rootCa, liveTest } = accepted;
  return {
    settings,
    ...(rootCa ? { rootCa } : {}),
    liveTest,
    ...(settings.type === 'sqlserver' && settings.auth === 'windows'
      ? { kerberosSpns: databaseHosts(settings).map(kerberosSpn) }
      : {}),
  };
}
