import * as crypto from 'node:crypto';

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
 * RFC 7292 Appendix B.2, with Node's native hashes (node-forge's pure-JS version takes seconds at
 * the iteration counts Java and Windows use).
 */
export function pkcs12Kdf(
  hash: string,
  password: Buffer,
  salt: Buffer,
  id: number,
  iterations: number,
  length: number,
  absentPassword = false,
): Buffer {
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
    let a = hashOnce(hash, Buffer.concat([d, input]));
    for (let i = 1; i < iterations; i++) a = hashOnce(hash, a);
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
