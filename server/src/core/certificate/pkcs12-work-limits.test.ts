import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HdsError } from '../../../../contract/hds-error.js';
import { type IssuedLeaf, TestPki } from '../../../../scripts/test-env/certificate-fixtures.js';
import { checkPkcs12 } from './index.js';

/**
 * A hostile PKCS12 may ask for any iteration count and any number of bags. Files are made with
 * OpenSSL at a distinctive `-iter`; counts OpenSSL would take minutes to write are forged into
 * its DER afterwards. A forged count is far beyond what could be derived within the test's
 * timeout, so an answer at all shows the file was refused before any key derivation ran.
 */
const PASSWORD = 'Limits-pass 3';
const pw = Buffer.from(PASSWORD);
const MARK = 2099; // the -iter given to OpenSSL; no other INTEGER in a PKCS12 has this value
let pki: TestPki;
let leaf: IssuedLeaf;
let trust: { trustRoots: string[] };

beforeAll(() => {
  pki = new TestPki();
  leaf = pki.issueLeaf({ key: 'ec:prime256v1' });
  trust = { trustRoots: [pki.rootPem] };
});
afterAll(() => pki.cleanup());

async function refusal(bytes: Buffer): Promise<HdsError> {
  try {
    await checkPkcs12(bytes, pw, trust);
  } catch (error) {
    if (error instanceof HdsError) return error;
    throw error;
  }
  throw new Error('the file was accepted');
}

const { Class, Type } = forge.asn1;

function integerBytes(n: number): string {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return Buffer.from(hex, 'hex').toString('binary');
}

/** Rewrites every INTEGER equal to `from`, also inside OCTET STRINGs that hold DER (plain safes). */
function forgeCount(der: Buffer, from: number, to: number, select: (seen: number) => boolean = () => true) {
  let seen = 0;
  const visit = (node: forge.asn1.Asn1): void => {
    if (Array.isArray(node.value)) for (const child of node.value) visit(child);
    else if (node.tagClass === Class.UNIVERSAL && node.type === Type.INTEGER) {
      if (node.value === integerBytes(from) && select(seen++)) node.value = integerBytes(to);
    } else if (node.tagClass === Class.UNIVERSAL && node.type === Type.OCTETSTRING && node.value.length > 2) {
      let inner: forge.asn1.Asn1;
      try {
        inner = forge.asn1.fromDer(forge.util.createBuffer(node.value), {
          strict: true,
          parseAllBytes: true,
          decodeBitStrings: false,
        } as unknown as boolean);
      } catch {
        return;
      }
      visit(inner);
      node.value = forge.asn1.toDer(inner).getBytes();
    }
  };
  const root = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
  visit(root);
  return Buffer.from(forge.asn1.toDer(root).getBytes(), 'binary');
}

const opensslFile = (args: string[] = []) =>
  pki.pkcs12(leaf, PASSWORD, { exportArgs: ['-iter', `${MARK}`, ...args] });

describe('iteration counts are read and bounded before any key derivation', () => {
  it('a file with the counts real tools write still opens (OpenSSL -iter 100000, as keytool)', async () => {
    const p12 = pki.pkcs12(leaf, PASSWORD, { exportArgs: ['-iter', '100000'] });
    expect((await checkPkcs12(p12, pw, trust)).summary.cn).toBe('kms.example.org');
  });

  it('a MAC count of 4 000 000 000 is P12_INVALID naming the count and saying to re-export', async () => {
    // Order in the DER: the encrypted certificate safe, the shrouded key, then the MAC (last).
    const p12 = forgeCount(opensslFile(), MARK, 4_000_000_000, (n) => n === 2);
    const error = await refusal(p12);
    expect(error.code).toBe('P12_INVALID');
    expect(error.field).toBe('p12');
    expect(error.message).toContain('4000000000');
    expect(error.message).toMatch(/integrity check/);
    expect(error.message).toMatch(/10000000/);
    expect(error.message).toMatch(/export it again with a normal iteration count/i);
  });

  it('a PBKDF2 count beyond the limit on the encrypted certificates or the key is refused the same way', async () => {
    for (const which of [0, 1]) {
      const error = await refusal(forgeCount(opensslFile(), MARK, 3_000_000_000, (n) => n === which));
      expect(error.code).toBe('P12_INVALID');
      expect(error.message).toContain('3000000000');
      expect(error.message).toMatch(/export it again with a normal iteration count/i);
    }
  });

  it('a PKCS12-PBE (-legacy) count beyond the limit is refused', async () => {
    const p12 = forgeCount(opensslFile(['-legacy']), MARK, 2_000_000_000, (n) => n < 2);
    const error = await refusal(p12);
    expect(error.code).toBe('P12_INVALID');
    expect(error.message).toContain('2000000000');
  });

  it('counts each within the limit but too much work in total are refused before deriving', async () => {
    // -legacy: MAC (1 block) + RC2-40 certificate safe (key and IV) + 3DES key (2 key blocks + IV):
    // 6 derivation blocks of 9 000 000 each, more than the file's whole budget.
    const p12 = forgeCount(opensslFile(['-legacy']), MARK, 9_000_000);
    const error = await refusal(p12);
    expect(error.code).toBe('P12_INVALID');
    expect(error.message).toContain('54000000');
    expect(error.message).toMatch(/40000000/);
    expect(error.message).toMatch(/export it again with a normal iteration count/i);
  });
});

describe('the number of bags is bounded', () => {
  const der = (node: forge.asn1.Asn1) => forge.asn1.toDer(node).getBytes();
  const seq = (items: forge.asn1.Asn1[]) => forge.asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, items);
  const oid = (id: string) =>
    forge.asn1.create(Class.UNIVERSAL, Type.OID, false, forge.asn1.oidToDer(id).getBytes());
  const octets = (bytes: string) => forge.asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, bytes);
  const tagged = (item: forge.asn1.Asn1) => forge.asn1.create(Class.CONTEXT_SPECIFIC, 0, true, [item]);
  const data = (bytes: string) => seq([oid('1.2.840.113549.1.7.1'), tagged(octets(bytes))]);
  const pfx = (safes: forge.asn1.Asn1[]) =>
    Buffer.from(
      der(seq([forge.asn1.create(Class.UNIVERSAL, Type.INTEGER, false, '\u0003'), data(der(seq(safes)))])),
      'binary',
    );

  const child = (node: forge.asn1.Asn1, ...path: number[]) =>
    path.reduce((n, i) => (n.value as forge.asn1.Asn1[])[i]!, node);
  const inner = (node: forge.asn1.Asn1) => forge.asn1.fromDer(forge.util.createBuffer(node.value as string));

  /** The shrouded key bag of an OpenSSL file at `count` PBKDF2 iterations, as forge nodes. */
  function shroudedKeyBag(count: number): forge.asn1.Asn1 {
    const p12 = forgeCount(opensslFile(), MARK, count);
    const authSafe = inner(child(forge.asn1.fromDer(p12.toString('binary')), 1, 1, 0));
    return child(inner(child(authSafe, 1, 1, 0)), 0);
  }

  it('many shrouded keys, each with an acceptable count, are refused before any is derived', async () => {
    // 12 keys at 5 000 000 PBKDF2 iterations: 60 000 000 in all, minutes of work.
    const bag = shroudedKeyBag(5_000_000);
    const error = await refusal(pfx([data(der(seq(Array.from({ length: 12 }, () => bag))))]));
    expect(error.code).toBe('P12_INVALID');
    expect(error.message).toContain('60000000');
    expect(error.message).toMatch(/export it again with a normal iteration count/i);
  });

  it('a file with more than 100 bags is P12_INVALID saying to export only the key and its chain', async () => {
    const certBag = seq([
      oid('1.2.840.113549.1.12.10.1.3'),
      tagged(
        seq([
          oid('1.2.840.113549.1.9.22.1'),
          tagged(
            octets(Buffer.from(leaf.certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('binary')),
          ),
        ]),
      ),
    ]);
    const error = await refusal(pfx([data(der(seq(Array.from({ length: 101 }, () => certBag))))]));
    expect(error.code).toBe('P12_INVALID');
    expect(error.message).toContain('101');
    expect(error.message).toMatch(/only the server's private key and its certificate chain/);
    // 100 bags are still read (then refused for what they hold, not for their number).
    const hundred = await refusal(pfx([data(der(seq(Array.from({ length: 100 }, () => certBag))))]));
    expect(hundred.message).not.toMatch(/bags/);
  });

  it('a file with more than 32 safes is refused', async () => {
    const error = await refusal(pfx(Array.from({ length: 33 }, () => data(der(seq([]))))));
    expect(error.code).toBe('P12_INVALID');
    expect(error.message).toContain('33');
  });
});
