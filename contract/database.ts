import { z } from 'zod';
import { DATABASE_TLS_MODES, DATABASE_TYPES } from './database-host.js';

/**
 * The Database page (PRODUCT.md page 5; guide steps 11, 12 and 14). The password and the root CA
 * travel beside these settings in the request, never inside them: what this schema parses is the
 * non-secret part that the configuration ISO carries in its settings file.
 */
export const databaseAdvancedSchema = z
  .object({
    /** The one pool setting the guide says an admin may want to change (step 14). */
    app_datasource_connection_pool_maxSize: z
      .number()
      .int('The pool size is a whole number.')
      .min(1, 'The pool size must be at least 1.')
      .max(500, 'The pool size can be at most 500.')
      .default(10),
    connectTimeoutSeconds: z
      .number()
      .int('The connection timeout is a whole number of seconds.')
      .min(1, 'The connection timeout must be at least 1 second.')
      .max(300, 'The connection timeout can be at most 300 seconds.')
      .default(10),
  })
  .strict();

export const databaseSettingsSchema = z
  .object({
    type: z.enum(DATABASE_TYPES, {
      error: 'Choose PostgreSQL (postgresql) or Microsoft SQL Server (sqlserver).',
    }),
    /** `host[:port]`, several for failover; IPv6 in brackets (`[2001:db8::1]:5432`). */
    hosts: z
      .array(z.string().trim().min(1, 'Enter a host name or address.').max(300, 'That host is too long.'))
      .min(1, 'Enter at least one database host.')
      .max(16, 'At most 16 database hosts can be listed.'),
    name: z
      .string()
      .trim()
      .min(1, 'Enter the database name.')
      .max(128, 'A database name has at most 128 characters.'),
    /** SQL Server only. PostgreSQL always uses its own login (basic). */
    auth: z.enum(['basic', 'windows'], { error: 'Authentication is basic or windows.' }).default('basic'),
    /** A database login, or for Windows authentication an account written `username@DOMAIN`. */
    username: z
      .string()
      .trim()
      .min(1, 'Enter the username.')
      .max(256, 'A username has at most 256 characters.'),
    /** Windows authentication: the Kerberos KDC (usually a domain controller), `host[:port]`. */
    kdc: z.string().trim().max(300, 'That KDC address is too long.').optional(),
    tlsMode: z
      .enum(DATABASE_TLS_MODES, { error: 'The TLS mode is prefer, require, verify-ca or verify-full.' })
      .default('prefer'),
    advanced: databaseAdvancedSchema.default({
      app_datasource_connection_pool_maxSize: 10,
      connectTimeoutSeconds: 10,
    }),
  })
  .strict();

export type DatabaseSettings = z.infer<typeof databaseSettingsSchema>;
export type DatabaseSettingsInput = z.input<typeof databaseSettingsSchema>;

/** PUT /api/database: the settings plus the secret and the upload, which the server keeps apart. */
export const databaseRequestSchema = z
  .object({
    settings: z.unknown(),
    password: z.string().min(1, 'Enter the password.').max(1024, 'A password has at most 1024 characters.'),
    /** PEM of the database's root CA; needed by the two verifying TLS modes. */
    rootCaPem: z
      .string()
      .max(256 * 1024, 'The root CA file is larger than 256 KB.')
      .optional(),
    /** The admin chose "Ignore and continue" after a failed live test. */
    ignoreLiveTestFailure: z.boolean().default(false),
  })
  .strict();
export type DatabaseRequest = z.input<typeof databaseRequestSchema>;

/** What a successful live test learned about the server. */
export interface DatabaseLiveTestSuccess {
  ok: true;
  host: string;
  serverVersion: string;
  tls: {
    used: boolean;
    protocol?: string;
    cipher?: string;
    certificateSubject?: string;
    certificateNotAfter?: string;
  };
  /** Things the live test could not check from this machine (e.g. Kerberos for Windows auth). */
  notes?: string[];
}

export interface DatabaseLiveTestIgnored {
  ok: false;
  ignored: true;
  code: string;
  message: string;
  field?: string;
}

/** The non-secret echo of the accepted Database page (GET/PUT /api/database, `db check --json`). */
export interface DatabaseView {
  settings: DatabaseSettings;
  rootCa?: { subject: string; notAfter: string };
  liveTest: DatabaseLiveTestSuccess | DatabaseLiveTestIgnored;
  /** The SPN the nodes request with Windows authentication (one per host). */
  kerberosSpns?: string[];
}

export interface DatabaseResponse {
  ok: true;
  database: DatabaseView | null;
  /** The imported ISO's database type, which cannot change. */
  previousType?: 'postgresql' | 'sqlserver';
}
