import { randomBytes } from 'node:crypto';
import { HdsError } from '../../../../contract/hds-error.js';

export const MASTER_KEY_BYTES = 32;

/**
 * The deployment's master key: 256 bits from the CSPRNG, made once per deployment. Only the
 * new-deployment path calls this; the import path carries the key over from the ISO.
 */
export function generateMasterKey(): Buffer {
  return randomBytes(MASTER_KEY_BYTES);
}

export function assertMasterKey(key: Buffer): void {
  if (key.length !== MASTER_KEY_BYTES)
    throw new HdsError(
      'ISO_CORRUPT',
      `The master key must be ${MASTER_KEY_BYTES} bytes; this one has ${key.length}.`,
    );
}
