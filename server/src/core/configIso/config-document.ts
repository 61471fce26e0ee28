import { z } from 'zod';
import { databaseSettingsSchema } from '../../../../contract/database.js';
import { SERVICE_ACCOUNT_NAMES } from '../../../../contract/service-accounts.js';
import { FORMAT_VERSION, PATHS } from './layout.js';

/**
 * `hds/config.json`: every non-secret setting a node needs, and where each secret is.
 * Paths inside are relative to `hds/`. Documented field by field in docs/iso-format.md.
 */
const relativePath = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._/-]*$/)
  .max(200);
const isoDate = z.string().datetime();

export const certificateConfigSchema = z.strictObject({
  commonName: z.string().min(1).max(256),
  subjectAltNames: z.array(z.string().max(256)).max(100),
  notBefore: isoDate,
  notAfter: isoDate,
  fingerprintSha256: z.string().max(128),
  keystore: relativePath,
  keystorePasswordFile: relativePath,
  keystoreFriendlyName: z.literal('kms-private-key'),
  chainFile: relativePath,
});

export const syslogConfigSchema = z.strictObject({
  url: z.string().min(1).max(300),
  tls: z.boolean(),
  termination: z.enum(['null', 'newline']),
  rootCaFile: relativePath.optional(),
});

export const configDocumentSchema = z.strictObject({
  formatVersion: z.number().int().min(1),
  deploymentId: z.string().uuid(),
  generation: z.number().int().min(1),
  createdAt: isoDate,
  masterKeyFile: relativePath,
  certificate: certificateConfigSchema,
  database: z.strictObject({
    settings: databaseSettingsSchema,
    passwordFile: relativePath,
    rootCaFile: relativePath.optional(),
  }),
  syslog: syslogConfigSchema,
  serviceAccounts: z
    .array(
      z.strictObject({
        name: z.enum(SERVICE_ACCOUNT_NAMES),
        issuedAt: isoDate,
        expiresAt: isoDate,
        secretFile: relativePath,
        previous: z.strictObject({ secretFile: relativePath, validUntil: isoDate }).optional(),
      }),
    )
    .length(SERVICE_ACCOUNT_NAMES.length),
});

export type ConfigDocument = z.infer<typeof configDocumentSchema>;
export type SyslogConfig = Omit<z.infer<typeof syslogConfigSchema>, 'rootCaFile'>;

/** `hds/…` path → the path relative to `hds/` that config.json uses. */
export function relativeToRoot(path: string): string {
  return path.replace(/^hds\//, '');
}

export const CONFIG_FORMAT_VERSION = FORMAT_VERSION;
export const CONFIG_PATHS = PATHS;
