import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pemBlocks } from './pem-blocks.js';

const REGEX = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const byRegex = (text: string) => [...text.matchAll(REGEX)].map(([, label, body]) => ({ label, body }));

describe('PEM blocks', () => {
  it('finds what the PEM regex finds, for texts made of PEM fragments', () => {
    const piece = fc.constantFrom(
      '-----BEGIN ',
      '-----END ',
      '-----',
      '----',
      'CERTIFICATE',
      'PKCS7',
      'A',
      'A B',
      'X509 CERTIFICATE',
      'MIIB',
      '\n',
      ' ',
      '-',
      'a',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const text = pieces.join('');
        expect(pemBlocks(text)).toEqual(byRegex(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('reads real PEM: several blocks, headers, nested and unterminated BEGINs', () => {
    const text = [
      'junk -----BEGIN CERTIFICATE-----',
      '-----BEGIN PKCS7-----\nMIIC\n-----END PKCS7-----',
      'Proc-Type: 4,ENCRYPTED',
      '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
      '-----BEGIN X509 CERTIFICATE-----',
    ].join('\n');
    expect(pemBlocks(text)).toEqual(byRegex(text));
    expect(pemBlocks(text).map((b) => b.label)).toEqual(['CERTIFICATE']);
  });

  it('stays linear on thousands of BEGIN lines without END, and of distinct labels', () => {
    for (const text of [
      '-----BEGIN A-----'.repeat(30_000),
      Array.from({ length: 30_000 }, (_, i) => `-----BEGIN L${i}-----`).join(''),
      `${Array.from({ length: 15_000 }, (_, i) => `-----END L${i}-----`).join('')}${'-----BEGIN L1-----'.repeat(15_000)}`,
    ]) {
      const started = performance.now();
      expect(pemBlocks(text)).toEqual([]);
      expect(performance.now() - started).toBeLessThan(300);
    }
  });
});
