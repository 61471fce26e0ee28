import { z } from 'zod';

/** Webex org ids are UUIDs; kept lower-case so one org is one row whatever case it was typed in. */
export const ORG_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const TENANT_NAME_MAX = 256;

export const orgIdSchema = z
  .string()
  .trim()
  .toLowerCase()
  // Windows tools write GUIDs in braces ({3F2A…}); the braces are not part of the id.
  .transform((id) => (/^\{[^{}]*\}$/.test(id) ? id.slice(1, -1).trim() : id))
  .pipe(
    z
      .string()
      .regex(
        ORG_ID_PATTERN,
        'An org id is a UUID such as 3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b (copy it from Partner Hub).',
      ),
  );

/**
 * Invisible format characters (Unicode category Cf) that change how a name is shown without being
 * seen: bidirectional embeddings, overrides, isolates and marks, zero-width spaces, the word joiner,
 * the byte-order mark. One can make a name look like another's — in the revoke confirmation too.
 * The zero-width non-joiner and joiner (U+200C, U+200D) are allowed: Persian and Indic names and
 * emoji sequences need them to be spelled right.
 */
const INVISIBLE_CHARACTERS: Record<number, string> = {
  1564: 'ARABIC LETTER MARK',
  8203: 'ZERO WIDTH SPACE',
  8206: 'LEFT-TO-RIGHT MARK',
  8207: 'RIGHT-TO-LEFT MARK',
  8234: 'LEFT-TO-RIGHT EMBEDDING',
  8235: 'RIGHT-TO-LEFT EMBEDDING',
  8236: 'POP DIRECTIONAL FORMATTING',
  8237: 'LEFT-TO-RIGHT OVERRIDE',
  8238: 'RIGHT-TO-LEFT OVERRIDE',
  8288: 'WORD JOINER',
  8289: 'FUNCTION APPLICATION',
  8290: 'INVISIBLE TIMES',
  8291: 'INVISIBLE SEPARATOR',
  8292: 'INVISIBLE PLUS',
  8294: 'LEFT-TO-RIGHT ISOLATE',
  8295: 'RIGHT-TO-LEFT ISOLATE',
  8296: 'FIRST STRONG ISOLATE',
  8297: 'POP DIRECTIONAL ISOLATE',
  65279: 'ZERO WIDTH NO-BREAK SPACE (byte order mark)',
};

/** The first invisible format character of `name` and its 1-based position (in characters), if any. */
export function findInvisibleCharacter(
  name: string,
): { codePoint: string; label: string; position: number } | undefined {
  let position = 0;
  for (const character of name) {
    position++;
    const code = character.codePointAt(0)!;
    const label = INVISIBLE_CHARACTERS[code];
    if (label) return { codePoint: `U+${code.toString(16).toUpperCase().padStart(4, '0')}`, label, position };
  }
  return undefined;
}

export const tenantNameSchema = z
  .string()
  // Checked before trim() (which would drop a leading or trailing byte-order mark) so the
  // position is the one in what was typed.
  .superRefine((name, ctx) => {
    const found = findInvisibleCharacter(name);
    if (found)
      ctx.addIssue({
        code: 'custom',
        message: `An organisation name cannot contain invisible or text-direction characters: it has ${found.codePoint} (${found.label}) at position ${found.position}, which can make one name look like another. Type the name again without it.`,
      });
  })
  .trim()
  // One spelling per name: a decomposed é (as macOS writes files) and the é an admin types are the
  // same name, so the typed revoke confirmation matches.
  .normalize('NFC')
  .min(1, "Enter the organisation's name as shown in Partner Hub.")
  .max(TENANT_NAME_MAX, `An organisation name has at most ${TENANT_NAME_MAX} characters.`)
  .regex(/^\P{Cc}*$/u, 'An organisation name cannot contain control characters or line breaks.');

export const addTenantRequestSchema = z.object({ orgId: orgIdSchema, name: tenantNameSchema });
export type AddTenantRequest = z.infer<typeof addTenantRequestSchema>;

/** The CSV travels as text; 8 MB holds 100 000 tenants with names of average length. */
export const TENANT_CSV_MAX_BYTES = 8 * 1024 * 1024;
export const importTenantsRequestSchema = z.object({ csv: z.string().max(TENANT_CSV_MAX_BYTES) });

/** A typed confirmation: the org's name for one tenant, `revoke <count>` for all removed tenants. */
export const revokeRequestSchema = z.object({ confirm: z.string().max(300) });

export const bulkJobRequestSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('create'), orgIds: z.array(orgIdSchema).max(100_000).optional() }),
  z.object({ action: z.literal('revoke'), confirm: z.string().max(300) }),
]);
export type BulkJobRequest = z.infer<typeof bulkJobRequestSchema>;

/** The three states of the guide's Tenant CMK Management table. */
export type TenantCmkStatus = 'pending' | 'managed' | 'removalPending';

export const TENANT_STATUS_LABEL: Record<TenantCmkStatus, string> = {
  pending: 'CMK management pending',
  managed: 'CMK managed',
  removalPending: 'Removed — revocation pending',
};

export interface TenantView {
  orgId: string;
  name: string;
  status: TenantCmkStatus;
  createdAt: string;
  keyVersion?: number;
  cmkCreatedAt?: string;
}

export interface TenantListResponse {
  ok: true;
  tenants: TenantView[];
  /** Where the key database is, e.g. `db.example.org/hds_keys`. */
  database: string;
}

/** GET /api/tenants/availability: the tab is shown once a database is configured. */
export interface TenantAvailability {
  ok: true;
  databaseConfigured: boolean;
  /** CMKs are wrapped under the master key: it must be an imported one, or saved and acknowledged. */
  masterKeySaved: boolean;
}

/** An org added again after its CMK was revoked: the admin is told so, and its next key version. */
export interface PreviouslyRevokedTenant {
  orgId: string;
  name: string;
  /** When its CMK was revoked (ISO 8601). */
  revokedAt: string;
  /** The key version that was revoked (0 if it had no CMK when revoked). */
  lastKeyVersion: number;
  /** The key version its new CMK will have. */
  nextKeyVersion: number;
}

/**
 * What the CLI and the wizard say about a re-added org: it had a CMK revoked, when, and that its new
 * CMK will be the next key version (the old one stays unreadable for good).
 */
export function previouslyRevokedNotice(t: PreviouslyRevokedTenant): string {
  const day = t.revokedAt.slice(0, 10);
  const had =
    t.lastKeyVersion > 0
      ? `had a CMK revoked on ${day} (key version ${t.lastKeyVersion})`
      : `was revoked on ${day}, before it had a CMK`;
  return `${t.name} (${t.orgId}) ${had}; its new CMK will be key version ${t.nextKeyVersion}. Content encrypted under a revoked key stays unreadable.`;
}

/** An org added (or imported) again under a name other than the one it is listed with. */
export interface AlreadyListedTenant {
  orgId: string;
  /** The name given now, which was not taken. */
  name: string;
  /** The name it is listed with, kept. */
  listedAs: string;
}

/** Names are never changed silently: the CLI and the wizard say which name was kept. */
export function alreadyListedNotice(t: AlreadyListedTenant): string {
  return `${t.name} (${t.orgId}) is already listed as ${t.listedAs}; its name was not changed.`;
}

export interface AddTenantsResult {
  added: number;
  /** Orgs already listed (any name), left as they are. */
  alreadyPresent: number;
  previouslyRevoked: PreviouslyRevokedTenant[];
  /** Those of `alreadyPresent` given under another name than the one listed. */
  listedUnderOtherName: AlreadyListedTenant[];
}

/**
 * Audit lines the syslog server did not take. Every change to a tenant is also sent to syslog as an
 * audit line after it committed; a line not sent never undoes the change (the key database's audit
 * log has it), so it is a warning. The message names the syslog URL and why, never an org or a key;
 * a bulk run's failures with one cause are one warning with their count.
 */
export interface TenantAuditWarning {
  code: 'SYSLOG_UNREACHABLE';
  /** How many audit lines did not reach syslog. */
  lines: number;
  message: string;
}

export interface TenantAuditWarnings {
  warnings: TenantAuditWarning[];
}

export interface ImportTenantsResponse extends AddTenantsResult, TenantAuditWarnings {
  ok: true;
}

/** POST /api/tenants: the new list, and the notice if the org had a CMK revoked before. */
export interface AddTenantResponse extends TenantListResponse, TenantAuditWarnings {
  previouslyRevoked?: PreviouslyRevokedTenant;
}

/** POST /api/tenants/:orgId/remove: the new list. */
export interface RemoveTenantResponse extends TenantListResponse, TenantAuditWarnings {}

/** POST /api/tenants/:orgId/revoke: done; the warnings if its audit line did not reach syslog. */
export interface RevokeTenantResponse extends TenantAuditWarnings {
  ok: true;
}

/** What the CLI and the wizard say after a removed tenant is restored. */
export function restoredNotice(t: TenantView): string {
  return t.status === 'managed'
    ? `${t.name} is restored: CMK managed (key version ${t.keyVersion}, kept while it was removed).`
    : `${t.name} is restored: CMK management pending (it had no CMK); create its CMK when ready.`;
}

/** POST /api/tenants/:orgId/restore: the tenant as it is now, and the new list. */
export interface RestoreTenantResponse extends TenantListResponse, TenantAuditWarnings {
  restored: TenantView;
}

export interface BulkFailure {
  orgId: string;
  code: string;
  message: string;
}

export interface BulkJobView {
  ok: true;
  id: string;
  action: 'create' | 'revoke';
  state: 'running' | 'done' | 'cancelled' | 'failed';
  total: number;
  done: number;
  failed: number;
  remaining: number;
  failures: BulkFailure[];
  /** Audit lines of the CMKs created or revoked so far that syslog did not take (the changes stand). */
  warnings: TenantAuditWarning[];
  /** Why a run stopped early (e.g. DB_UNREACHABLE); the rest can be finished by running again. */
  error?: { code: string; message: string };
}
