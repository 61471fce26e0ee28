import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HdsError, HdsErrors } from '../../../../contract/hds-error.js';
import { TestPki } from '../../../../scripts/test-env/certificate-fixtures.js';
import { checkPkcs12 } from './index.js';

const PASSWORD = Buffer.from('fuzz-password');
const RUNS = Number(process.env.HDS_FUZZ_ITERATIONS ?? 150);
let pki: TestPki;
let files: { name: string; bytes: Buffer }[];

/** A hostile file may only ever be "not a PKCS12" or "wrong password" — never a crash or another code. */
async function outcome(bytes: Buffer): Promise<string> {
  try {
    const result = await checkPkcs12(bytes, PASSWORD);
    return `ok:${result.summary.fingerprintSha256}`;
  } catch (error) {
    if (error instanceof HdsErrors) return error.errors.map((e) => e.code).join(',');
    if (error instanceof HdsError) return error.code;
    return `crash:${String(error)}`;
  }
}

beforeAll(async () => {
  pki = new TestPki();
  const leaf = pki.issueLeaf({ key: 'ec:prime256v1' });
  // No root is trusted here: the reading stage is what is fuzzed, so an intact file ends in
  // CERT_UNTRUSTED_ROOT, and a mutated one that still opens does too.
  files = [
    {
      name: 'OpenSSL 3 default',
      bytes: pki.pkcs12(leaf, PASSWORD.toString(), { chain: ['intermediate', 'root'] }),
    },
    {
      name: 'OpenSSL -legacy',
      bytes: pki.pkcs12(leaf, PASSWORD.toString(), { legacy: true, chain: ['intermediate', 'root'] }),
    },
  ];
  for (const file of files) expect(await outcome(file.bytes)).toBe('CERT_UNTRUSTED_ROOT');
});
afterAll(() => pki.cleanup());

const allowed = /^(P12_INVALID|P12_BAD_PASSWORD|CERT_UNTRUSTED_ROOT)$/;

describe('hostile PKCS12 input', () => {
  it('random bytes only ever give P12_INVALID or P12_BAD_PASSWORD', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 4096 }), async (bytes) => {
        expect(await outcome(Buffer.from(bytes))).toMatch(/^(P12_INVALID|P12_BAD_PASSWORD)$/);
      }),
      { numRuns: RUNS },
    );
  });

  it('random DER-looking prefixes (SEQUENCE headers) too', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 512 }), async (tail) => {
        const bytes = Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x03]), tail]);
        expect(await outcome(bytes)).toMatch(/^(P12_INVALID|P12_BAD_PASSWORD)$/);
      }),
      { numRuns: RUNS },
    );
  });

  it.each([0, 1])('mutated and truncated real files never give anything else (file %i)', async (index) => {
    const original = files[index]!.bytes;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: original.length - 1 }), fc.integer({ min: 1, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.option(fc.nat({ max: original.length - 1 }), { nil: undefined }),
        async (flips, cut) => {
          const bytes = Buffer.from(original);
          for (const [at, xor] of flips) bytes[at] = bytes[at]! ^ xor;
          const result = await outcome(cut === undefined ? bytes : bytes.subarray(0, cut));
          // A flip in a byte nobody reads (e.g. inside an unused attribute) may still open the file.
          expect(result).toMatch(allowed);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
