import { createCipheriv, createDecipheriv } from 'node:crypto';

/**
 * AES key wrap with padding (RFC 5649, NIST SP 800-38F "KWP") for many keys at once.
 *
 * The wrapping process W of RFC 3394 is 6·n AES block operations per key, each depending on the
 * previous one — but the keys of a batch are independent, so step s of every key goes through one
 * AES-ECB call over all the keys' blocks. A batch of 2 000 keys costs 6·n native calls instead of
 * a cipher object per key (the per-key cost of AES-GCM in Node is the call overhead, not the AES).
 * Each ECB block is exactly the block RFC 3394 encrypts; nothing else is used in ECB mode.
 * The result is byte-for-byte OpenSSL's `id-aes256-wrap-pad` (the tests check it).
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

/**
 * Semiblocks move as two 32-bit words instead of eight bytes (or a native copy call each), so
 * every buffer worked on starts on a word boundary: one that does not (a pooled or sliced
 * buffer) is copied to one that does.
 */
function aligned(buffer: Buffer): Buffer {
  return buffer.byteOffset % 4 === 0 ? buffer : Buffer.from(buffer);
}

function words(buffer: Buffer): Uint32Array {
  return new Uint32Array(buffer.buffer, buffer.byteOffset, buffer.length / 4);
}

/**
 * The step counter t as the 32-bit word XOR-ed into word 1 of a block (A's last four bytes, where a
 * big-endian 64-bit t < 2³² sits; t ≤ 6·8 192 here): byte-swapped on a little-endian machine.
 */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const counterWord = (t: number) =>
  (LITTLE_ENDIAN ? ((t & 0xff) << 24) | ((t & 0xff00) << 8) | ((t >>> 8) & 0xff00) | (t >>> 24) : t) >>> 0;

/*
 * The two loops every step runs over all the keys, kept as small functions of their own: called
 * 6·n times per batch they are optimised at once, where inlined in one large function the JIT
 * keeps deoptimising it while the first batches run.
 */

/** XORs `t` into each key's A, then puts its semiblock R[i] in the block's second half. */
function loadSemiblocks(b: Uint32Array, r: Uint32Array, i: number, n: number, count: number, t: number) {
  for (let k = 0, at = i * 2; k < count; k++, at += n * 2) {
    b[k * 4 + 1]! ^= t;
    b[k * 4 + 2] = r[at]!;
    b[k * 4 + 3] = r[at + 1]!;
  }
}

/** XORs `t` into each key's A, then takes the block's second half back as its semiblock R[i]. */
function storeSemiblocks(b: Uint32Array, r: Uint32Array, i: number, n: number, count: number, t: number) {
  for (let k = 0, at = i * 2; k < count; k++, at += n * 2) {
    b[k * 4 + 1]! ^= t;
    r[at] = b[k * 4 + 2]!;
    r[at + 1] = b[k * 4 + 3]!;
  }
}

/**
 * Wraps `count` keys of `plainLength` bytes each, laid end to end in `plain`; returns their
 * wrapped forms end to end, `wrappedLength(plainLength)` bytes each.
 */
export function wrapKeys(kek: Buffer, plain: Buffer, plainLength: number, count: number): Buffer {
  const n = semiblocks(plainLength);
  if (plain.length !== plainLength * count) throw new RangeError('Key data length does not match the count.');
  // R[k][i] of RFC 3394 (two words per semiblock), zero-padded as RFC 5649 requires.
  const rBytes = Buffer.alloc(count * n * SEMIBLOCK);
  for (let k = 0; k < count; k++)
    plain.copy(rBytes, k * n * SEMIBLOCK, k * plainLength, (k + 1) * plainLength);
  const r = words(rBytes);
  // The blocks fed to AES, four words each: A ‖ R[i] for every key.
  let blockBytes: Buffer = Buffer.alloc(count * BLOCK);
  for (let k = 0; k < count; k++) {
    blockBytes.writeUInt32BE(AIV_CONSTANT, k * BLOCK);
    blockBytes.writeUInt32BE(plainLength, k * BLOCK + 4);
  }
  let b = words(blockBytes);
  const aes = ecb(kek, false);
  try {
    for (let j = 0; j <= 5; j++)
      for (let i = 0; i < n; i++) {
        loadSemiblocks(b, r, i, n, count, 0);
        const encrypted = aes.update(blockBytes);
        blockBytes.fill(0);
        blockBytes = aligned(encrypted);
        if (blockBytes !== encrypted) encrypted.fill(0);
        b = words(blockBytes);
        // A = MSB(B) ^ t with t = n·j + i + 1; R[i] = LSB(B).
        storeSemiblocks(b, r, i, n, count, counterWord(n * j + i + 1));
      }
    aes.final();
    const out = Buffer.alloc(count * (n + 1) * SEMIBLOCK);
    const o = words(out);
    for (let k = 0; k < count; k++) {
      const at = k * (n + 1) * 2;
      o[at] = b[k * 4]!;
      o[at + 1] = b[k * 4 + 1]!;
      for (let w = 0; w < n * 2; w++) o[at + 2 + w] = r[k * n * 2 + w]!;
    }
    return out;
  } finally {
    rBytes.fill(0);
    blockBytes.fill(0);
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
  const n = semiblocks(plainLength);
  const size = (n + 1) * SEMIBLOCK;
  if (wrapped.length !== size * count) throw new RangeError('Wrapped data length does not match the count.');
  const c = words(aligned(wrapped));
  const rBytes = Buffer.alloc(count * n * SEMIBLOCK);
  const r = words(rBytes);
  let blockBytes: Buffer = Buffer.alloc(count * BLOCK);
  let b = words(blockBytes);
  for (let k = 0; k < count; k++) {
    const at = k * (n + 1) * 2;
    b[k * 4] = c[at]!;
    b[k * 4 + 1] = c[at + 1]!;
    for (let w = 0; w < n * 2; w++) r[k * n * 2 + w] = c[at + 2 + w]!;
  }
  const aes = ecb(kek, true);
  const plain = Buffer.alloc(count * plainLength);
  try {
    for (let j = 5; j >= 0; j--)
      for (let i = n - 1; i >= 0; i--) {
        // B = AES⁻¹((A ^ t) ‖ R[i]); A = MSB(B); R[i] = LSB(B).
        loadSemiblocks(b, r, i, n, count, counterWord(n * j + i + 1));
        const decrypted = aes.update(blockBytes);
        blockBytes.fill(0);
        blockBytes = aligned(decrypted);
        if (blockBytes !== decrypted) decrypted.fill(0);
        b = words(blockBytes);
        storeSemiblocks(b, r, i, n, count, 0);
      }
    aes.final();
    const intact: boolean[] = [];
    for (let k = 0; k < count; k++) {
      let ok =
        blockBytes.readUInt32BE(k * BLOCK) === AIV_CONSTANT &&
        blockBytes.readUInt32BE(k * BLOCK + 4) === plainLength;
      for (let p = k * n * SEMIBLOCK + plainLength; p < (k + 1) * n * SEMIBLOCK; p++)
        if (rBytes[p] !== 0) ok = false;
      intact.push(ok);
      if (ok) rBytes.copy(plain, k * plainLength, k * n * SEMIBLOCK, k * n * SEMIBLOCK + plainLength);
    }
    return { plain, intact };
  } finally {
    rBytes.fill(0);
    blockBytes.fill(0);
  }
}
