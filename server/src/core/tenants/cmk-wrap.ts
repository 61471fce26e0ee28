import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { HdsError } from '../../../../contract/hds-error.js';

export const CMK_ALGORITHM = 'A256GCM/HKDF-SHA256/v1';
export const CMK_BYTES = 32;
export const IV_BYTES = 12;
const TAG_BYTES = 16;
export const WRAPPED_CMK_BYTES = IV_BYTES + CMK_BYTES + TAG_BYTES;

/**
 * The key-encryption key for tenant CMKs: HKDF-SHA256 (RFC 5869) of the master key with its own
 * label, so it is independent of the master-key check value and of every other derived key.
 */
export function deriveCmkKek(masterKey: Buffer): Buffer {
  return Buffer.from(
    hkdfSync('sha256', masterKey, 'hds-setup key database', 'tenant CMK key-encryption key v1', 32),
  );
}

/** The additional data binds a wrapped key to its org and version: moved to another row it fails to open. */
function additionalData(orgId: string, keyVersion: number): Buffer {
  return Buffer.from(`hds-cmk|${orgId.toLowerCase()}|${keyVersion}`, 'utf8');
}

/**
 * AES-256-GCM (NIST SP 800-38D) with a random 96-bit IV: iv ‖ ciphertext ‖ tag. A bulk run passes
 * IVs it drew from the CSPRNG in one call for the whole batch (each IV used once, as GCM requires).
 */
export function wrapCmk(
  kek: Buffer,
  orgId: string,
  keyVersion: number,
  cmk: Buffer,
  iv: Buffer = randomBytes(IV_BYTES),
): Buffer {
  if (iv.length !== IV_BYTES) throw new RangeError('An AES-GCM IV for a CMK is 12 bytes.');
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(additionalData(orgId, keyVersion));
  return Buffer.concat([iv, cipher.update(cmk), cipher.final(), cipher.getAuthTag()], WRAPPED_CMK_BYTES);
}

export function unwrapCmk(kek: Buffer, orgId: string, keyVersion: number, wrapped: Buffer): Buffer {
  const fail = () =>
    new HdsError(
      'CMK_UNWRAP_FAILED',
      `The CMK of org ${orgId} (version ${keyVersion}) does not open with this ISO's master key. Use the ISO that belongs to this database; if it is the right one, the stored key was altered — contact support before revoking.`,
    );
  if (wrapped.length !== WRAPPED_CMK_BYTES) throw fail();
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, wrapped.subarray(0, IV_BYTES));
    decipher.setAAD(additionalData(orgId, keyVersion));
    decipher.setAuthTag(wrapped.subarray(IV_BYTES + CMK_BYTES));
    return Buffer.concat([
      decipher.update(wrapped.subarray(IV_BYTES, IV_BYTES + CMK_BYTES)),
      decipher.final(),
    ]);
  } catch {
    throw fail();
  }
}
