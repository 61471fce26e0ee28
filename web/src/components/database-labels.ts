import type { DatabaseTlsMode, DatabaseType } from '../../../contract/database-host';

/** The database choices in the Database page's words, for every page that shows them. */
export const DATABASE_TYPE_LABELS: Record<DatabaseType, string> = {
  postgresql: 'PostgreSQL',
  sqlserver: 'Microsoft SQL Server',
};

export const TLS_MODE_LABELS: Record<DatabaseTlsMode, string> = {
  prefer: 'Prefer TLS',
  require: 'Require TLS',
  'verify-ca': 'Require TLS and verify certificate signer',
  'verify-full': 'Require TLS and verify certificate signer and hostname',
};

/** A label for a value read from an ISO (a plain string there): the raw value if it is not known. */
export function labelOf(labels: Record<string, string>, value: string): string {
  return Object.hasOwn(labels, value) ? (labels[value] ?? value) : value;
}
