import { createCipheriv, createDecipheriv } from 'node:crypto';
import { keyWrapSteps } from './key-wrap-steps.js';

/**
 * AES key wrap with padding (RFC 5649, NIST SP 800-38F "KWP") for many keys at once.
 *
 * The wrapping process W of RFC 3394 is 6·n AES block operations per key, each depending on the
 * previous one — but the keys of a batch are independent, so step s of every key goes through one
 * AES-ECB call over all the keys' blocks. A batch of 2 000 keys costs 6·n native calls instead of
 * a cipher object per key (the per-key cost of AES-GCM in Node is the call overhead, not the AES).
 * Each ECB block is exactly the block RFC 3394 encrypts; nothing else is used in ECB mode.
 * The result is byte-for-byte OpenSSL's `id-aes256-wrap-pad` (the tests check it). Moving each key's
 * semiblocks in and out of its block is done by small WebAssembly loops (key-wrap-steps.ts) in their
 * memory, laid out as: the blocks (A ‖ R[i], 16 bytes a key) from 0, then each key's wrapped form
 * as a row — A's place, then R[1..n] — so the rows are the output as they stand.
 */

const SEMIBLOCK = 8;
const BLOCK = 16;
/** RFC 5649 §3: the alternative initial value's constant half, followed by the 32-bit length. */
const AIV_CONSTANT = 0xa65959a6;

/** Length of one key's wrapped form for `plainLength` bytes of key data. */
export function wrappedLength(plainLength: number): number {
  return semiblocks(plainLength) * SEMIBLOCK + SEMIBLOCK;
}

function semiblocks(plainLength: number): number {
  // One semiblock (≤ 8 bytes) is wrapped with a single AES call in RFC 5649; this batch form
  // serves key data longer than that, which is all it is used for.
  if (!Number.isInteger(plainLength) || plainLength <= SEMIBLOCK || plainLength > 0xffff)
    throw new RangeError('AES key wrap here takes 9 to 65 535 bytes of key data per key.');
  return Math.ceil(plainLength / SEMIBLOCK);
}

function ecb(kek: Buffer, decrypt: boolean) {
  const cipherName = `aes-${kek.length * 8}-ecb`;
  const c = decrypt ? createDecipheriv(cipherName, kek, null) : createCipheriv(cipherName, kek, null);
  c.setAutoPadding(false);
  return c;
}

/** `x` as the 32-bit little-endian word whose bytes are x big-endian (how RFC 3394 writes t). */
const swapped = (x: number) =>
  (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;

/** Where the working memory's parts start, for `count` keys of n semiblocks. */
function layout(count: number, n: number) {
  const rows = count * BLOCK;
  const stride = (n + 1) * SEMIBLOCK;
  const scratch = rows + count * stride;
  return { rows, stride, scratch, end: scratch + count * n * SEMIBLOCK };
}

/** A ‖ … as RFC 5649 §3 starts it: 0xA65959A6 ‖ the key data's length, both big-endian. */
function alternativeInitialValue(plainLength: number): Buffer {
  const aiv = Buffer.alloc(SEMIBLOCK);
  aiv.writeUInt32BE(AIV_CONSTANT, 0);
  aiv.writeUInt32BE(plainLength, 4);
  return aiv;
}

/** The byte length of each field of one key, checked against the count. */
function fieldLengths(fields: Buffer[], count: number): number[] {
  const lengths = fields.map((f) => f.length / count);
  if (count < 1 || lengths.some((l) => !Number.isInteger(l) || l < 1))
    throw new RangeError('Key data length does not match the count.');
  return lengths;
}

/**
 * Wraps `count` keys of `plainLength` bytes each, laid end to end in `plain`; returns their
 * wrapped forms end to end, `wrappedLength(plainLength)` bytes each.
 */
export function wrapKeys(kek: Buffer, plain: Buffer, plainLength: number, count: number): Buffer {
  if (plain.length !== plainLength * count) throw new RangeError('Key data length does not match the count.');
  return wrapFields(kek, [plain], count);
}

/**
 * Wraps `count` keys whose data is the concatenation of fields — `fields[f]` holds field f of
 * every key, end to end (so a caller need not assemble each key, one call per key) — and returns
 * their wrapped forms end to end.
 */
export function wrapFields(kek: Buffer, fields: Buffer[], count: number): Buffer {
  const lengths = fieldLengths(fields, count);
  const plainLength = lengths.reduce((a, b) => a + b, 0);
  const n = semiblocks(plainLength);
  const steps = keyWrapSteps();
  const at = layout(count, n);
  const memory = steps.memory(at.end);
  try {
    // Each key's row: A's place, then its fields, then zeros up to n semiblocks (RFC 5649 §4.1).
    let offset = SEMIBLOCK;
    fields.forEach((field, f) => {
      field.copy(memory, at.scratch);
      steps.spread(count, at.scratch, lengths[f]!, at.rows + offset, at.stride, lengths[f]!);
      offset += lengths[f]!;
    });
    memory.fill(alternativeInitialValue(plainLength), at.scratch, at.scratch + count * SEMIBLOCK);
    memory.fill(0, at.scratch + count * SEMIBLOCK, at.end);
    steps.load(count, at.scratch, SEMIBLOCK, 0);
    const blocks = memory.subarray(0, count * BLOCK);
    const aes = ecb(kek, false);
    for (let j = 0; j <= 5; j++)
      for (let i = 1; i <= n; i++) {
        // B = AES(A ‖ R[i]); A = MSB(B) ^ t with t = n·j + i; R[i] = LSB(B).
        steps.load(count, at.rows + i * SEMIBLOCK, at.stride, SEMIBLOCK);
        const encrypted = aes.update(blocks);
        blocks.set(encrypted);
        encrypted.fill(0);
        steps.mix(count, swapped(n * j + i));
        steps.store(count, at.rows + i * SEMIBLOCK, at.stride, SEMIBLOCK);
      }
    aes.final();
    steps.store(count, at.rows, at.stride, 0);
    return Buffer.from(memory.subarray(at.rows, at.rows + count * at.stride));
  } finally {
    memory.fill(0, 0, at.end);
  }
}

/**
 * Unwraps `count` keys wrapped by `wrapKeys` (end to end in `wrapped`) that should hold
 * `plainLength` bytes each. Returns the key data end to end and, per key, whether its integrity
 * check (RFC 5649 §4.2: the AIV, its length and zero padding) held; a key that failed is zeroed.
 */
export function unwrapKeys(
  kek: Buffer,
  wrapped: Buffer,
  plainLength: number,
  count: number,
): { plain: Buffer; intact: boolean[] } {
  const { fields, intact } = unwrapFields(kek, wrapped, [plainLength], count);
  return { plain: fields[0]!, intact: intact.each };
}

/**
 * Unwraps as `unwrapKeys` does, and returns the key data split into fields of the given lengths,
 * each field of every key end to end (as `wrapFields` takes them). `intact.all` says whether every
 * key passed its integrity check — checked over all keys at once, so the caller can skip looking at
 * each; a key that failed is zeroes in every field. The caller wipes the fields.
 */
export function unwrapFields(
  kek: Buffer,
  wrapped: Buffer,
  lengths: number[],
  count: number,
): { fields: Buffer[]; intact: { all: boolean; each: boolean[] } } {
  const plainLength = lengths.reduce((a, b) => a + b, 0);
  const n = semiblocks(plainLength);
  const at = layout(count, n);
  if (count < 1 || wrapped.length !== at.stride * count)
    throw new RangeError('Wrapped data length does not match the count.');
  const steps = keyWrapSteps();
  const memory = steps.memory(at.end);
  try {
    wrapped.copy(memory, at.rows);
    steps.load(count, at.rows, at.stride, 0);
    const blocks = memory.subarray(0, count * BLOCK);
    const aes = ecb(kek, true);
    for (let j = 5; j >= 0; j--)
      for (let i = n; i >= 1; i--) {
        // B = AES⁻¹((A ^ t) ‖ R[i]); A = MSB(B); R[i] = LSB(B).
        steps.mix(count, swapped(n * j + i));
        steps.load(count, at.rows + i * SEMIBLOCK, at.stride, SEMIBLOCK);
        const decrypted = aes.update(blocks);
        blocks.set(decrypted);
        decrypted.fill(0);
        steps.store(count, at.rows + i * SEMIBLOCK, at.stride, SEMIBLOCK);
      }
    aes.final();
    const intact = integrity(memory, at, count, n, plainLength);
    let offset = SEMIBLOCK;
    const fields = lengths.map((length) => {
      steps.spread(count, at.rows + offset, at.stride, at.scratch, length, length);
      const field = Buffer.from(memory.subarray(at.scratch, at.scratch + count * length));
      offset += length;
      if (!intact.all)
        intact.each.forEach((ok, k) => {
          if (!ok) field.fill(0, k * length, (k + 1) * length);
        });
      return field;
    });
    return { fields, intact };
  } finally {
    memory.fill(0, 0, at.end);
  }
}

/**
 * RFC 5649 §4.2: each key's final A must be the AIV for its length and its padding zero. Both are
 * gathered into columns and compared with what they must be in one call each; only when that
 * fails is each key looked at.
 */
function integrity(
  memory: Buffer,
  at: ReturnType<typeof layout>,
  count: number,
  n: number,
  plainLength: number,
): { all: boolean; each: boolean[] } {
  const steps = keyWrapSteps();
  const aiv = alternativeInitialValue(plainLength);
  const padding = n * SEMIBLOCK - plainLength;
  const [aColumn, padColumn] = [at.scratch, at.scratch + count * SEMIBLOCK];
  steps.store(count, aColumn, SEMIBLOCK, 0);
  if (padding > 0)
    steps.spread(count, at.rows + SEMIBLOCK + plainLength, at.stride, padColumn, padding, padding);
  const all =
    memory.subarray(aColumn, aColumn + count * SEMIBLOCK).equals(Buffer.alloc(count * SEMIBLOCK).fill(aiv)) &&
    memory.subarray(padColumn, padColumn + count * padding).equals(Buffer.alloc(count * padding));
  const each: boolean[] = new Array(count).fill(all);
  if (!all)
    for (let k = 0; k < count; k++) {
      const a = aColumn + k * SEMIBLOCK;
      const pad = padColumn + k * padding;
      each[k] =
        memory.compare(aiv, 0, SEMIBLOCK, a, a + SEMIBLOCK) === 0 &&
        memory.subarray(pad, pad + padding).every((byte) => byte === 0);
    }
  return { all, each };
}
