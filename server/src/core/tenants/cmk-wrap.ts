import { createDecipheriv, hkdfSync } from 'node:crypto';
import { HdsError } from '../../../../contract/hds-error.js';
import { unwrapFields, wrapFields, wrappedLength } from './aes-key-wrap.js';

/**
 * How new CMKs are wrapped: AES-256 key wrap with padding (RFC 5649) under an HKDF-derived KEK,
 * the wrapped data being the CMK ‖ org id (16 bytes) ‖ key version (32-bit big-endian). Key wrap
 * authenticates all it wraps, so the org id and version are bound as GCM's additional data was:
 * a wrapped key copied to another org or version does not open.
 */
export const CMK_ALGORITHM = 'A256KWP/HKDF-SHA256/v2';
/** The first format (AES-256-GCM, iv ‖ ciphertext ‖ tag); rows written with it still open. */
export const CMK_ALGORITHM_GCM_V1 = 'A256GCM/HKDF-SHA256/v1';

export const CMK_BYTES = 32;
export const ORG_ID_BYTES = 16;
const BOUND_CMK_BYTES = CMK_BYTES + ORG_ID_BYTES + 4;
export const WRAPPED_CMK_BYTES = wrappedLength(BOUND_CMK_BYTES);

const GCM_IV_BYTES = 12;
const GCM_TAG_BYTES = 16;
const GCM_WRAPPED_BYTES = GCM_IV_BYTES + CMK_BYTES + GCM_TAG_BYTES;

const hkdf = (masterKey: Buffer, info: string) =>
  Buffer.from(hkdfSync('sha256', masterKey, 'hds-setup key database', info, 32));

/**
 * The key-encryption keys for tenant CMKs: HKDF-SHA256 (RFC 5869) of the master key, one per
 * algorithm (never one key under two algorithms), independent of the master-key check value.
 */
export class CmkKek {
  private constructor(
    readonly keyWrap: Buffer,
    readonly gcm: Buffer,
  ) {}

  static derive(masterKey: Buffer): CmkKek {
    return new CmkKek(
      hkdf(masterKey, 'tenant CMK key-wrap key v2'),
      hkdf(masterKey, 'tenant CMK key-encryption key v1'),
    );
  }

  wipe(): void {
    this.keyWrap.fill(0);
    this.gcm.fill(0);
  }
}

export function deriveCmkKek(masterKey: Buffer): CmkKek {
  return CmkKek.derive(masterKey);
}

export interface CmkBinding {
  orgId: string;
  keyVersion: number;
}

function checkVersion(keyVersion: number): void {
  if (!Number.isInteger(keyVersion) || keyVersion < 1 || keyVersion > 0xffffffff)
    throw new RangeError('A CMK key version is a positive 32-bit integer.');
}

/**
 * The 16 bytes of each (lower-case, 8-4-4-4-12) UUID org id, end to end. Checked per id, but decoded
 * in one native call for all: per character in JavaScript, this was a large part of a batch's cost in
 * a process that has just started.
 */
export function orgIdBytes(orgIds: readonly string[]): Buffer {
  for (const id of orgIds)
    if (
      id.length !== 36 ||
      id.charCodeAt(8) !== 45 ||
      id.charCodeAt(13) !== 45 ||
      id.charCodeAt(18) !== 45 ||
      id.charCodeAt(23) !== 45
    )
      throw notUuid();
  const hex = orgIds.join('').replaceAll('-', '');
  const out = Buffer.alloc(orgIds.length * ORG_ID_BYTES);
  // A character that is no lower-case hex digit ends the decoding early (or is a capital).
  if (hex.length !== out.length * 2 || out.write(hex, 'hex') !== out.length || hex !== hex.toLowerCase())
    throw notUuid();
  return out;
}

const notUuid = () => new RangeError('A CMK is bound to a lower-case UUID org id.');

/** Key versions as they are wrapped: 32-bit big-endian, one per key, end to end. */
export function keyVersionBytes(versions: readonly number[]): Buffer {
  const out = Buffer.alloc(versions.length * 4);
  versions.forEach((keyVersion, i) => {
    checkVersion(keyVersion);
    out.writeUInt32BE(keyVersion, i * 4);
  });
  return out;
}

/** `count` keys all of one version, as `keyVersionBytes` lays them out (one native fill). */
export function sameKeyVersionBytes(keyVersion: number, count: number): Buffer {
  return Buffer.alloc(count * 4).fill(keyVersionBytes([keyVersion]));
}

/**
 * Wraps many CMKs at once. Each argument holds one field of every key, end to end: `cmks` the CMKs
 * (32 bytes each), `orgIds` the org ids' bytes (16 each), `versions` the key versions (4 each); key
 * i is CMK i bound to org id i and version i. Returns the wrapped keys end to end,
 * `WRAPPED_CMK_BYTES` each.
 */
export function wrapBoundCmks(kek: CmkKek, cmks: Buffer, orgIds: Buffer, versions: Buffer): Buffer {
  const count = orgIds.length / ORG_ID_BYTES;
  if (cmks.length !== count * CMK_BYTES || versions.length !== count * 4)
    throw new RangeError('One CMK (32 bytes) and one key version per org id.');
  return wrapFields(kek.keyWrap, [cmks, orgIds, versions], count);
}

/**
 * Opens many CMKs wrapped with the current algorithm (end to end in `wrapped`), key i expected to be
 * bound to org id i of `orgIds` and version i of `versions` (laid out as for `wrapBoundCmks`): per
 * key, whether its integrity check held and it is bound to exactly that org and version, and
 * whether all were. Returns the CMKs end to end (a key that did not open is zeroes); the caller
 * wipes them. When every key is intact and bound, that is found by comparing whole columns, not key
 * by key.
 */
export function openBoundCmks(
  kek: CmkKek,
  wrapped: Buffer,
  orgIds: Buffer,
  versions: Buffer,
): { cmks: Buffer; opened: { all: boolean; each: boolean[] } } {
  const count = orgIds.length / ORG_ID_BYTES;
  const { fields, intact } = unwrapFields(kek.keyWrap, wrapped, [CMK_BYTES, ORG_ID_BYTES, 4], count);
  const [cmks, boundIds, boundVersions] = fields as [Buffer, Buffer, Buffer];
  const all = intact.all && boundIds.equals(orgIds) && boundVersions.equals(versions);
  const each = all
    ? intact.each
    : intact.each.map(
        (ok, i) =>
          ok &&
          boundIds.compare(
            orgIds,
            i * ORG_ID_BYTES,
            (i + 1) * ORG_ID_BYTES,
            i * ORG_ID_BYTES,
            (i + 1) * ORG_ID_BYTES,
          ) === 0 &&
          boundVersions.compare(versions, i * 4, i * 4 + 4, i * 4, i * 4 + 4) === 0,
      );
  if (!all)
    each.forEach((ok, i) => {
      if (!ok) cmks.fill(0, i * CMK_BYTES, (i + 1) * CMK_BYTES);
    });
  return { cmks, opened: { all, each } };
}

/**
 * Wraps many CMKs at once (`cmks` holds them end to end, 32 bytes each, in `bindings` order);
 * returns the wrapped keys end to end, `WRAPPED_CMK_BYTES` each.
 */
export function wrapCmks(kek: CmkKek, bindings: CmkBinding[], cmks: Buffer): Buffer {
  return wrapBoundCmks(
    kek,
    cmks,
    orgIdBytes(bindings.map((b) => b.orgId)),
    keyVersionBytes(bindings.map((b) => b.keyVersion)),
  );
}

/**
 * Opens many CMKs wrapped with the current algorithm (end to end in `wrapped`): per key, the CMK
 * if its integrity check held and it is bound to that org and version. The caller wipes the
 * returned buffer (the CMKs end to end; a key that did not open is zeroes).
 */
export function openCmks(
  kek: CmkKek,
  bindings: CmkBinding[],
  wrapped: Buffer,
): { cmks: Buffer; opened: boolean[] } {
  const { cmks, opened } = openBoundCmks(
    kek,
    wrapped,
    orgIdBytes(bindings.map((b) => b.orgId)),
    keyVersionBytes(bindings.map((b) => b.keyVersion)),
  );
  return { cmks, opened: opened.each };
}

export function wrapCmk(kek: CmkKek, orgId: string, keyVersion: number, cmk: Buffer): Buffer {
  if (cmk.length !== CMK_BYTES) throw new RangeError('A CMK is 32 bytes.');
  return wrapCmks(kek, [{ orgId: orgId.toLowerCase(), keyVersion }], cmk);
}

function unwrapFailed(orgId: string, keyVersion: number): HdsError {
  return new HdsError(
    'CMK_UNWRAP_FAILED',
    `The CMK of org ${orgId} (version ${keyVersion}) does not open with this ISO's master key. Use the ISO that belongs to this database; if it is the right one, the stored key was altered — contact support before revoking.`,
  );
}

/** Opens one stored CMK, with the algorithm its row records. */
export function unwrapCmk(
  kek: CmkKek,
  orgId: string,
  keyVersion: number,
  wrapped: Buffer,
  algorithm: string = CMK_ALGORITHM,
): Buffer {
  if (algorithm === CMK_ALGORITHM_GCM_V1) return unwrapGcmV1(kek, orgId, keyVersion, wrapped);
  if (algorithm !== CMK_ALGORITHM || wrapped.length !== WRAPPED_CMK_BYTES)
    throw unwrapFailed(orgId, keyVersion);
  let result: { cmks: Buffer; opened: boolean[] };
  try {
    result = openCmks(kek, [{ orgId: orgId.toLowerCase(), keyVersion }], wrapped);
  } catch {
    throw unwrapFailed(orgId, keyVersion);
  }
  if (!result.opened[0]) throw unwrapFailed(orgId, keyVersion);
  return result.cmks;
}

/** AES-256-GCM with the org id and version as additional data, as the first rows were written. */
function unwrapGcmV1(kek: CmkKek, orgId: string, keyVersion: number, wrapped: Buffer): Buffer {
  if (wrapped.length !== GCM_WRAPPED_BYTES) throw unwrapFailed(orgId, keyVersion);
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek.gcm, wrapped.subarray(0, GCM_IV_BYTES));
    decipher.setAAD(Buffer.from(`hds-cmk|${orgId.toLowerCase()}|${keyVersion}`, 'utf8'));
    decipher.setAuthTag(wrapped.subarray(GCM_IV_BYTES + CMK_BYTES));
    return Buffer.concat([
      decipher.update(wrapped.subarray(GCM_IV_BYTES, GCM_IV_BYTES + CMK_BYTES)),
      decipher.final(),
    ]);
  } catch {
    throw unwrapFailed(orgId, keyVersion);
  }
}
