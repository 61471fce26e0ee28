import { randomBytes } from 'node:crypto';
import { HdsError } from '../../../../contract/hds-error.js';
import {
  EXPIRY_WARNING_DAYS,
  type RotationMode,
  SERVICE_ACCOUNT_LIFESPAN_MONTHS,
  SERVICE_ACCOUNT_NAMES,
  type ServiceAccountName,
  type ServiceAccountView,
  SOFT_RESET_GRACE_DAYS,
} from '../../../../contract/service-accounts.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ServiceAccount {
  name: ServiceAccountName;
  /** Printable (base64url), 256 bits of entropy. */
  secret: Buffer;
  issuedAt: Date;
  expiresAt: Date;
  /** After a soft reset: the replaced secret, still accepted until validUntil. */
  previous?: { secret: Buffer; validUntil: Date };
}

function newSecret(): Buffer {
  return Buffer.from(randomBytes(32).toString('base64url'), 'ascii');
}

export function addMonths(date: Date, months: number): Date {
  const d = new Date(date.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d;
}

/** A new deployment's accounts: fresh secrets with a nine-month lifespan. */
export function issueServiceAccounts(now: Date): ServiceAccount[] {
  return SERVICE_ACCOUNT_NAMES.map((name) => ({
    name,
    secret: newSecret(),
    issuedAt: now,
    expiresAt: addMonths(now, SERVICE_ACCOUNT_LIFESPAN_MONTHS),
  }));
}

export function anyExpired(accounts: ServiceAccount[], now: Date): boolean {
  return accounts.some((a) => a.expiresAt.getTime() <= now.getTime());
}

/** The modes an admin may choose after an import: expired secrets force a hard reset. */
export function allowedRotationModes(accounts: ServiceAccount[], now: Date): RotationMode[] {
  return anyExpired(accounts, now) ? ['hard'] : ['keep', 'soft', 'hard'];
}

/** Expired secrets force a hard reset: a soft reset would promise a grace period they no longer have. */
export function assertRotationAllowed(imported: ServiceAccount[], mode: RotationMode, now: Date): void {
  if (mode !== 'hard' && anyExpired(imported, now))
    throw new HdsError(
      'SERVICE_ACCOUNTS_EXPIRED',
      `The service-account secrets in the imported ISO have expired, so they cannot be ${mode === 'keep' ? 'kept' : 'soft-reset'}. Choose Hard reset: new secrets, and re-mount the new ISO on every node.`,
      'serviceAccounts.mode',
    );
}

/**
 * Applies the admin's choice to the imported accounts.
 * keep: unchanged; soft: new secrets, the old ones stay
 * valid for 10 days so nodes can be re-mounted one by one; hard: new secrets, old ones dropped.
 */
export function rotateServiceAccounts(
  imported: ServiceAccount[],
  mode: RotationMode,
  now: Date,
): ServiceAccount[] {
  assertRotationAllowed(imported, mode, now);
  if (mode === 'keep') {
    return imported.map((a) => ({
      ...a,
      previous: a.previous && a.previous.validUntil > now ? a.previous : undefined,
    }));
  }
  return imported.map((a) => {
    const fresh: ServiceAccount = {
      name: a.name,
      secret: newSecret(),
      issuedAt: now,
      expiresAt: addMonths(now, SERVICE_ACCOUNT_LIFESPAN_MONTHS),
    };
    if (mode === 'soft')
      fresh.previous = {
        secret: a.secret,
        validUntil: new Date(now.getTime() + SOFT_RESET_GRACE_DAYS * DAY_MS),
      };
    return fresh;
  });
}

export function viewServiceAccounts(accounts: ServiceAccount[], now: Date): ServiceAccountView[] {
  return accounts.map((a) => ({
    name: a.name,
    issuedAt: a.issuedAt.toISOString(),
    expiresAt: a.expiresAt.toISOString(),
    expired: a.expiresAt.getTime() <= now.getTime(),
    expiresSoon: a.expiresAt.getTime() - now.getTime() < EXPIRY_WARNING_DAYS * DAY_MS,
    ...(a.previous ? { previousValidUntil: a.previous.validUntil.toISOString() } : {}),
  }));
}
