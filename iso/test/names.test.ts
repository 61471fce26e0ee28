import { describe, expect, it } from 'vitest';
import { compareIdentifiers, plainIdentifiers } from '../src/d-characters.js';
import { buildIsoImage, IsoError, type IsoTreeEntry, openIsoImage } from '../src/index.js';
import { decodeUcs2, jolietIdentifiers } from '../src/joliet.js';

const ascii = (s: string) => Buffer.from(s, 'latin1');

describe('plain ISO 9660 and Joliet names', () => {
  it('mangles real names into unique level-1 d-character identifiers with ;1', () => {
    const names = [
      'manifest.json',
      'Manifest.JSON',
      'a b.tar.gz',
      '.hidden',
      'ünï.txt',
      'dir.with.dots',
      'x'.repeat(40),
    ];
    const ids = plainIdentifiers(names.map((name, i) => ({ name, isDir: i === 5 })));
    expect(ids).toEqual([
      'MANIFEST.JSO;1',
      'MANIFES1.JSO;1',
      'A_B_TAR.GZ;1',
      '_HIDDEN.;1',
      '_N_.TXT;1',
      'DIR_WITH',
      'XXXXXXXX.;1',
    ]);
    for (const id of ids) expect(id).toMatch(/^[A-Z0-9_]{1,8}(\.[A-Z0-9_]{0,3};1)?$/);
  });

  it('stays unique and fast for thousands of similar names', () => {
    const children = Array.from({ length: 20_000 }, (_, i) => ({
      name: `configuration-${i}.json`,
      isDir: false,
    }));
    const started = performance.now();
    const plain = plainIdentifiers(children);
    const joliet = jolietIdentifiers(children).map(decodeUcs2);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(new Set(plain).size).toBe(children.length);
    expect(new Set(joliet.map((j) => j.toUpperCase())).size).toBe(children.length);
  });

  it('orders records per ECMA-119 9.3 (name, then extension, space-padded, byte values: B < _)', () => {
    const ids = ['B.TXT;1', 'A.TXT;1', 'A_B.TXT;1', 'AB;1', 'A.T;1', 'A;1', 'A.TXT;2'].map(ascii);
    const sorted = [...ids].sort(compareIdentifiers).map((b) => b.toString('latin1'));
    expect(sorted).toEqual(['A;1', 'A.T;1', 'A.TXT;2', 'A.TXT;1', 'AB;1', 'A_B.TXT;1', 'B.TXT;1']);
  });

  it('shortens Joliet names to 64 characters keeping the extension, unique ignoring case', () => {
    const long = `${'n'.repeat(100)}.json`;
    const ids = jolietIdentifiers([
      { name: long, isDir: false },
      { name: `${'n'.repeat(101)}.json`, isDir: false },
      { name: 'a:b*c?.txt', isDir: false },
      { name: 'emoji 😀', isDir: true },
    ]).map(decodeUcs2);
    expect(ids[0]).toBe(`${'n'.repeat(59)}.json`);
    expect(ids[1]).toBe(`${'n'.repeat(57)}~1.json`);
    expect(ids[2]).toBe('a_b_c_.txt');
    expect(ids[3]).toBe('emoji _');
  });

  it('refuses a tree with more directories than the path table can number (65535)', async () => {
    const entries: IsoTreeEntry[] = Array.from({ length: 65_536 }, (_, i) => ({
      type: 'dir',
      path: `d${Math.floor(i / 1000)}/${i}`,
      mode: 0o755,
    }));
    const error = await buildIsoImage(entries, { volumeId: 'BIG', date: new Date(0) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IsoError);
    expect((error as IsoError).code).toBe('ISO_BAD_INPUT');
    expect((error as IsoError).message).toMatch(/65535/);
  });

  it('puts long Rock Ridge names in continuation areas that readers follow', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `${String(i).padStart(2, '0')}-${'é'.repeat(120)}`); // 243 bytes
    const image = await openIsoImage(
      await buildIsoImage(
        names.map((n) => ({ type: 'file', path: n, mode: 0o644, content: Buffer.from(n) })),
        { volumeId: 'LONG', date: new Date(0) },
      ),
    );
    expect(image.list().map((e) => e.path)).toEqual(names);
    expect((await image.readFile(names[7]!)).toString()).toBe(names[7]);
  });
});
