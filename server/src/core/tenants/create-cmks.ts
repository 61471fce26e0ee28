import { randomBytes, timingSafeEqual } from 'node:crypto';
import { HdsError } from '../../../../contract/hds-error.js';
import type { BulkFailure } from '../../../../contract/tenants.js';
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
      let keys = Buffer.alloc(0);
      try {
        const outcome = await db.transaction(async (tx) => {
          const failures: BulkFailure[] = [];
          let already = 0;
          const found = new Map<string, Record<string, unknown>>();
          for (const statement of db.sql.readTenants(batch, false))
            for (const row of await tx.run(statement)) found.set(String(row.org_id), row);
          const fresh = batch.filter((orgId) => {
            const row = found.get(orgId);
            if (!row) failures.push(notFound(orgId, db.where));
            else if (row.status !== 'active') failures.push(notActive(orgId));
            else if (truthy(row.has_cmk)) already++;
            else return true;
            return false;
          });
          // One call to the CSPRNG per batch; each CMK is its own 32-byte slice.
          keys = randomBytes(CMK_BYTES * fresh.length);
          created = fresh.map((orgId, i) => {
            const keyVersion = Number(found.get(orgId)!.key_generation) + 1;
            const cmk = keys.subarray(i * CMK_BYTES, (i + 1) * CMK_BYTES);
            return { orgId, keyVersion, cmk, wrappedKey: wrapCmk(kek, orgId, keyVersion, cmk) };
          });
          const stored = new Map<string, Record<string, unknown>>();
          if (created.length) {
            const rows = created.map((c) => ({ ...c, algorithm: CMK_ALGORITHM }));
            for (const statement of db.sql.insertCmks(rows, now))
              for (const row of await tx.run(statement)) stored.set(String(row.org_id), row);
          }
          // Skipped by the insert: another tool gave them their one CMK meanwhile, or they were just removed.
          for (const c of created.filter((c) => !stored.has(c.orgId))) {
            const [row] = await tx.run(db.sql.readTenants([c.orgId], false)[0]!);
            if (row?.status === 'active' && truthy(row.has_cmk)) already++;
            else failures.push(notActive(c.orgId));
          }
          created = created.filter((c) => stored.has(c.orgId));
          verifyStored(kek, created, stored);
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
        keys.fill(0);
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

/**
 * Before a tenant is reported managed, the key as stored (returned by the insert itself, through
 * the database's own encoding) must open under the KEK with its org id and version, and equal the
 * key just made. Any difference rolls the whole batch back.
 */
function verifyStored(kek: Buffer, created: NewCmk[], stored: Map<string, Record<string, unknown>>): void {
  for (const c of created) {
    const row = stored.get(c.orgId)!;
    const opened = unwrapCmk(
      kek,
      c.orgId,
      Number(row.key_version),
      Buffer.from(row.wrapped_key as Uint8Array),
    );
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
