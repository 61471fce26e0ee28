import { createDecipheriv, hkdfSync } from 'node:crypto';
import { HdsError } from '../../../../contract/hds-error.js';
import { unwrapKeys, wrapKeys, wrappedLength } from './aes-key-wrap.js';

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
const ORG_ID_BYTES = 16;
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

/** What is wrapped for one key: CMK ‖ org id ‖ key version, written at `at` in `into`. */
function bind(into: Buffer, at: number, cmk: Buffer, { orgId, keyVersion }: CmkBinding): void {
  if (!Number.isInteger(keyVersion) || keyVersion < 1 || keyVersion > 0xffffffff)
    throw new RangeError('A CMK key version is a positive 32-bit integer.');
  cmk.copy(into, at, 0, CMK_BYTES);
  writeUuid(into, at + CMK_BYTES, orgId);
  into.writeUInt32BE(keyVersion, at + CMK_BYTES + ORG_ID_BYTES);
}

/**
 * The 16 bytes of a lower-case UUID (8-4-4-4-12 hex digits), checked and parsed in one pass: this
 * runs for every key wrapped or opened, where a regular expression plus a hex decode cost more.
 */
function writeUuid(into: Buffer, at: number, uuid: string): void {
  if (uuid.length !== 36) throw notUuid();
  let out = at;
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (uuid.charCodeAt(i) !== 45) throw notUuid();
      i--;
      continue;
    }
    into[out++] = (hexDigit(uuid.charCodeAt(i)) << 4) | hexDigit(uuid.charCodeAt(i + 1));
  }
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  throw notUuid();
}

const notUuid = () => new RangeError('A CMK is bound to a lower-case UUID org id.');

/**
 * Wraps many CMKs at once (`cmks` holds them end to end, 32 bytes each, in `bindings` order);
 * returns the wrapped keys end to end, `WRAPPED_CMK_BYTES` each.
 */
export function wrapCmks(kek: CmkKek, bindings: CmkBinding[], cmks: Buffer): Buffer {
  const bound = Buffer.alloc(bindings.length * BOUND_CMK_BYTES);
  try {
    bindings.forEach((b, i) => {
      bind(bound, i * BOUND_CMK_BYTES, cmks.subarray(i * CMK_BYTES, (i + 1) * CMK_BYTES), b);
    });
    return wrapKeys(kek.keyWrap, bound, BOUND_CMK_BYTES, bindings.length);
  } finally {
    bound.fill(0);
  }
}

/**
 * Opens many CMKs wrapped with the current algorithm (end to end in `wrapped`): per key, the CMK
 * if its integrity check held and it is bound to that org and version, otherwise undefined. The
 * caller wipes the returned buffer (the CMKs end to end; a key that did not open is zeroes).
 */
export function openCmks(
  kek: CmkKek,
  bindings: CmkBinding[],
  wrapped: Buffer,
): { cmks: Buffer; opened: boolean[] } {
  const { plain, intact } = unwrapKeys(kek.keyWrap, wrapped, BOUND_CMK_BYTES, bindings.length);
  const expected = Buffer.alloc(BOUND_CMK_BYTES);
  const cmks = Buffer.alloc(bindings.length * CMK_BYTES);
  try {
    const opened = bindings.map((b, i) => {
      const at = i * BOUND_CMK_BYTES;
      if (!intact[i]) return false;
      const cmk = plain.subarray(at, at + CMK_BYTES);
      bind(expected, 0, cmk, b);
      if (!expected.equals(plain.subarray(at, at + BOUND_CMK_BYTES))) return false;
      cmk.copy(cmks, i * CMK_BYTES);
      return true;
    });
    return { cmks, opened };
  } finally {
    plain.fill(0);
    expected.fill(0);
  }
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
