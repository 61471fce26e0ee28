/**
 * Every error code the product can return, with the HTTP status the API answers with.
 * Codes are stable: scripts and the acceptance tests key on them. Add, never rename.
 * Grouped by the wizard capability that raises them.
 */
export const ERROR_CODES = {
  // Input shape (any route or CLI command)
  INVALID_INPUT: 400,
  PAYLOAD_TOO_LARGE: 413,
  NOT_FOUND: 404,
  /** The path exists but not for this method (the wizard page and its files are GET/HEAD only). */
  METHOD_NOT_ALLOWED: 405,
  /** A body whose Content-Type is not the one the route reads (JSON, or the raw ISO bytes). */
  UNSUPPORTED_MEDIA_TYPE: 415,
  INTERNAL: 500,
  /**
   * CLI only: a file named on the command line (or in an answers file) cannot be read — it does
   * not exist, is a folder, or this user may not read it. The API takes uploads, never paths.
   */
  FILE_UNREADABLE: 400,
  /** CLI only: `serve` cannot listen on the address and port asked for (in use, not this machine's). */
  SERVE_CANNOT_LISTEN: 500,
  /** CLI only: `serve` was given an HDS_SETUP_TOKEN too short or with characters outside URL-safe base64. */
  SERVE_TOKEN_INVALID: 400,

  // Sign-in and request security
  AUTH_REQUIRED: 401,
  AUTH_BAD_TOKEN: 401,
  /** The sign-in token was right but has signed in once already; serve printed the next one. */
  SIGN_IN_TOKEN_USED: 401,
  AUTH_RATE_LIMITED: 429,
  SESSION_EXPIRED: 401,
  HOST_NOT_ALLOWED: 421,
  CSRF_REJECTED: 403,

  // ISO 9660 library and configuration ISO
  ISO_INVALID: 422,
  ISO_BAD_INPUT: 400,
  ISO_NOT_HDS: 422,
  ISO_CORRUPT: 422,
  ISO_INCOMPLETE: 422,
  ISO_VERSION_UNSUPPORTED: 422,
  ISO_DB_MISMATCH: 409,
  /** An imported ISO's database is reachable but empty (never bound): the wrong or a wiped database. */
  ISO_DB_EMPTY: 409,
  /** A mounted or extracted configuration whose secret files others can read or change. */
  ISO_SECRET_EXPOSED: 422,
  ISO_OUTPUT_EXISTS: 409,
  ISO_PATH_ESCAPE: 400,

  // Certificate
  P12_INVALID: 422,
  P12_BAD_PASSWORD: 422,
  P12_NO_KEY: 422,
  P12_MULTIPLE_KEYS: 422,
  P12_KEY_MISMATCH: 422,
  CERT_NO_CN: 422,
  CERT_WILDCARD_CN: 422,
  CERT_EXPIRED: 422,
  CERT_NOT_YET_VALID: 422,
  CERT_WEAK_SIGNATURE: 422,
  CERT_WEAK_KEY: 422,
  CERT_CHAIN_INCOMPLETE: 422,
  CERT_UNTRUSTED_ROOT: 422,
  CERT_CN_CHANGED: 422,
  CERT_PEM_INVALID: 422,
  /** The passphrase given for an encrypted PEM private key does not decrypt it. */
  CERT_KEY_BAD_PASSWORD: 422,

  // Database
  DB_TYPE_CHANGED: 422,
  DB_DEFAULT_DATABASE: 422,
  DB_WINDOWS_AUTH_NEEDS_FQDN: 422,
  DB_TLS_MODE_UNSUPPORTED: 422,
  DB_CA_INVALID: 422,
  DB_HOST_UNRESOLVED: 422,
  DB_UNREACHABLE: 422,
  DB_TLS_UNAVAILABLE: 422,
  DB_TLS_UNTRUSTED: 422,
  DB_TLS_HOSTNAME: 422,
  DB_AUTH_FAILED: 422,
  DB_NOT_FOUND: 422,
  DB_PERMISSION: 422,
  DB_SERVER_TOO_OLD: 422,
  DB_SCHEMA_NEWER: 409,
  DB_ALREADY_BOUND: 409,
  DB_NOT_CONFIGURED: 409,

  // Syslog
  SYSLOG_URL_INVALID: 422,
  SYSLOG_TLS_NEEDS_TCP: 422,
  SYSLOG_CA_INVALID: 422,
  SYSLOG_HOST_UNRESOLVED: 422,
  SYSLOG_UNREACHABLE: 422,
  SYSLOG_TLS_FAILED: 422,
  SYSLOG_TIMEOUT: 422,

  // Answers file (headless mode)
  ANSWERS_INVALID: 422,
  ANSWERS_SECRET_MISSING: 422,

  // Service accounts, review and download
  SERVICE_ACCOUNTS_EXPIRED: 422,
  /** A node's secrets were revoked by a hard reset (not expired): it needs the ISO that reset made. */
  SERVICE_ACCOUNTS_REVOKED: 422,
  WIZARD_INCOMPLETE: 409,
  /**
   * The admin discarded the deployment or imported another ISO while a request of the previous one
   * was still running (a build, the backup acknowledgment, opening the tenant tab): nothing was written.
   */
  DEPLOYMENT_CHANGED: 409,
  BACKUP_MISMATCH: 422,

  // Tenants and CMKs
  TENANT_INVALID: 422,
  TENANT_CSV_INVALID: 422,
  TENANT_NOT_FOUND: 404,
  TENANT_EXISTS: 409,
  TENANT_CONFIRMATION_MISMATCH: 422,
  TENANT_STATE: 409,
  CMK_UNWRAP_FAILED: 422,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export function httpStatusFor(code: ErrorCode): number {
  return ERROR_CODES[code];
}
