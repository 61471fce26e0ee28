import { createDecipheriv, pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { type Asn1, DerShapeError, octets, oid, sequence, smallInteger } from './der.js';
import { hashOnce, pkcs12KdfInSlices, repeatHashInSlices } from './pkcs12-kdf.js';

// Node's PBKDF2 runs on the libuv thread pool: a high count does not hold up the event loop.
export const pbkdf2InThreadPool = promisify(pbkdf2);

/** The password did not decrypt the data (bad padding or garbage out). */
export class WrongPassword extends Error {}

/** The file is well formed but protected with an algorithm hds-setup does not implement. */
export class UnsupportedAlgorithm extends DerShapeError {
  constructor(readonly algorithm: string) {
    super(`it uses ${algorithm}`);
  }
}

const PBES2 = '1.2.840.113549.1.5.13';
const PBKDF2 = '1.2.840.113549.1.5.12';
/** HMAC algorithm identifiers (RFC 8018 B.1.2), as PBKDF2 PRFs and as PBMAC1's MAC scheme. */
export const HMAC_HASHES: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
  '1.2.840.113549.2.12': 'sha512-224',
  '1.2.840.113549.2.13': 'sha512-256',
  '2.16.840.1.101.3.4.2.13': 'sha3-224',
  '2.16.840.1.101.3.4.2.14': 'sha3-256',
  '2.16.840.1.101.3.4.2.15': 'sha3-384',
  '2.16.840.1.101.3.4.2.16': 'sha3-512',
};
/**
 * Every CBC cipher `openssl pkcs12 -keypbe/-certpbe` offers that Node or node-forge implements.
 * DES and RC2 live in OpenSSL 3's legacy provider, which Node does not load: node-forge does them.
 */
const PBES2_CIPHERS: Record<string, { cipher: string; keyLength: number }> = {
  '2.16.840.1.101.3.4.1.2': { cipher: 'aes-128-cbc', keyLength: 16 },
  '2.16.840.1.101.3.4.1.22': { cipher: 'aes-192-cbc', keyLength: 24 },
  '2.16.840.1.101.3.4.1.42': { cipher: 'aes-256-cbc', keyLength: 32 },
  '1.2.840.113549.3.7': { cipher: 'des-ede3-cbc', keyLength: 24 },
  '1.3.14.3.2.7': { cipher: 'des-cbc', keyLength: 8 },
  '1.2.840.113549.3.2': { cipher: 'rc2-cbc', keyLength: 16 },
  '1.2.392.200011.61.1.1.1.2': { cipher: 'camellia-128-cbc', keyLength: 16 },
  '1.2.392.200011.61.1.1.1.3': { cipher: 'camellia-192-cbc', keyLength: 24 },
  '1.2.392.200011.61.1.1.1.4': { cipher: 'camellia-256-cbc', keyLength: 32 },
  '1.2.410.200046.1.1.2': { cipher: 'aria-128-cbc', keyLength: 16 },
  '1.2.410.200046.1.1.7': { cipher: 'aria-192-cbc', keyLength: 24 },
  '1.2.410.200046.1.1.12': { cipher: 'aria-256-cbc', keyLength: 32 },
};
// RFC 7292 Appendix C: PKCS12 password-based encryption (SHA-1 KDF of Appendix B).
const PKCS12_PBE: Record<string, { cipher: string; keyLength: number; rc2Bits?: number }> = {
  '1.2.840.113549.1.12.1.1': { cipher: 'rc4', keyLength: 16 },
  '1.2.840.113549.1.12.1.2': { cipher: 'rc4', keyLength: 5 },
  '1.2.840.113549.1.12.1.3': { cipher: 'des-ede3-cbc', keyLength: 24 },
  '1.2.840.113549.1.12.1.4': { cipher: 'des-ede-cbc', keyLength: 16 },
  '1.2.840.113549.1.12.1.5': { cipher: 'rc2', keyLength: 16, rc2Bits: 128 },
  '1.2.840.113549.1.12.1.6': { cipher: 'rc2', keyLength: 5, rc2Bits: 40 },
};
// RFC 8018 6.1: PBES1 (PKCS#5 v1.5), PBKDF1 over the raw password bytes; `-legacy -keypbe PBE-MD5-DES`.
const PBES1: Record<string, { hash: string; cipher: 'des-cbc' | 'rc2-cbc' }> = {
  '1.2.840.113549.1.5.3': { hash: 'md5', cipher: 'des-cbc' },
  '1.2.840.113549.1.5.6': { hash: 'md5', cipher: 'rc2-cbc' },
  '1.2.840.113549.1.5.10': { hash: 'sha1', cipher: 'des-cbc' },
  '1.2.840.113549.1.5.11': { hash: 'sha1', cipher: 'rc2-cbc' },
};
const ALGORITHM_NAMES: Record<string, string> = {
  '1.2.840.113549.1.5.1': 'PBE-MD2-DES',
  '1.2.840.113549.1.5.4': 'PBE-MD2-RC2',
  '1.2.410.200004.1.4': 'SEED-CBC',
  '1.3.6.1.4.1.3029.1.2': 'Blowfish (BF-CBC)',
  '1.3.6.1.4.1.188.7.1.1.2': 'IDEA-CBC',
  '1.2.156.10197.1.104.2': 'SM4-CBC',
};

/**
 * A password-based encryption read from its AlgorithmIdentifier, before any key is derived: the
 * iteration count and the hash output blocks it will derive (for the file's work budget), and
 * the decryption itself.
 */
export interface PasswordEncryption {
  iterations: number;
  blocks: number;
  decrypt(ciphertext: Buffer, password: Buffer): Promise<Buffer>;
}

/**
 * PBES2 (RFC 8018) as OpenSSL 3, Java and recent Windows write it, PBES1, or PKCS12 PBE (3DES,
 * RC2, RC4) as `-legacy` and older Windows do. PBKDF2 is Node's native, off the event loop; the
 * PKCS12 KDF and PBKDF1 are loops over Node's hashes, run in slices; RC2 and DES, which OpenSSL 3
 * keeps in its legacy provider, use node-forge.
 */
export function readPasswordEncryption(algorithm: Asn1): PasswordEncryption {
  const [algorithmOid, params] = sequence(algorithm, 'encryption algorithm', 2);
  const scheme = oid(algorithmOid, 'encryption algorithm');
  if (scheme === PBES2) return readPbes2(params!);
  const pbes1 = PBES1[scheme];
  const pbe = PKCS12_PBE[scheme];
  if (!pbes1 && !pbe) throw new UnsupportedAlgorithm(`the encryption ${algorithmName(scheme)}`);
  const [saltNode, iterationsNode] = sequence(params, 'PBE parameters', 2);
  const salt = octets(saltNode, 'PBE salt');
  const iterations = smallInteger(iterationsNode, 'PBE iterations');
  if (pbes1) return { iterations, blocks: 1, decrypt: (c, p) => decryptPbes1(pbes1, salt, iterations, c, p) };
  if (!pbe) throw new UnsupportedAlgorithm(`the encryption ${algorithmName(scheme)}`);
  // SHA-1 gives 20 bytes a block: the key, and for the block ciphers an 8-byte IV.
  const blocks = Math.ceil(pbe.keyLength / 20) + (pbe.cipher === 'rc4' ? 0 : 1);
  return { iterations, blocks, decrypt: (c, p) => decryptPkcs12Pbe(pbe, salt, iterations, c, p) };
}

async function decryptPkcs12Pbe(
  pbe: { cipher: string; keyLength: number; rc2Bits?: number },
  salt: Buffer,
  iterations: number,
  ciphertext: Buffer,
  password: Buffer,
): Promise<Buffer> {
  const key = await pkcs12KdfInSlices('sha1', password, salt, 1, iterations, pbe.keyLength);
  try {
    if (pbe.cipher === 'rc4') return rc4(key, ciphertext);
    const iv = await pkcs12KdfInSlices('sha1', password, salt, 2, iterations, 8);
    if (pbe.rc2Bits) return decryptRc2(key, iv, pbe.rc2Bits, ciphertext);
    return decipher(pbe.cipher, key, iv, ciphertext);
  } finally {
    key.fill(0);
  }
}

async function decryptPbes1(
  scheme: { hash: string; cipher: 'des-cbc' | 'rc2-cbc' },
  salt: Buffer,
  iterations: number,
  ciphertext: Buffer,
  password: Buffer,
): Promise<Buffer> {
  const first = hashOnce(scheme.hash, Buffer.concat([password, salt]));
  const derived = await repeatHashInSlices(scheme.hash, first, iterations);
  const key = derived.subarray(0, 8);
  const iv = derived.subarray(8, 16);
  try {
    return scheme.cipher === 'des-cbc'
      ? decryptDes(key, iv, ciphertext)
      : decryptRc2(key, iv, 64, ciphertext);
  } finally {
    derived.fill(0);
  }
}

/** PBKDF2-params (RFC 8018 A.2), read and bounded; `keyLength` undefined when the file omits it. */
export interface Pbkdf2Parameters {
  salt: Buffer;
  iterations: number;
  keyLength: number | undefined;
  prf: string;
}

export function readPbkdf2Parameters(kdf: Asn1 | undefined, what: string): Pbkdf2Parameters {
  const [kdfOid, kdfParams] = sequence(kdf, `${what} key derivation`, 2);
  const kdfId = oid(kdfOid, `${what} key derivation`);
  if (kdfId !== PBKDF2) throw new DerShapeError(`${what} uses the key derivation ${kdfId}, not PBKDF2`);
  const [saltNode, iterationsNode, ...rest] = sequence(kdfParams, 'PBKDF2 parameters', 2);
  const prfNode = rest.find((node) => node.constructed);
  const prfOid = prfNode ? oid(sequence(prfNode, 'PBKDF2 PRF', 1)[0], 'PBKDF2 PRF') : undefined;
  const prf = prfOid ? HMAC_HASHES[prfOid] : 'sha1';
  if (!prf) throw new UnsupportedAlgorithm(`the key derivation PBKDF2 with ${algorithmName(prfOid!)}`);
  const keyLengthNode = rest.find((node) => !node.constructed);
  const keyLength = keyLengthNode ? smallInteger(keyLengthNode, 'PBKDF2 key length') : undefined;
  if (keyLength !== undefined && (keyLength < 1 || keyLength > 64))
    throw new DerShapeError(`PBKDF2 asks for a key of ${keyLength} bytes (1 to 64 are read)`);
  return {
    salt: octets(saltNode, 'PBKDF2 salt'),
    iterations: smallInteger(iterationsNode, 'PBKDF2 iterations'),
    keyLength,
    prf,
  };
}

/** The hash outputs PBKDF2 computes for a key of `keyLength` bytes (its work, for the budget). */
export function pbkdf2Blocks(prf: string, keyLength: number): number {
  return Math.ceil(keyLength / hashOnce(prf, Buffer.alloc(0)).length);
}

function readPbes2(params: Asn1): PasswordEncryption {
  const [kdf, encryption] = sequence(params, 'PBES2 parameters', 2);
  const pbkdf2Params = readPbkdf2Parameters(kdf, 'PBES2');
  const [cipherOid, cipherParams] = sequence(encryption, 'PBES2 cipher', 1);
  const cipherId = oid(cipherOid, 'PBES2 cipher');
  const cipher = PBES2_CIPHERS[cipherId];
  if (!cipher) throw new UnsupportedAlgorithm(`the encryption ${algorithmName(cipherId)}`);
  const { salt, iterations, prf } = pbkdf2Params;
  const keyLength = pbkdf2Params.keyLength ?? cipher.keyLength;
  return {
    iterations,
    blocks: pbkdf2Blocks(prf, keyLength),
    decrypt: async (ciphertext, password) => {
      const key = await pbkdf2InThreadPool(password, salt, iterations, keyLength, prf);
      try {
        return decryptPbes2(cipher.cipher, cipherParams, key, ciphertext);
      } finally {
        key.fill(0);
      }
    },
  };
}

function decryptPbes2(name: string, cipherParams: Asn1 | undefined, key: Buffer, ciphertext: Buffer): Buffer {
  if (name === 'des-cbc') return decryptDes(key, octets(cipherParams, 'PBES2 IV'), ciphertext);
  if (name === 'rc2-cbc') {
    // RFC 8018 B.2.3: RC2-CBC-Parameter ::= SEQUENCE { rc2ParameterVersion INTEGER OPTIONAL, iv }.
    const fields = sequence(cipherParams, 'RC2 parameters', 1);
    const iv = octets(fields[fields.length - 1], 'RC2 IV');
    const version = fields.length > 1 ? smallInteger(fields[0], 'RC2 version') : 32;
    const bits = RC2_VERSIONS[version] ?? (version >= 256 ? version : key.length * 8);
    return decryptRc2(key, iv, bits, ciphertext);
  }
  return decipher(name, key, octets(cipherParams, 'PBES2 IV'), ciphertext);
}

// RFC 8018 B.2.3: the RC2 "version" encodes the effective key bits.
const RC2_VERSIONS: Record<number, number> = { 160: 40, 120: 64, 58: 128 };

function algorithmName(id: string): string {
  return ALGORITHM_NAMES[id] ?? id;
}

function decryptDes(key: Buffer, iv: Buffer, ciphertext: Buffer): Buffer {
  if (key.length !== 8 || iv.length !== 8) throw new DerShapeError('bad DES parameters');
  const cipher = forge.cipher.createDecipher('DES-CBC', key.toString('binary'));
  cipher.start({ iv: iv.toString('binary') });
  cipher.update(forge.util.createBuffer(ciphertext.toString('binary')));
  if (!cipher.finish()) throw new WrongPassword();
  return Buffer.from(cipher.output.getBytes(), 'binary');
}

/** RC4 (stream cipher, no padding): a wrong password shows as garbage, found by the DER parse after. */
function rc4(key: Buffer, input: Buffer): Buffer {
  const s = Uint8Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  const out = Buffer.alloc(input.length);
  for (let n = 0, i = 0, j = 0; n < input.length; n++) {
    i = (i + 1) & 0xff;
    j = (j + s[i]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
    out[n] = input[n]! ^ s[(s[i]! + s[j]!) & 0xff]!;
  }
  s.fill(0);
  return out;
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
  if (iv.length !== 8 || bits < 1 || bits > 1024) throw new DerShapeError('bad RC2 parameters');
  const cipher = forge.rc2.createDecryptionCipher(key.toString('binary'), bits);
  cipher.start(iv.toString('binary'));
  cipher.update(forge.util.createBuffer(ciphertext.toString('binary')));
  if (!cipher.finish()) throw new WrongPassword();
  return Buffer.from(cipher.output.getBytes(), 'binary');
}
