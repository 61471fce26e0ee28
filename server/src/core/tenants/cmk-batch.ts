import { randomBytes, timingSafeEqual } from 'node:crypto';
import { HdsError } from '../../../../contract/hds-error.js';
import type { CmkRowToInsert } from '../keyDatabase/dialects/key-database-sql.js';
import type { SqlRow } from '../keyDatabase/key-database.js';
import { CMK_ALGORITHM, CMK_BYTES, IV_BYTES, unwrapCmk, wrapCmk } from './cmk-wrap.js';

export interface CmkToCreate {
  orgId: string;
  keyVersion: number;
}

/**
 * One batch's new CMKs: the keys and their IVs come from one CSPRNG call, each key is wrapped for
 * its org and version, and the plaintext keys stay here only until `wipe()` — after the batch's
 * transaction has ended either way.
 */
export class CmkBatch {
  readonly rows: CmkRowToInsert[];
  private readonly secret: Buffer;

  constructor(
    private readonly kek: Buffer,
    readonly items: CmkToCreate[],
  ) {
    this.secret = randomBytes((CMK_BYTES + IV_BYTES) * items.length);
    this.rows = items.map(({ orgId, keyVersion }, i) => ({
      orgId,
      keyVersion,
      wrappedKey: wrapCmk(kek, orgId, keyVersion, this.cmk(i), this.iv(i)),
      algorithm: CMK_ALGORITHM,
    }));
  }

  private cmk(i: number): Buffer {
    return this.secret.subarray(i * CMK_BYTES, (i + 1) * CMK_BYTES);
  }

  private iv(i: number): Buffer {
    const at = this.items.length * CMK_BYTES + i * IV_BYTES;
    return this.secret.subarray(at, at + IV_BYTES);
  }

  /**
   * Before a tenant is reported managed, its key as stored (returned by the insert itself, through
   * the database's own encoding) must open under the KEK with its org id and version and equal the
   * key just made. Any difference throws, which rolls the whole batch back.
   */
  verifyStored(stored: Map<string, SqlRow>): void {
    this.items.forEach(({ orgId }, i) => {
      const row = stored.get(orgId);
      if (!row) return;
      const opened = unwrapCmk(
        this.kek,
        orgId,
        Number(row.key_version),
        Buffer.from(row.wrapped_key as Uint8Array),
      );
      const same = opened.length === CMK_BYTES && timingSafeEqual(opened, this.cmk(i));
      opened.fill(0);
      if (!same)
        throw new HdsError(
          'CMK_UNWRAP_FAILED',
          `The CMK read back for org ${orgId} differs from the one written; nothing of this batch was kept. Run again.`,
        );
    });
  }

  wipe(): void {
    this.secret.fill(0);
  }
}
