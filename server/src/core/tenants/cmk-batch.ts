import { randomBytes, timingSafeEqual } from 'node:crypto';
import { HdsError } from '../../../../contract/hds-error.js';
import type { CmkRowToInsert, StoredCmk } from '../keyDatabase/dialects/key-database-sql.js';
import { CMK_ALGORITHM, CMK_BYTES, type CmkKek, openCmks, WRAPPED_CMK_BYTES, wrapCmks } from './cmk-wrap.js';

export interface CmkToCreate {
  orgId: string;
  keyVersion: number;
}

/**
 * One statement's new CMKs: the keys come from one CSPRNG call, are wrapped together (each for its
 * org and version), and the plaintext keys stay here only until `wipe()` — after the batch's
 * transaction has ended either way.
 */
export class CmkBatch {
  readonly rows: CmkRowToInsert[];
  /** The wrapped keys end to end, in `items` order (what the statement sends). */
  readonly wrapped: Buffer;
  private readonly secret: Buffer;

  constructor(
    private readonly kek: CmkKek,
    readonly items: CmkToCreate[],
  ) {
    this.secret = randomBytes(CMK_BYTES * items.length);
    this.wrapped = wrapCmks(kek, items, this.secret);
    this.rows = items.map(({ orgId, keyVersion }, i) => ({
      orgId,
      keyVersion,
      wrappedKey: this.wrapped.subarray(i * WRAPPED_CMK_BYTES, (i + 1) * WRAPPED_CMK_BYTES),
      algorithm: CMK_ALGORITHM,
    }));
  }

  /**
   * Before a tenant is reported managed, its key as stored (returned by the insert itself, through
   * the database's own encoding) must open under the KEK with its org id and version and equal the
   * key just made. Any difference throws, which rolls the whole batch back.
   */
  verifyStored(stored: Map<string, StoredCmk>): void {
    const back: { item: CmkToCreate; index: number; row: StoredCmk }[] = [];
    this.items.forEach((item, index) => {
      const row = stored.get(item.orgId);
      if (row) back.push({ item, index, row });
    });
    if (back.length === 0) return;
    const differs = (orgId: string) =>
      new HdsError(
        'CMK_UNWRAP_FAILED',
        `The CMK read back for org ${orgId} differs from the one written; nothing of this batch was kept. Run again.`,
      );
    for (const { item, row } of back) {
      if (row.wrappedKey.length !== WRAPPED_CMK_BYTES) throw differs(item.orgId);
    }
    const { cmks, opened } = openCmks(
      this.kek,
      back.map(({ item, row }) => ({ orgId: item.orgId, keyVersion: row.keyVersion })),
      Buffer.concat(back.map(({ row }) => row.wrappedKey)),
    );
    try {
      back.forEach(({ item, index }, i) => {
        const same =
          opened[i] &&
          timingSafeEqual(
            cmks.subarray(i * CMK_BYTES, (i + 1) * CMK_BYTES),
            this.secret.subarray(index * CMK_BYTES, (index + 1) * CMK_BYTES),
          );
        if (!same) throw differs(item.orgId);
      });
    } finally {
      cmks.fill(0);
    }
  }

  wipe(): void {
    this.secret.fill(0);
  }
}
