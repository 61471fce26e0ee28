import { createDecipheriv, pbkdf2Sync } from 'node:crypto';
import forge from 'node-forge';
import { type Asn1, DerShapeError, octets, oid, sequence, smallInteger } from './der.js';
import { pkcs12Kdf } from './pkcs12-kdf.js';

/** The password did not decrypt the data (bad padding or garbage out). */
export class WrongPassword extends Error {}

/**
 * Real files use 2 000 (OpenSSL, Windows) to 100 000 iterations (old Java); a count far beyond
 * that is a hostile file trying to keep the key derivation busy for minutes.
 */
export const MAX_ITERATIONS = 1_000_000;

const PBES2 = '1.2.840.113549.1.5.13';
const PBKDF2 = '1.2.840.113549.1.5.12';
const PRFS: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};
const PBES2_CIPHERS: Record<string, { cipher: string; keyLength: number }> = {
  '2.16.840.1.101.3.4.1.2': { cipher: 'aes-128-cbc', keyLength: 16 },
  '2.16.840.1.101.3.4.1.22': { cipher: 'aes-192-cbc', keyLength: 24 },
  '2.16.840.1.101.3.4.1.42': { cipher: 'aes-256-cbc', keyLength: 32 },
  '1.2.840.113549.3.7': { cipher: 'des-ede3-cbc', keyLength: 24 },
};
// RFC 7292 Appendix C: PKCS12 password-based encryption (SHA-1 KDF of Appendix B).
const PKCS12_PBE: Record<string, { cipher: string; keyLength: number; rc2Bits?: number }> = {
  '1.2.840.113549.1.12.1.3': { cipher: 'des-ede3-cbc', keyLength: 24 },
  '1.2.840.113549.1.12.1.4': { cipher: 'des-ede-cbc', keyLength: 16 },
  '1.2.840.113549.1.12.1.5': { cipher: 'rc2', keyLength: 16, rc2Bits: 128 },
  '1.2.840.113549.1.12.1.6': { cipher: 'rc2', keyLength: 5, rc2Bits: 40 },
};

/**
 * Decrypts a safe or a shrouded key with the password: PBES2 (RFC 8018) as OpenSSL 3, Java and
 * recent Windows write it, or PKCS12 PBE (3DES, RC2) as `-legacy` and older Windows do. Key
 * derivation runs in Node's native crypto; only RC2, which OpenSSL 3 keeps in its legacy
 * provider, uses node-forge.
 */
export function decryptWithPassword(algorithm: Asn1, ciphertext: Buffer, password: Buffer): Buffer {
  const [algorithmOid, params] = sequence(algorithm, 'encryption algorithm', 2);
  const scheme = oid(algorithmOid, 'encryption algorithm');
  if (scheme === PBES2) return decryptPbes2(params!, ciphertext, password);
  const pbe = PKCS12_PBE[scheme];
  if (!pbe) throw new DerShapeError(`unsupported encryption ${scheme}`);
  const [saltNode, iterationsNode] = sequence(params, 'PBE parameters', 2);
  const salt = octets(saltNode, 'PBE salt');
  const iterations = boundedIterations(smallInteger(iterationsNode, 'PBE iterations'));
  const key = pkcs12Kdf('sha1', password, salt, 1, iterations, pbe.keyLength);
  const iv = pkcs12Kdf('sha1', password, salt, 2, iterations, 8);
  try {
    if (pbe.rc2Bits) return decryptRc2(key, iv, pbe.rc2Bits, ciphertext);
    return decipher(pbe.cipher, key, iv, ciphertext);
  } finally {
    key.fill(0);
  }
}

function decryptPbes2(params: Asn1, ciphertext: Buffer, password: Buffer): Buffer {
  const [kdf, encryption] = sequence(params, 'PBES2 parameters', 2);
  const [kdfOid, kdfParams] = sequence(kdf, 'key derivation', 2);
  if (oid(kdfOid, 'key derivation') !== PBKDF2) throw new DerShapeError('PBES2 without PBKDF2');
  const [saltNode, iterationsNode, ...rest] = sequence(kdfParams, 'PBKDF2 parameters', 2);
  const prfNode = rest.find((node) => node.constructed);
  const prf = prfNode ? PRFS[oid(sequence(prfNode, 'PBKDF2 PRF', 1)[0], 'PBKDF2 PRF')] : 'sha1';
  if (!prf) throw new DerShapeError('PBKDF2 with an unsupported PRF');
  const [cipherOid, ivNode] = sequence(encryption, 'PBES2 cipher', 2);
  const cipher = PBES2_CIPHERS[oid(cipherOid, 'PBES2 cipher')];
  if (!cipher) throw new DerShapeError('PBES2 with an unsupported cipher');
  const iterations = boundedIterations(smallInteger(iterationsNode, 'PBKDF2 iterations'));
  const key = pbkdf2Sync(password, octets(saltNode, 'PBKDF2 salt'), iterations, cipher.keyLength, prf);
  try {
    return decipher(cipher.cipher, key, octets(ivNode, 'PBES2 IV'), ciphertext);
  } finally {
    key.fill(0);
  }
}

function decipher(name: string, key: Buffer, iv: Buffer, ciphertext: Buffer): Buffer {
  let d: ReturnType<typeof createDecipheriv>;
  try {
    d = createDecipheriv(name, key, iv);
  } catch {
    throw new DerShapeError(`bad ${name} parameters`);
  }
  try {
    return Buffer.concat([d.update(ciphertext), d.final()]);
  } catch {
    throw new WrongPassword();
  }
}

function decryptRc2(key: Buffer, iv: Buffer, bits: number, ciphertext: Buffer): Buffer {
  const cipher = forge.rc2.createDecryptionCipher(key.toString('binary'), bits);
  cipher.start(iv.toString('binary'));
  cipher.update(forge.util.createBuffer(ciphertext.toString('binary')));
  if (!cipher.finish()) throw new WrongPassword();
  return Buffer.from(cipher.output.getBytes(), 'binary');
}

function boundedIterations(iterations: number): number {
  if (iterations < 1 || iterations > MAX_ITERATIONS)
    throw new DerShapeError(`it asks for ${iterations} key-derivation iterations`);
  return iterations;
}
