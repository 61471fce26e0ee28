import { createDecipheriv, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CMK_ALGORITHM, CMK_ALGORITHM_GCM_V1, deriveCmkKek, unwrapCmk, wrapCmk } from './cmk-wrap.js';

const masterKey = Buffer.from([...Array(32).keys()]);
const cmk = Buffer.from([...Array(32).keys()].map((i) => 0xa0 + i));
const orgId = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
const otherOrg = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5c';
const unwrapFailed = expect.objectContaining({ code: 'CMK_UNWRAP_FAILED' });

describe('tenant CMK wrapping', () => {
  // Known answers: a change to the key derivation or the layout of what is wrapped breaks every
  // CMK already stored, so both are pinned here.
  const wrappedV2 =
    'b97bc4ec1f2a3ebcbea6fee02d48f8966397ba87b3ae9ee4dd66ccd87b05c5343fe8b5004db23d5da96e18c08cb9a53fd42e1b79e7dcfee3787550bbb1fc8ba5';
  // Written by the first implementation (AES-256-GCM, IV 000102…0b), before key wrap replaced it.
  const wrappedGcmV1 =
    '000102030405060708090a0b3d7a63343c2e5ff70c626e005a7fa911ef6c718e864212ed796a922deced161738a3305a51a920a3c775edc2584cf777';

  it('wraps with RFC 5649 under the HKDF key-wrap key: CMK ‖ org id bytes ‖ version, as OpenSSL reads it', () => {
    expect(CMK_ALGORITHM).toBe('A256KWP/HKDF-SHA256/v2');
    const wrapped = wrapCmk(deriveCmkKek(masterKey), orgId, 1, cmk);
    expect(wrapped.toString('hex')).toBe(wrappedV2);
    const kek = Buffer.from(
      hkdfSync('sha256', masterKey, 'hds-setup key database', 'tenant CMK key-wrap key v2', 32),
    );
    const openssl = createDecipheriv('id-aes256-wrap-pad', kek, Buffer.from('a65959a6', 'hex'));
    const bound = Buffer.concat([openssl.update(wrapped), openssl.final()]);
    expect(bound).toEqual(
      Buffer.concat([cmk, Buffer.from(orgId.replaceAll('-', ''), 'hex'), Buffer.from('00000001', 'hex')]),
    );
  });

  it('opens a key only with its master key, org id, version and algorithm', () => {
    const kek = deriveCmkKek(masterKey);
    const wrapped = Buffer.from(wrappedV2, 'hex');
    expect(unwrapCmk(kek, orgId, 1, wrapped)).toEqual(cmk);
    expect(unwrapCmk(kek, orgId.toUpperCase(), 1, wrapped, CMK_ALGORITHM)).toEqual(cmk);
    expect(() => unwrapCmk(kek, otherOrg, 1, wrapped)).toThrow(unwrapFailed);
    expect(() => unwrapCmk(kek, orgId, 2, wrapped)).toThrow(unwrapFailed);
    expect(() => unwrapCmk(deriveCmkKek(Buffer.alloc(32, 7)), orgId, 1, wrapped)).toThrow(unwrapFailed);
    expect(() => unwrapCmk(kek, orgId, 1, wrapped, 'A256CBC/unknown')).toThrow(unwrapFailed);
    expect(() => unwrapCmk(kek, orgId, 1, wrapped.subarray(0, 56))).toThrow(unwrapFailed);
  });

  it('still opens rows written with AES-256-GCM (v1), bound to their org id and version', () => {
    const kek = deriveCmkKek(masterKey);
    const wrapped = Buffer.from(wrappedGcmV1, 'hex');
    expect(unwrapCmk(kek, orgId, 1, wrapped, CMK_ALGORITHM_GCM_V1)).toEqual(cmk);
    expect(() => unwrapCmk(kek, otherOrg, 1, wrapped, CMK_ALGORITHM_GCM_V1)).toThrow(unwrapFailed);
    expect(() => unwrapCmk(kek, orgId, 2, wrapped, CMK_ALGORITHM_GCM_V1)).toThrow(unwrapFailed);
    // A GCM row read as a key-wrap row does not open either.
    expect(() => unwrapCmk(kek, orgId, 1, wrapped)).toThrow(unwrapFailed);
  });
});

describe('the org id a CMK is bound to', () => {
  it.each([
    '3f2a1b4c5d6e4f708a9b0c1d2e3f4a5b',
    '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5',
    '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5g',
    '3f2a1b4c-5d6e-4f70+8a9b-0c1d2e3f4a5b',
  ])('refuses %s rather than binding a key to it', (id) => {
    expect(() => wrapCmk(deriveCmkKek(masterKey), id, 1, cmk)).toThrow(RangeError);
  });
});
