import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

export const MASTER_KEY_CHECK_ALGORITHM = 'HMAC-SHA256/HKDF-SHA256/v1';

/**
 * A value that identifies the master key without revealing it: HMAC-SHA256 of a constant under a
 * key derived with HKDF (RFC 5869) for this purpose only. Knowing it does not help find the key,
 * and it is unrelated to the keys that wrap CMKs.
 */
export function masterKeyCheckValue(masterKey: Buffer): Buffer {
  const checkKey = Buffer.from(
    hkdfSync('sha256', masterKey, 'hds-setup key database', 'master-key check value v1', 32),
  );
  try {
    return createHmac('sha256', checkKey).update('hds-setup master key check').digest();
  } finally {
    checkKey.fill(0);
  }
}

export function masterKeyMatches(masterKey: Buffer, stored: Buffer): boolean {
  const ours = masterKeyCheckValue(masterKey);
  return ours.length === stored.length && timingSafeEqual(ours, stored);
}
