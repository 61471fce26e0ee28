import * as crypto from 'node:crypto';
import { setImmediate } from 'node:timers/promises';

/** The PKCS12 key-derivation purposes (RFC 7292 Appendix B.3). */
export const KDF_ID_MAC = 3;

/** The hashes a PKCS12 MAC may use (`openssl pkcs12 -macalg`), with their block size v in bytes. */
export const KDF_BLOCK_BYTES: Record<string, number> = {
  md5: 64,
  sha1: 64,
  sha224: 64,
  sha256: 64,
  sha384: 128,
  sha512: 128,
  'sha512-224': 128,
  'sha512-256': 128,
  'sha3-224': 144,
  'sha3-256': 136,
  'sha3-384': 104,
  'sha3-512': 72,
  sm3: 64,
};

/** Node 20.12+ has a one-shot hash, about twice as fast in the long KDF loops; older 20.x fall back. */
const oneShot = (crypto as { hash?: (algorithm: string, data: Buffer, encoding: 'buffer') => Buffer }).hash;
export function hashOnce(algorithm: string, data: Buffer): Buffer {
  return oneShot ? oneShot(algorithm, data, 'buffer') : crypto.createHash(algorithm).update(data).digest();
}

/**
 * The PKCS12 password as RFC 7292 B.1 wants it: BMPString (UTF-16BE) with two trailing zero
 * bytes. `absent` gives the zero-length form some tools use for "no password" (OpenSSL tries both).
 */
export function bmpPassword(password: Buffer, absent = false): Buffer {
  const text = password.toString('utf8');
  if (absent) return Buffer.alloc(0);
  const out = Buffer.alloc(text.length * 2 + 2);
  for (let i = 0; i < text.length; i++) out.writeUInt16BE(text.charCodeAt(i), i * 2);
  return out;
}

/**
 * Hash rounds between two pauses of the async forms: about 30 ms of SHA-256 on a laptop core.
 * Node has no native PKCS12 KDF or PBKDF1, so these loops run JavaScript on the event loop; the
 * reader's forms yield every slice so the wizard's server keeps answering, and the total work of a
 * file is bounded beforehand (Pkcs12WorkBudget).
 */
const ROUNDS_PER_SLICE = 20_000;

/** `first` hashed `rounds - 1` more times (PBKDF1's and the PKCS12 KDF's inner loop). */
function* repeatHash(hash: string, first: Buffer, rounds: number): Generator<void, Buffer> {
  let a = first;
  for (let i = 1; i < rounds; i++) {
    a = hashOnce(hash, a);
    if (i % ROUNDS_PER_SLICE === 0) yield;
  }
  return a;
}

function runToEnd<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

async function runInSlices<T>(steps: Generator<void, T>): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await setImmediate();
  }
}

/** PBKDF1's loop (RFC 8018 5.1), yielding to the event loop between slices. */
export function repeatHashInSlices(hash: string, first: Buffer, rounds: number): Promise<Buffer> {
  return runInSlices(repeatHash(hash, first, rounds));
}

/**
 * RFC 7292 Appendix B.2, with Node's native hashes (node-forge's pure-JS version takes seconds at
 * the iteration counts Java and Windows use). Synchronous, for the files hds-setup writes itself
 * at a fixed count; `pkcs12KdfInSlices` for files read from outside.
 */
export function pkcs12Kdf(...args: Parameters<typeof deriveKey>): Buffer {
  return runToEnd(deriveKey(...args));
}

export function pkcs12KdfInSlices(...args: Parameters<typeof deriveKey>): Promise<Buffer> {
  return runInSlices(deriveKey(...args));
}

function* deriveKey(
  hash: string,
  password: Buffer,
  salt: Buffer,
  id: number,
  iterations: number,
  length: number,
  absentPassword = false,
): Generator<void, Buffer> {
  const v = KDF_BLOCK_BYTES[hash]!;
  const repeatTo = (source: Buffer): Buffer => {
    if (source.length === 0) return Buffer.alloc(0);
    const size = v * Math.ceil(source.length / v);
    const out = Buffer.alloc(size);
    for (let i = 0; i < size; i++) out[i] = source[i % source.length]!;
    return out;
  };
  const d = Buffer.alloc(v, id);
  const bmp = bmpPassword(password, absentPassword);
  const input = Buffer.concat([repeatTo(salt), repeatTo(bmp)]);
  bmp.fill(0);
  const chunks: Buffer[] = [];
  let produced = 0;
  while (produced < length) {
    const a = yield* repeatHash(hash, hashOnce(hash, Buffer.concat([d, input])), iterations);
    chunks.push(a);
    produced += a.length;
    if (produced >= length) break;
    // I_j = (I_j + B + 1) mod 2^(v*8) for every v-byte block of I.
    const b = repeatTo(a).subarray(0, v);
    for (let j = 0; j < input.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = input[j + k]! + b[k]! + carry;
        input[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  input.fill(0);
  return Buffer.concat(chunks).subarray(0, length);
}
