import type { DatabaseSettings } from '../../../../contract/database';
import type { DatabaseTlsMode, DatabaseType } from '../../../../contract/database-host';
import { isDatabaseLiveTestCode } from '../../../../contract/database-live-test-codes';
import type { ErrorDetail } from '../../../../contract/hds-error';

/** What the page's inputs hold: text as typed. The password is kept apart, never here. */
export interface DatabaseForm {
  type: DatabaseType;
  hosts: string[];
  name: string;
  auth: 'basic' | 'windows';
  username: string;
  kdc: string;
  tlsMode: DatabaseTlsMode;
  poolSize: string;
  timeoutSeconds: string;
}

export const emptyForm: DatabaseForm = {
  type: 'postgresql',
  hosts: [''],
  name: '',
  auth: 'basic',
  username: '',
  kdc: '',
  tlsMode: 'prefer',
  poolSize: '10',
  timeoutSeconds: '10',
};

export function formFromSettings(s: DatabaseSettings): DatabaseForm {
  return {
    type: s.type,
    hosts: s.hosts,
    name: s.name,
    auth: s.auth,
    username: s.username,
    kdc: s.kdc ?? '',
    tlsMode: s.tlsMode,
    poolSize: String(s.advanced.app_datasource_connection_pool_maxSize),
    timeoutSeconds: String(s.advanced.connectTimeoutSeconds),
  };
}

/** The request's settings; numbers stay as typed when they are not numbers, so the server names them. */
export function settingsFromForm(f: DatabaseForm): Record<string, unknown> {
  const windows = f.type === 'sqlserver' && f.auth === 'windows';
  return {
    type: f.type,
    hosts: f.hosts.map((h) => h.trim()).filter((h, i) => h !== '' || i === 0),
    name: f.name,
    auth: f.type === 'sqlserver' ? f.auth : 'basic',
    username: f.username,
    ...(windows ? { kdc: f.kdc } : {}),
    tlsMode: f.tlsMode,
    advanced: {
      app_datasource_connection_pool_maxSize: toNumber(f.poolSize),
      connectTimeoutSeconds: toNumber(f.timeoutSeconds),
    },
  };
}

/**
 * The errors that still hold once the admin switches the database type. Hosts, name, username,
 * authentication, KDC and TLS mode are judged by each type's own rules (or not shown for the
 * other type), and a live test ran against the type left behind: those errors go, as the System
 * logs page drops a test outcome once its settings change. The password, the root CA file and the
 * advanced numbers mean the same for both types: their errors stay until the next Continue.
 */
export function errorsAfterTypeChange(errors: ErrorDetail[]): ErrorDetail[] {
  return errors.filter(
    (e) =>
      !isDatabaseLiveTestCode(e.code) &&
      (e.field === 'database.password' ||
        e.field === 'database.rootCa' ||
        Boolean(e.field?.startsWith('database.advanced.'))),
  );
}

function toNumber(text: string): number | string {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : text;
}

export { TLS_MODE_LABELS } from '../../components/database-labels';
