import { HdsError } from '../../../../contract/hds-error.js';

/**
 * The database refused a write under its integrity rules: a second CMK for a tenant (primary key),
 * a CMK without an active tenant waiting for that key version, a tenant deleted (the schema's
 * triggers). Within the tool this means another run or an administrator changed the same tenants
 * meanwhile; a bulk CMK run takes it as the cue to redo the batch, skipping what no longer fits.
 */
export class IntegrityRefusal extends HdsError {
  constructor(where: string, text: string) {
    super(
      'TENANT_STATE',
      `The key database at ${where} refused a change that would break its rules (${text}): another tool or administrator changed the same tenants meanwhile. Nothing of this step was saved; run it again.`,
    );
  }
}

/** PostgreSQL's class 23 (integrity constraint violation); SQL Server's key, foreign-key and schema-trigger errors. */
const INTEGRITY_NUMBERS = new Set([2601, 2627, 547, 50010, 50011]);

/**
 * Turns a driver failure into the product's error. Lost connections (a dropped network, an
 * administrator's pg_terminate_backend, a server restart) are DB_UNREACHABLE so the admin knows
 * a rerun will finish the job; missing rights are DB_PERMISSION.
 */
export function keyDatabaseError(error: unknown, where: string): HdsError {
  if (error instanceof HdsError) return error;
  const e = error as { code?: string; number?: number; message?: string };
  const text = e.message ?? String(error);
  const code = e.code ?? '';
  if (code === '42501' || e.number === 262 || e.number === 229 || e.number === 1088)
    return new HdsError(
      'DB_PERMISSION',
      `The database account cannot change the key database at ${where} (${text}). Use an account that owns the database or has all privileges on it.`,
    );
  if (/^23/.test(code) || INTEGRITY_NUMBERS.has(e.number ?? 0)) return new IntegrityRefusal(where, text);
  const lost =
    /^(08|57P0)/.test(code) ||
    ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ESOCKET', 'ECLOSE', 'ENOTOPEN'].includes(code) ||
    /Connection terminated|connection is closed|not connected|not queryable|terminating connection|Client was closed/i.test(
      text,
    );
  if (lost)
    return new HdsError(
      'DB_UNREACHABLE',
      `The connection to the key database at ${where} was lost (${text}). Work already reported as done is complete; check the connection and run again to finish the rest.`,
    );
  return new HdsError(
    'INTERNAL',
    `The key database at ${where} refused a statement (${text}). Check the database server's log; nothing of this step was saved.`,
  );
}
