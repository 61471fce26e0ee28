/**
 * The codes of the database live test (not of the settings' rules): a failure with one of these
 * may be ignored by the admin, since the nodes may reach what this machine cannot.
 */
export const DATABASE_LIVE_TEST_CODES = [
  'DB_HOST_UNRESOLVED',
  'DB_UNREACHABLE',
  'DB_TLS_UNAVAILABLE',
  'DB_TLS_UNTRUSTED',
  'DB_TLS_HOSTNAME',
  'DB_AUTH_FAILED',
  'DB_NOT_FOUND',
  'DB_PERMISSION',
  'DB_SERVER_TOO_OLD',
] as const;

export function isDatabaseLiveTestCode(code: string): boolean {
  return (DATABASE_LIVE_TEST_CODES as readonly string[]).includes(code);
}
