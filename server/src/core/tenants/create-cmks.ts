import { HdsError } from '../../../../contract/hds-error.js';
import type { BulkFailure } from '../../../../contract/tenants.js';
import { ORG_ID_PATTERN } from '../../../../contract/tenants.js';
import { IntegrityRefusal } from '../keyDatabase/database-errors.js';
import type { CmkInsertMode, StoredCmks } from '../keyDatabase/dialects/key-database-sql.js';
import type { KeyDatabase, KeyDatabaseSession, SqlRow } from '../keyDatabase/key-database.js';
import { truthy } from '../keyDatabase/migrate.js';
import { type BulkOptions, type BulkOutcome, BulkTally } from './bulk-outcome.js';
import { CmkBatch, type CmkToCreate } from './cmk-batch.js';
import { type CmkKek, deriveCmkKek } from './cmk-wrap.js';

export const DEFAULT_BATCH_SIZE = 2000;

/** Org ids of active tenants still waiting for their CMK (the Manage CMKs menu's "create all pending"). */
export async function pendingTenantIds(db: KeyDatabase): Promise<string[]> {
  return db.sql.orgIdList(await db.run(db.sql.pendingTenantIds()));
}

/**
 * A tenant that never had a CMK revoked gets key version 1, so batches are wrapped for version 1
 * without reading the tenants first. The database refuses the batch if any tenant does not fit (see
 * `createBatch`); only then are tenants read, to retry those whose generation moved on (an org
 * revoked and added again) and to say why the others failed.
 */
const FIRST_KEY_VERSION = 1;

/**
 * Each transaction's inserts go in statements of this many keys, so the tool opens one statement's
 * read-back while the database inserts the next one.
 */
export const CMK_STATEMENT_SIZE = 1000;

/**
 * Creates the CMK of each listed tenant: 256 random bits, wrapped under the HKDF-derived KEK bound to
 * the org id and key version (RFC 5649). Each batch is one transaction that locks the tenant table
 * against other writers, inserts the wrapped keys (one per tenant: the primary key refuses a second)
 * with their audit rows, gets them back as stored and unwraps them before it commits — so a dropped
 * connection or a crash leaves each tenant either fully done or untouched, and running again
 * finishes the rest.
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
  const plan = new CmkPlan(kek, unique, batchSize, Math.min(batchSize, CMK_STATEMENT_SIZE));
  try {
    for (const batch of plan.batches) {
      if (options.signal?.aborted) return tally.finish('cancelled');
      const now = options.now?.() ?? new Date();
      let created: CmkToCreate[] = [];
      try {
        let outcome: BatchOutcome;
        try {
          outcome = await createBatch(db, plan, batch, now, 'strict');
        } catch (error) {
          // Some tenant did not fit (already managed, removed, unknown, waiting for another
          // version) or another run got there first: nothing was kept. Redo the batch, skipping them.
          if (!(error instanceof IntegrityRefusal)) throw error;
          outcome = await createBatch(db, plan, batch, now, 'lenient');
        }
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
      }
      if (options.audit)
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
    plan.wipe();
    kek.wipe();
  }
}

interface Batch {
  first: number;
  end: number;
  orgIds: string[];
}

interface BatchOutcome {
  done: CmkToCreate[];
  already: number;
  failures: BulkFailure[];
}

/**
 * One batch in one transaction. `strict` (first try): every tenant gets its key or the database
 * refuses the whole statement — the insert trigger checks each tenant once, so nothing is looked up
 * twice. `lenient` (after a refusal): tenants that do not fit are skipped, then read to say why,
 * and those whose key generation moved on get their next version.
 */
async function createBatch(
  db: KeyDatabase,
  plan: CmkPlan,
  batch: Batch,
  now: Date,
  mode: CmkInsertMode,
): Promise<BatchOutcome> {
  const made: CmkBatch[] = [];
  try {
    return await db.transaction(async (tx) => {
      await tx.run(db.sql.lockTenantsForCmks());
      const done: CmkToCreate[] = [];
      const skipped: string[] = [];
      const settle = (statement: CmkBatch, stored: StoredCmks[]) => {
        const kept = statement.verifyStored(stored);
        statement.orgIds.forEach((orgId, k) => {
          if (kept[k]) done.push({ orgId, keyVersion: statement.keyVersion });
          else skipped.push(orgId);
        });
      };
      let inflight: Promise<StoredCmks[]> | undefined;
      try {
        let current = plan.take(batch.first);
        made.push(current);
        inflight = insertCmks(db, tx, current, now, mode);
        for (let i = batch.first; i < batch.end; i++) {
          // While the database inserts statement i: wrap the keys of the one after it…
          plan.prepare(i + 1);
          const stored: StoredCmks[] = await inflight!;
          inflight = undefined;
          const previous = current;
          if (i + 1 < batch.end) {
            current = plan.take(i + 1);
            made.push(current);
            inflight = insertCmks(db, tx, current, now, mode);
          }
          // …and, while it inserts the next one, open what statement i stored.
          settle(previous, stored);
        }
      } catch (error) {
        await inflight?.catch(() => undefined);
        throw error;
      }
      const settled = await settleSkipped(db, tx, skipped);
      const byVersion = new Map<number, string[]>();
      for (const { orgId, keyVersion } of settled.retry) {
        const orgIds = byVersion.get(keyVersion) ?? [];
        orgIds.push(orgId);
        byVersion.set(keyVersion, orgIds);
      }
      for (const [keyVersion, orgIds] of byVersion) {
        const again = new CmkBatch(plan.kek, orgIds, keyVersion);
        made.push(again);
        const kept = again.verifyStored(await insertCmks(db, tx, again, now, 'lenient'));
        orgIds.forEach((orgId, k) => {
          if (kept[k]) done.push({ orgId, keyVersion });
          else settled.failures.push(changedMeanwhile(orgId));
        });
      }
      return { done, already: settled.already, failures: settled.failures };
    });
  } finally {
    for (const m of made) m.wipe();
  }
}

/**
 * The run cut into transactions (batches) of statements, and the statements' keys wrapped one
 * step ahead: at most one statement's keys wait here, wiped if the run stops before using them.
 * A statement's keys are handed out once; a batch run again gets new ones.
 */
class CmkPlan {
  readonly statements: string[][] = [];
  readonly batches: Batch[] = [];
  private ahead: { index: number; batch: CmkBatch } | undefined;

  constructor(
    readonly kek: CmkKek,
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
    this.ahead = { index, batch: new CmkBatch(this.kek, this.statements[index]!, FIRST_KEY_VERSION) };
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

/** Inserts one statement's wrapped keys (and their audit rows); returns the rows as stored. */
async function insertCmks(
  db: KeyDatabase,
  tx: KeyDatabaseSession,
  batch: CmkBatch,
  now: Date,
  mode: CmkInsertMode,
): Promise<StoredCmks[]> {
  const stored: StoredCmks[] = [];
  if (batch.orgIds.length === 0) return stored;
  for (const statement of db.sql.insertCmks(batch.toInsert, now, mode))
    stored.push(db.sql.storedCmks(await tx.run(statement)));
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
    message: `The tenant ${orgId} is marked removed (or its CMK was revoked), so it gets no new CMK. A removed tenant keeps its current CMK until you revoke it, and comes back as it was if you restore it (Restore in its row, or hds-setup tenants restore); once revoked, an org that returns can be added again and then gets a CMK of the next key version.`,
  };
}
