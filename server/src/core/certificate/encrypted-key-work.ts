import { type Asn1, DerShapeError, octets, oid, parseDer, sequence, smallInteger } from './der.js';
import { MAX_ITERATIONS_PER_DERIVATION } from './pkcs12-work-budget.js';

/**
 * The largest EncryptedPrivateKeyInfo read: an encrypted RSA 16384-bit key is about 10 KB. Bounds
 * the parse; node-forge bounds the nesting itself (its maxDepth) and checks every length (strict).
 */
export const MAX_ENCRYPTED_KEY_BYTES = 64 * 1024;
/**
 * scrypt memory, counted as OpenSSL 3 does (128·r·(N+2) + 512·r·p bytes), at most its own default
 * limit of 32 MiB: Node's OpenSSL refuses more anyway (ERR_OSSL_EVP_MEMORY_LIMIT_EXCEEDED, which would
 * read as a wrong passphrase), and `openssl pkcs8 -scrypt` will not write more (N=16384, r=8 is its
 * default: 16 MiB). So 1 GiB (N=1048576, r=8) is refused: no OpenSSL-made key asks for it.
 */
export const MAX_SCRYPT_MEMORY = 32 * 1024 * 1024;
/**
 * scrypt work, 128·N·r·p bytes mixed: 16 times OpenSSL's default (N=16384, r=8, p=1; ~70 ms), about a
 * second. Memory alone does not bound it: p runs one after another in the same memory, so N=16384,
 * r=8, p=4000 fits in 32 MiB yet takes minutes.
 */
export const MAX_SCRYPT_WORK = 256 * 1024 * 1024;

/** The key asks for more derivation work than any real key; `detail` says what and the limit. */
export class KeyDecryptionTooCostly extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}

const PBES2 = '1.2.840.113549.1.5.13';
const PBKDF2 = '1.2.840.113549.1.5.12';
const SCRYPT = '1.3.6.1.4.1.11591.4.11';
// PBES1 (RFC 8018 6.1) and PKCS#12 PBE (RFC 7292 C): params are SEQUENCE { salt, iterations }.
const PBES1 = new Set([
  '1.2.840.113549.1.5.1',
  '1.2.840.113549.1.5.3',
  '1.2.840.113549.1.5.4',
  '1.2.840.113549.1.5.6',
  '1.2.840.113549.1.5.10',
  '1.2.840.113549.1.5.11',
]);
const PKCS12_PBE_PREFIX = '1.2.840.113549.1.12.1.';

/**
 * Reads an EncryptedPrivateKeyInfo (RFC 5958) far enough to know the key derivation it asks for,
 * before OpenSSL runs it synchronously: PBKDF2, PBES1 and PKCS#12 PBE counts at most the PKCS12
 * reader's per-derivation limit, scrypt within MAX_SCRYPT_MEMORY and MAX_SCRYPT_WORK. Throws
 * DerShapeError for a structure that is not one, KeyDecryptionTooCostly beyond a limit. Schemes it
 * does not know are left to OpenSSL, which refuses them without deriving anything.
 */
export function checkEncryptedKeyWork(der: Buffer): void {
  if (der.length > MAX_ENCRYPTED_KEY_BYTES)
    throw new DerShapeError(`${der.length} bytes, more than any encrypted private key`);
  const [algorithm, data] = sequence(parseDer(der), 'EncryptedPrivateKeyInfo', 2);
  octets(data, 'encrypted key');
  const [schemeOid, params] = sequence(algorithm, 'encryption algorithm', 1);
  const scheme = oid(schemeOid, 'encryption algorithm');
  if (scheme === PBES2) checkPbes2(params);
  else if (PBES1.has(scheme) || scheme.startsWith(PKCS12_PBE_PREFIX)) {
    const [salt, iterations] = sequence(params, 'PBE parameters', 2);
    octets(salt, 'PBE salt');
    checkIterations(smallInteger(iterations, 'PBE iterations'), 'password-based encryption');
  }
}

function checkPbes2(params: Asn1 | undefined): void {
  const [kdf, encryption] = sequence(params, 'PBES2 parameters', 2);
  sequence(encryption, 'PBES2 cipher', 1);
  const [kdfOid, kdfParams] = sequence(kdf, 'PBES2 key derivation', 2);
  const kdfId = oid(kdfOid, 'PBES2 key derivation');
  if (kdfId === PBKDF2) {
    const [salt, iterations] = sequence(kdfParams, 'PBKDF2 parameters', 2);
    octets(salt, 'PBKDF2 salt');
    checkIterations(smallInteger(iterations, 'PBKDF2 iterations'), 'PBKDF2');
  } else if (kdfId === SCRYPT) {
    // RFC 7914 7.1: SEQUENCE { salt, costParameter N, blockSize r, parallelizationParameter p, keyLength? }
    const [salt, nNode, rNode, pNode] = sequence(kdfParams, 'scrypt parameters', 4);
    octets(salt, 'scrypt salt');
    const n = smallInteger(nNode, 'scrypt N');
    const r = smallInteger(rNode, 'scrypt r');
    const p = smallInteger(pNode, 'scrypt p');
    if (n < 2 || (n & (n - 1)) !== 0 || n > 2 ** 32 || r < 1 || p < 1)
      throw new DerShapeError(`scrypt N=${n}, r=${r}, p=${p} are not valid scrypt parameters`);
    const memory = 128 * r * (n + 2) + 512 * r * p;
    if (memory > MAX_SCRYPT_MEMORY)
      throw new KeyDecryptionTooCostly(
        `its encryption asks scrypt (N=${n}, r=${r}, p=${p}) for ${memory} bytes of memory (at most ${MAX_SCRYPT_MEMORY} are given, OpenSSL's own limit)`,
      );
    const work = 128 * n * r * p;
    if (work > MAX_SCRYPT_WORK)
      throw new KeyDecryptionTooCostly(
        `its encryption asks scrypt (N=${n}, r=${r}, p=${p}) to mix ${work} bytes (128·N·r·p; at most ${MAX_SCRYPT_WORK} are read)`,
      );
  }
}

function checkIterations(iterations: number, kdf: string): void {
  if (iterations < 1) throw new DerShapeError(`${kdf} asks for ${iterations} iterations`);
  if (iterations > MAX_ITERATIONS_PER_DERIVATION)
    throw new KeyDecryptionTooCostly(
      `its encryption asks for ${iterations} ${kdf} iterations (at most ${MAX_ITERATIONS_PER_DERIVATION} are read)`,
    );
}
