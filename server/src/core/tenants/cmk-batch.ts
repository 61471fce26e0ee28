import { randomFillSync, timingSafeEqual } from 'node:crypto';
import { HdsError } from '../../../../contract/hds-error.js';
import type { CmksToInsert, StoredCmks } from '../keyDatabase/dialects/key-database-sql.js';
import {
  CMK_ALGORITHM,
  CMK_BYTES,
  type CmkKek,
  ORG_ID_BYTES,
  openBoundCmks,
  orgIdBytes,
  sameKeyVersionBytes,
  WRAPPED_CMK_BYTES,
  wrapBoundCmks,
} from './cmk-wrap.js';

export interface CmkToCreate {
  orgId: string;
  keyVersion: number;
}

/**
 * One insert statement's new CMKs, all of one key version: the keys come from one CSPRNG call, are
 * wrapped together (each bound to its org and the version), and the plaintext keys stay here only
 * until `wipe()` — after the batch's transaction has ended either way.
 */
export class CmkBatch {
  readonly toInsert: CmksToInsert;
  private readonly secret: Buffer;
  private readonly ids: Buffer;

  constructor(
    private readonly kek: CmkKek,
    readonly orgIds: string[],
    readonly keyVersion: number,
  ) {
    this.secret = randomFillSync(Buffer.alloc(CMK_BYTES * orgIds.length));
    this.ids = orgIdBytes(orgIds);
    const wrapped = wrapBoundCmks(kek, this.secret, this.ids, sameKeyVersionBytes(keyVersion, orgIds.length));
    this.toInsert = { orgIds, keyVersion, algorithm: CMK_ALGORITHM, keySize: WRAPPED_CMK_BYTES, wrapped };
  }

  /**
   * Before a tenant is reported managed, its key as stored (returned by the insert itself, through
   * the database's own encoding) must open under the KEK, be bound to the stored org id and version,
   * and equal the key just made. Any difference throws, which rolls the whole batch back. Returns,
   * per org of this batch, whether the database stored its key.
   *
   * The usual answer — every key, in the order sent — is confirmed by comparing whole columns
   * (org ids, then the opened keys against the ones made); only otherwise is each row matched up.
   */
  verifyStored(results: StoredCmks[]): boolean[] {
    const kept: boolean[] = new Array(this.orgIds.length).fill(false);
    for (const stored of results) {
      if (stored.count === 0) continue;
      const inOrder = stored.count === this.orgIds.length && stored.orgIds.equals(this.ids);
      const index = inOrder ? undefined : this.positions(stored, kept);
      if (stored.keyVersion !== this.keyVersion || stored.keySize !== WRAPPED_CMK_BYTES)
        throw differs(this.orgIds[index?.[0] ?? 0]!);
      const { cmks, opened } = openBoundCmks(
        this.kek,
        stored.wrapped,
        stored.orgIds,
        sameKeyVersionBytes(this.keyVersion, stored.count),
      );
      try {
        if (inOrder && opened.all && timingSafeEqual(cmks, this.secret)) {
          kept.fill(true);
          continue;
        }
        for (let r = 0; r < stored.count; r++) {
          const k = index ? index[r]! : r;
          const made = this.secret.subarray(k * CMK_BYTES, (k + 1) * CMK_BYTES);
          if (!opened.each[r] || !timingSafeEqual(cmks.subarray(r * CMK_BYTES, (r + 1) * CMK_BYTES), made))
            throw differs(this.orgIds[k]!);
          kept[k] = true;
        }
      } finally {
        cmks.fill(0);
      }
    }
    return kept;
  }

  /**
   * Which org of this batch each stored row is (rows may come back in another order, or leave
   * tenants out): a row for an org this statement did not send, or a second row for one, is not what
   * was written.
   */
  private positions(stored: StoredCmks, kept: boolean[]): number[] {
    const byId = new Map(this.orgIds.map((_, k) => [this.ids.toString('hex', k * 16, k * 16 + 16), k]));
    const index: number[] = [];
    const seen = new Set<number>();
    for (let r = 0; r < stored.count; r++) {
      const k = byId.get(stored.orgIds.toString('hex', r * ORG_ID_BYTES, (r + 1) * ORG_ID_BYTES));
      if (k === undefined || kept[k] || seen.has(k)) throw differs(uuidText(stored.orgIds, r * 16));
      seen.add(k);
      index.push(k);
    }
    return index;
  }

  wipe(): void {
    this.secret.fill(0);
  }
}

function differs(orgId: string): HdsError {
  return new HdsError(
    'CMK_UNWRAP_FAILED',
    `The CMK read back for org ${orgId} differs from the one written; nothing of this batch was kept. Run again.`,
  );
}

function uuidText(bytes: Buffer, at: number): string {
  const hex = bytes.toString('hex', at, at + 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
