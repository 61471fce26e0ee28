import { createHmac, timingSafeEqual } from 'node:crypto';
import { type Asn1, DerShapeError, oid, sequence } from './der.js';
import {
  HMAC_HASHES,
  pbkdf2Blocks,
  pbkdf2InThreadPool,
  readPbkdf2Parameters,
  UnsupportedAlgorithm,
} from './password-decryption.js';

export const PBMAC1 = '1.2.840.113549.1.5.14';

/** A PBMAC1 integrity check read from its parameters, before any key is derived. */
export interface Pbmac1 {
  iterations: number;
  blocks: number;
  verify(authSafe: Buffer, expected: Buffer, password: Buffer): Promise<boolean>;
}

/**
 * PBMAC1 (RFC 8018 A.5) as RFC 9579 puts it in a PKCS12 MacData (OpenSSL 3.4+ -pbmac1_pbkdf2):
 * the key is PBKDF2 over the password's UTF-8 bytes with the salt, count, key length and PRF of
 * its own parameters — MacData's macSalt and iterations are ignored (RFC 9579 section 3) — and the
 * MAC is the named HMAC over the authSafe content.
 */
export function readPbmac1(params: Asn1 | undefined, digestLength: number): Pbmac1 {
  const [kdf, scheme] = sequence(params, 'PBMAC1 parameters', 2);
  const pbkdf2 = readPbkdf2Parameters(kdf, 'PBMAC1');
  const schemeOid = oid(sequence(scheme, 'PBMAC1 message authentication scheme', 1)[0], 'PBMAC1 scheme');
  const hmac = HMAC_HASHES[schemeOid];
  if (!hmac) throw new UnsupportedAlgorithm(`the PBMAC1 integrity check with the MAC ${schemeOid}`);
  // RFC 9579 section 3: keyLength MUST be present; guessing it would accept a file others refuse.
  const keyLength = pbkdf2.keyLength;
  if (keyLength === undefined) throw new DerShapeError('the PBMAC1 PBKDF2 parameters lack the key length');
  if (digestLength !== createHmac(hmac, Buffer.alloc(1)).digest().length)
    throw new DerShapeError(`the PBMAC1 MAC does not have the length of ${hmac.toUpperCase()}-HMAC`);
  const { salt, iterations, prf } = pbkdf2;
  return {
    iterations,
    blocks: pbkdf2Blocks(prf, keyLength),
    verify: async (authSafe, expected, password) => {
      // Node's PBKDF2 runs in the libuv thread pool: a high count leaves the event loop free.
      const key = await pbkdf2InThreadPool(password, salt, iterations, keyLength, prf);
      const actual = createHmac(hmac, key).update(authSafe).digest();
      key.fill(0);
      return timingSafeEqual(actual, expected);
    },
  };
}
