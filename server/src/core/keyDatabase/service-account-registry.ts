import { HdsError } from '../../../../contract/hds-error.js';
import { writeAudit } from './audit-log.js';
import type { KeyDatabase, KeyDatabaseSession } from './key-database.js';
import { secretMatchesVerifier, serviceAccountVerifier } from './service-account-verifier.js';

export type ServiceAccountName = 'kms' | 'indexing' | 'compliance';

/** A service account as the configuration ISO carries it (the secret stays in memory only). */
export interface ServiceAccountForRegistry {
  name: ServiceAccountName;
  secret: Buffer;
  issuedAt: Date;
  expiresAt: Date;
  previous?: { secret: Buffer; validUntil: Date };
}

/** new: first ISO of a deployment; keep: same secrets; soft: old ones stay valid 10 days; hard: old ones revoked now. */
export type ServiceAccountMode = 'new' | 'keep' | 'soft' | 'hard';

export const SOFT_RESET_GRACE_MS = 10 * 24 * 60 * 60 * 1000;

interface RegistryRow {
  id: number;
  verifier: string;
  validFrom: Date;
  validUntil: Date;
  revokedAt: Date | null;
}

async function rowsFor(db: KeyDatabase, session: KeyDatabaseSession, name: string): Promise<RegistryRow[]> {
  return (await session.run(db.sql.listServiceAccounts(name))).map((r) => ({
    id: Number(r.id),
    verifier: String(r.verifier),
    validFrom: new Date(r.valid_from as Date),
    validUntil: new Date(r.valid_until as Date),
    revokedAt: r.revoked_at ? new Date(r.revoked_at as Date) : null,
  }));
}

async function findMatching(rows: RegistryRow[], secret: Buffer): Promise<RegistryRow | undefined> {
  for (const row of rows) if (await secretMatchesVerifier(secret, row.verifier)) return row;
  return undefined;
}

/** The verifiers `recordServiceAccounts` stores, made ahead when it runs inside a caller's transaction. */
export function serviceAccountVerifiers(accounts: ServiceAccountForRegistry[]): Promise<string[]> {
  return Promise.all(accounts.map((a) => serviceAccountVerifier(a.secret)));
}

/**
 * Records each service account's verifier and validity window when an ISO is built with a
 * reachable database. The rows of one account are its history: the newest valid one is current.
 */
export async function recordServiceAccounts(
  db: KeyDatabase,
  accounts: ServiceAccountForRegistry[],
  mode: ServiceAccountMode,
  now: Date,
  verifiers?: string[],
): Promise<void> {
  // scrypt runs before the transaction, so locks are held for milliseconds, not seconds.
  const made = verifiers ?? (await serviceAccountVerifiers(accounts));
  await db.transaction(async (tx) => {
    for (const [i, account] of accounts.entries()) {
      const rows = (await rowsFor(db, tx, account.name)).filter((r) => !r.revokedAt);
      const current = await findMatching(rows, account.secret);
      if (current && mode !== 'new') continue;
      for (const old of rows.filter((r) => r !== current)) {
        if (mode === 'soft') {
          const grace = account.previous?.validUntil ?? new Date(now.getTime() + SOFT_RESET_GRACE_MS);
          await tx.run(db.sql.shortenServiceAccount(old.id, grace));
        } else if (mode !== 'keep') await tx.run(db.sql.revokeServiceAccount(old.id, now));
      }
      if (!current)
        await tx.run(
          db.sql.insertServiceAccount(account.name, made[i]!, account.issuedAt, account.expiresAt, now),
        );
    }
    await writeAudit(
      db,
      tx,
      [{ action: 'record-service-accounts', orgId: null, outcome: 'ok', detail: `mode ${mode}` }],
      now,
    );
  });
}

export type ServiceAccountState = 'current' | 'grace' | 'expired' | 'revoked' | 'unknown';

export interface ServiceAccountCheck {
  name: ServiceAccountName;
  state: ServiceAccountState;
  validUntil?: string;
  message: string;
}

/**
 * What `hds-setup verify --database` asks: are this node's secrets the ones the key database
 * currently accepts? `ok` only when every account is current (or in a soft reset's grace period).
 */
export async function verifyServiceAccountSecrets(
  db: KeyDatabase,
  accounts: Pick<ServiceAccountForRegistry, 'name' | 'secret'>[],
  now: Date,
): Promise<{ ok: boolean; accounts: ServiceAccountCheck[] }> {
  const checks: ServiceAccountCheck[] = [];
  for (const account of accounts) {
    const rows = await rowsFor(db, db, account.name);
    const row = await findMatching(rows, account.secret);
    checks.push(describe(account.name, row, rows, now));
  }
  return { ok: checks.every((c) => c.state === 'current' || c.state === 'grace'), accounts: checks };
}

function describe(
  name: ServiceAccountName,
  row: RegistryRow | undefined,
  rows: RegistryRow[],
  now: Date,
): ServiceAccountCheck {
  if (!row)
    return {
      name,
      state: 'unknown',
      message: `The ${name} secret is not registered in the key database. Mount the newest configuration ISO on this node.`,
    };
  const validUntil = row.validUntil.toISOString();
  if (row.revokedAt)
    return {
      name,
      state: 'revoked',
      validUntil,
      message: `The ${name} secret was replaced by a hard reset on ${utcMinute(row.revokedAt)} and no longer works. Mount the current configuration ISO (the one that hard reset made) on this node.`,
    };
  if (row.validUntil <= now || row.validFrom > now)
    return {
      name,
      state: 'expired',
      validUntil,
      message: `The ${name} secret is not valid now (valid ${row.validFrom.toISOString()} to ${validUntil}). Mount the newest configuration ISO on this node.`,
    };
  const newer = rows.some((r) => r !== row && !r.revokedAt && r.validFrom > row.validFrom);
  return newer
    ? {
        name,
        state: 'grace',
        validUntil,
        message: `The ${name} secret was replaced by a soft reset and stays valid until ${validUntil}. Mount the newest configuration ISO before then.`,
      }
    : { name, state: 'current', validUntil, message: `The ${name} secret is current until ${validUntil}.` };
}

/** "2025-02-02 at 14:05 UTC": the day an admin looks up in the ISO's history, to the minute. */
function utcMinute(at: Date): string {
  const iso = at.toISOString();
  return `${iso.slice(0, 10)} at ${iso.slice(11, 16)} UTC`;
}

/** A hard reset revoked it (SERVICE_ACCOUNTS_REVOKED); anything else not valid now is SERVICE_ACCOUNTS_EXPIRED. */
export function serviceAccountErrorCode(
  state: ServiceAccountState,
): 'SERVICE_ACCOUNTS_REVOKED' | 'SERVICE_ACCOUNTS_EXPIRED' {
  return state === 'revoked' ? 'SERVICE_ACCOUNTS_REVOKED' : 'SERVICE_ACCOUNTS_EXPIRED';
}

/** For front doors that must refuse: one error per account not valid now. */
export function serviceAccountErrors(checks: ServiceAccountCheck[]): HdsError[] {
  return checks
    .filter((c) => c.state !== 'current' && c.state !== 'grace')
    .map((c) => new HdsError(serviceAccountErrorCode(c.state), c.message, `serviceAccounts.${c.name}`));
}
