import { randomBytes, timingSafeEqual } from 'node:crypto';
import { HdsError } from '../../../../contract/hds-error.js';
import type { BulkFailure } from '../../../../contract/tenants.js';
import { writeAudit } from '../keyDatabase/audit-log.js';
import type { KeyDatabase } from '../keyDatabase/key-database.js';
import { truthy } from '../keyDatabase/migrate.js';
import { type BulkOptions, type BulkOutcome, BulkTally } from './bulk-outcome.js';
import { CMK_ALGORITHM, CMK_BYTES, deriveCmkKek, unwrapCmk, wrapCmk } from './cmk-wrap.js';

export const DEFAULT_BATCH_SIZE = 1000;

interface NewCmk {
  orgId: string;
  keyVersion: number;
  cmk: Buffer;
  wrappedKey: Buffer;
}

/** Org ids of active tenants still waiting for their CMK (the Manage CMKs menu's "create all pending"). */
export async function pendingTenantIds(db: KeyDatabase): Promise<string[]> {
  return (await db.run(db.sql.pendingTenantIds())).map((r) => String(r.org_id));
}

/**
 * Creates the CMK of each listed tenant: 256 random bits, wrapped under the HKDF-derived KEK with
 * the org id and key version as AES-GCM additional data. Each batch is one transaction that locks
 * its tenants, inserts the wrapped keys (one per tenant: the primary key refuses a second), reads
 * them back and unwraps them, and writes the audit rows — so a dropped connection or a crash leaves
 * each tenant either fully done or untouched, and running again finishes the rest.
 */
export async function createCmks(
  db: KeyDatabase,
  masterKey: Buffer,
  orgIds: string[],
  options: BulkOptions = {},
): Promise<BulkOutcome> {
  const batchSize = Math.max(1, Math.min(options.batchSize ?? DEFAULT_BATCH_SIZE, 10_000));
  const tally = new BulkTally(orgIds.length, options.onProgress);
  const kek = deriveCmkKek(masterKey);
  try {
    for (let start = 0; start < orgIds.length; start += batchSize) {
      if (options.signal?.aborted) return tally.finish('cancelled');
      const batch = orgIds.slice(start, start + batchSize);
      const now = options.now?.() ?? new Date();
      let created: NewCmk[] = [];
      try {
        const outcome = await db.transaction(async (tx) => {
          const failures: BulkFailure[] = [];
          let already = 0;
          const locked = new Map<string, Record<string, unknown>>();
          for (const statement of db.sql.lockTenants(batch))
            for (const row of await tx.run(statement)) locked.set(String(row.org_id), row);
          for (const orgId of batch) {
            const row = locked.get(orgId);
            if (!row) failures.push(notFound(orgId, db.where));
            else if (row.status !== 'active') failures.push(notActive(orgId));
            else if (truthy(row.has_cmk)) already++;
            else {
              const keyVersion = Number(row.key_generation) + 1;
              const cmk = randomBytes(CMK_BYTES);
              created.push({ orgId, keyVersion, cmk, wrappedKey: wrapCmk(kek, orgId, keyVersion, cmk) });
            }
          }
          const inserted = new Set<string>();
          if (created.length) {
            const rows = created.map((c) => ({ ...c, algorithm: CMK_ALGORITHM }));
            for (const statement of db.sql.insertCmks(rows, now))
              for (const row of await tx.run(statement)) inserted.add(String(row.org_id));
          }
          // Another tool got there first for these: they have their one CMK already.
          already += created.filter((c) => !inserted.has(c.orgId)).length;
          created = created.filter((c) => inserted.has(c.orgId));
          await readBackAndUnwrap(db, tx, kek, created);
          await writeAudit(
            db,
            tx,
            created.map((c) => ({
              action: 'create-cmk',
              orgId: c.orgId,
              outcome: 'ok',
              detail: `key version ${c.keyVersion}, ${CMK_ALGORITHM}`,
            })),
            now,
          );
          return { failures, already };
        });
        tally.done += created.length + outcome.already;
        tally.failures.push(...outcome.failures);
      } catch (error) {
        if (!(error instanceof HdsError) || error.code !== 'CMK_UNWRAP_FAILED') {
          const e = error instanceof HdsError ? error : new HdsError('INTERNAL', String(error));
          return tally.finish('failed', { code: e.code, message: e.message });
        }
        // The batch rolled back: none of its tenants has a CMK; each shows why.
        for (const orgId of batch) tally.failures.push({ orgId, code: error.code, message: error.message });
        created = [];
      } finally {
        for (const c of created) c.cmk.fill(0);
      }
      await tally.sendAudit(
        options.audit,
        created.map((c) => ({
          action: 'create-cmk',
          orgId: c.orgId,
          keyVersion: c.keyVersion,
          outcome: 'ok',
        })),
      );
      tally.report();
    }
    return tally.finish('done');
  } finally {
    kek.fill(0);
  }
}

/** Before a tenant is reported managed, its stored key must open and equal the key just made. */
async function readBackAndUnwrap(
  db: KeyDatabase,
  tx: Parameters<Parameters<KeyDatabase['transaction']>[0]>[0],
  kek: Buffer,
  created: NewCmk[],
): Promise<void> {
  if (created.length === 0) return;
  const stored = new Map<string, Record<string, unknown>>();
  for (const statement of db.sql.readCmks(created.map((c) => c.orgId)))
    for (const row of await tx.run(statement)) stored.set(String(row.org_id), row);
  for (const c of created) {
    const row = stored.get(c.orgId);
    const wrapped = row ? Buffer.from(row.wrapped_key as Uint8Array) : Buffer.alloc(0);
    const opened = unwrapCmk(kek, c.orgId, Number(row?.key_version), wrapped);
    const same = opened.length === c.cmk.length && timingSafeEqual(opened, c.cmk);
    opened.fill(0);
    if (!same)
      throw new HdsError(
        'CMK_UNWRAP_FAILED',
        `The CMK read back for org ${c.orgId} differs from the one written; nothing of this batch was kept. Run again.`,
      );
  }
}

function notFound(orgId: string, where: string): BulkFailure {
  return {
    orgId,
    code: 'TENANT_NOT_FOUND',
    message: `There is no tenant ${orgId} in the key database at ${where}; add it first.`,
  };
}

function notActive(orgId: string): BulkFailure {
  return {
    orgId,
    code: 'TENANT_STATE',
    message: `The tenant ${orgId} is removed (or revoked); a removed tenant gets no new CMK. Add it again if it returns.`,
  };
}
