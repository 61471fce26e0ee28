import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { unwrapKeys, wrapKeys, wrappedLength } from './aes-key-wrap.js';

/** OpenSSL's own RFC 5649 key wrap, one key at a time: the reference the batch form must equal. */
function openSslWrap(kek: Buffer, key: Buffer): Buffer {
  const cipher = createCipheriv(`id-aes${kek.length * 8}-wrap-pad`, kek, Buffer.from('a65959a6', 'hex'));
  return Buffer.concat([cipher.update(key), cipher.final()]);
}

describe('AES key wrap with padding (RFC 5649), many keys at once', () => {
  it('matches the RFC 5649 test vector (192-bit KEK, 20 bytes of key data)', () => {
    const kek = Buffer.from('5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8', 'hex');
    const key = Buffer.from('c37b7e6492584340bed12207808941155068f738', 'hex');
    const wrapped = wrapKeys(kek, key, 20, 1);
    expect(wrapped.toString('hex')).toBe('138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a');
    expect(unwrapKeys(kek, wrapped, 20, 1)).toEqual({ plain: key, intact: [true] });
  });

  // 2 100 bytes: 263 semiblocks, so the step counter t outgrows one byte (up to 1 578).
  it.each([9, 16, 20, 52, 64, 2100])(
    'equals OpenSSL id-aes256-wrap-pad key by key for %i-byte keys',
    (length) => {
      const kek = randomBytes(32);
      const count = length > 100 ? 5 : 300;
      const keys = randomBytes(length * count);
      const wrapped = wrapKeys(kek, keys, length, count);
      const size = wrappedLength(length);
      expect(wrapped).toHaveLength(size * count);
      for (let k = 0; k < count; k++)
        expect(wrapped.subarray(k * size, (k + 1) * size)).toEqual(
          openSslWrap(kek, keys.subarray(k * length, (k + 1) * length)),
        );
      expect(unwrapKeys(kek, wrapped, length, count)).toEqual({
        plain: keys,
        intact: Array(count).fill(true),
      });
    },
  );

  it('a changed bit fails that key alone (zeroed), and another KEK or length fails them all', () => {
    const kek = randomBytes(32);
    const keys = randomBytes(52 * 5);
    const wrapped = wrapKeys(kek, keys, 52, 5);
    const altered = Buffer.from(wrapped);
    altered[2 * 64 + 40]! ^= 0x01;
    const { plain, intact } = unwrapKeys(kek, altered, 52, 5);
    expect(intact).toEqual([true, true, false, true, true]);
    expect(plain.subarray(2 * 52, 3 * 52)).toEqual(Buffer.alloc(52));
    expect(plain.subarray(3 * 52)).toEqual(keys.subarray(3 * 52));
    expect(unwrapKeys(randomBytes(32), wrapped, 52, 5).intact).toEqual(Array(5).fill(false));
    // Same semiblock count, another declared length: the RFC 5649 length check refuses it.
    expect(unwrapKeys(kek, wrapped, 50, 5).intact).toEqual(Array(5).fill(false));
  });

  it('refuses lengths it does not serve instead of wrapping them wrongly', () => {
    const kek = randomBytes(32);
    expect(() => wrapKeys(kek, randomBytes(8), 8, 1)).toThrow(RangeError);
    expect(() => wrapKeys(kek, randomBytes(40), 20, 1)).toThrow(RangeError);
    expect(() => unwrapKeys(kek, randomBytes(33), 20, 1)).toThrow(RangeError);
  });
});
