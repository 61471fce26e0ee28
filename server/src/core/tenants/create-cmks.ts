import { HdsError } from '../../../../contract/hds-error.js';
import type { BulkFailure } from '../../../../contract/tenants.js';
import { ORG_ID_PATTERN } from '../../../../contract/tenants.js';
import type { StoredCmk } from '../keyDatabase/dialects/key-database-sql.js';
import type { KeyDatabase, KeyDatabaseSession, SqlRow } from '../keyDatabase/key-database.js';
import { truthy } from '../keyDatabase/migrate.js';
import { type BulkOptions, type BulkOutcome, BulkTally } from './bulk-outcome.js';
import { CmkBatch, type CmkToCreate } from './cmk-batch.js';
import { type CmkKek, deriveCmkKek } from './cmk-wrap.js';

export const DEFAULT_BATCH_SIZE = 2000;

/** Org ids of active tenants still waiting for their CMK (the Manage CMKs menu's "create all pending"). */
export async function pendingTenantIds(db: KeyDatabase): Promise<string[]> {
  return (await db.run(db.sql.pendingTenantIds())).map((r) => String(r.org_id));
}

/**
 * A tenant that never had a CMK revoked gets key version 1, so batches are wrapped for version 1
 * without reading the tenants first. The insert itself checks (under a share lock) that each tenant
 * is active with the expected key generation; only the tenants it skipped are read, to retry those
 * whose generation moved on (an org revoked and added again) and to say why the others failed.
 */
const FIRST_KEY_VERSION = 1;

/**
 * Each transaction's inserts go in statements of this many keys, so the tool wraps the next
 * statement's keys and unwraps the last one's read-back while the database works on the current one.
 */
export const CMK_STATEMENT_SIZE = 500;

/**
 * Creates the CMK of each listed tenant: 256 random bits, wrapped under the HKDF-derived KEK with
 * the org id and key version as AES-GCM additional data. Each batch is one transaction that inserts
 * the wrapped keys (one per tenant: the primary key refuses a second) with their audit rows, gets
 * them back as stored and unwraps them before it commits — so a dropped connection or a crash
 * leaves each tenant either fully done or untouched, and running again finishes the rest.
 */
export async function createCmks(
  db: KeyDatabase,
  masterKey: Buffer,
  orgIds: string[],
  options: BulkOptions = {},
): Promise<BulkOutcome> {
  const batchSize = Math.max(1, Math.min(options.batchSize ?? DEFAULT_BATCH_SIZE, 10_000));
  // An org listed twice would get two keys made for its one row: it is one tenant, done once.
  // Org ids are UUIDs (and a CMK is bound to the UUID's bytes): anything else is no tenant.
  const seen = new Set<string>();
  const unique: string[] = [];
  const notUuids: string[] = [];
  for (const listed of orgIds) {
    const id = listed.toLowerCase();
    if (seen.has(id)) continue;
    seen.add(id);
    (ORG_ID_PATTERN.test(id) ? unique : notUuids).push(id);
  }
  const tally = new BulkTally(seen.size, options.onProgress);
  for (const id of notUuids) tally.failures.push(notFound(id, db.where));
  const kek = deriveCmkKek(masterKey);
  const parts = new CmkParts(kek, unique, batchSize, Math.min(batchSize, CMK_STATEMENT_SIZE));
  try {
    for (const batch of parts.batches) {
      if (options.signal?.aborted) return tally.finish('cancelled');
      const now = options.now?.() ?? new Date();
      const made: CmkBatch[] = [];
      let created: CmkToCreate[] = [];
      try {
        const outcome = await db.transaction(async (tx) => {
          const done: CmkToCreate[] = [];
          const skipped: string[] = [];
          let inflight: Promise<Map<string, StoredCmk>> | undefined;
          try {
            const first = parts.take(batch.first);
            made.push(first);
            inflight = insertCmks(db, tx, first, now);
            for (let i = batch.first; i < batch.end; i++) {
              // While the database inserts statement i: wrap the keys of the one after it…
              parts.prepare(i + 1);
              const stored = await inflight!;
              inflight = undefined;
              if (i + 1 < batch.end) {
                const following = parts.take(i + 1);
                made.push(following);
                inflight = insertCmks(db, tx, following, now);
              }
              // …and, while it inserts the next one, open what statement i stored.
              const current = made[i - batch.first]!;
              current.verifyStored(stored);
              for (const c of current.items)
                if (stored.has(c.orgId)) done.push(c);
                else skipped.push(c.orgId);
            }
          } catch (error) {
            await inflight?.catch(() => undefined);
            throw error;
          }
          const settled = await settleSkipped(db, tx, skipped);
          if (settled.retry.length) {
            const again = new CmkBatch(kek, settled.retry);
            made.push(again);
            const stored = await insertCmks(db, tx, again, now);
            again.verifyStored(stored);
            for (const c of again.items)
              if (stored.has(c.orgId)) done.push(c);
              else settled.failures.push(changedMeanwhile(c.orgId));
          }
          return { ...settled, done };
        });
        created = outcome.done;
        tally.done += created.length + outcome.already;
        tally.failures.push(...outcome.failures);
      } catch (error) {
        if (!(error instanceof HdsError) || error.code !== 'CMK_UNWRAP_FAILED') {
          const e = error instanceof HdsError ? error : new HdsError('INTERNAL', String(error));
          return tally.finish('failed', { code: e.code, message: e.message });
        }
        // The batch rolled back: none of its tenants has a CMK; each shows why.
        for (const orgId of batch.orgIds)
          tally.failures.push({ orgId, code: error.code, message: error.message });
      } finally {
        for (const m of made) m.wipe();
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
    parts.wipe();
    kek.wipe();
  }
}

/**
 * The run cut into transactions (batches) of statements, and the statements' keys wrapped one
 * step ahead: at most one statement's keys wait here, wiped if the run stops before using them.
 */
class CmkParts {
  readonly statements: string[][] = [];
  readonly batches: { first: number; end: number; orgIds: string[] }[] = [];
  private ahead: { index: number; batch: CmkBatch } | undefined;

  constructor(
    private readonly kek: CmkKek,
    orgIds: string[],
    batchSize: number,
    statementSize: number,
  ) {
    for (let start = 0; start < orgIds.length; start += batchSize) {
      const batch = orgIds.slice(start, start + batchSize);
      const first = this.statements.length;
      for (let at = 0; at < batch.length; at += statementSize)
        this.statements.push(batch.slice(at, at + statementSize));
      this.batches.push({ first, end: this.statements.length, orgIds: batch });
    }
  }

  /** Wraps statement `index`'s keys now (for version 1), unless already done or out of range. */
  prepare(index: number): void {
    if (index >= this.statements.length || this.ahead?.index === index) return;
    this.ahead?.batch.wipe();
    const items = this.statements[index]!.map((orgId) => ({ orgId, keyVersion: FIRST_KEY_VERSION }));
    this.ahead = { index, batch: new CmkBatch(this.kek, items) };
  }

  /** Statement `index`'s keys; the caller wipes them once its transaction has ended. */
  take(index: number): CmkBatch {
    this.prepare(index);
    const { batch } = this.ahead!;
    this.ahead = undefined;
    return batch;
  }

  wipe(): void {
    this.ahead?.batch.wipe();
    this.ahead = undefined;
  }
}

/** Inserts a batch's wrapped keys (and their audit rows); returns the rows as stored, by org id. */
async function insertCmks(
  db: KeyDatabase,
  tx: KeyDatabaseSession,
  batch: CmkBatch,
  now: Date,
): Promise<Map<string, StoredCmk>> {
  const stored = new Map<string, StoredCmk>();
  if (batch.rows.length === 0) return stored;
  for (const statement of db.sql.insertCmks(batch.rows, now))
    for (const cmk of db.sql.storedCmks(await tx.run(statement))) stored.set(cmk.orgId, cmk);
  return stored;
}

/**
 * Why the insert skipped these tenants: unknown, removed, already given their one CMK (by an
 * earlier or a concurrent run), or waiting for a later key version than the one tried.
 */
async function settleSkipped(
  db: KeyDatabase,
  tx: KeyDatabaseSession,
  orgIds: string[],
): Promise<{ failures: BulkFailure[]; already: number; retry: CmkToCreate[] }> {
  const failures: BulkFailure[] = [];
  const retry: CmkToCreate[] = [];
  let already = 0;
  if (orgIds.length === 0) return { failures, already, retry };
  const found = new Map<string, SqlRow>();
  for (const statement of db.sql.readTenants(orgIds, false))
    for (const row of await tx.run(statement)) found.set(String(row.org_id), row);
  for (const orgId of orgIds) {
    const row = found.get(orgId);
    const keyVersion = Number(row?.key_generation) + 1;
    if (!row) failures.push(notFound(orgId, db.where));
    else if (row.status !== 'active') failures.push(notActive(orgId));
    else if (truthy(row.has_cmk)) already++;
    else if (keyVersion !== FIRST_KEY_VERSION) retry.push({ orgId, keyVersion });
    else failures.push(changedMeanwhile(orgId));
  }
  return { failures, already, retry };
}

function changedMeanwhile(orgId: string): BulkFailure {
  return {
    orgId,
    code: 'TENANT_STATE',
    message: `The tenant ${orgId} changed while its CMK was being created (another admin or tool); nothing was written for it. Run again.`,
  };
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
