import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildIsoImage,
  IsoError,
  type IsoReadableContent,
  type IsoTreeEntry,
  openIsoImage,
  writeIso,
  writeIsoSync,
} from '../src/index.js';
import { asIsoEntries, FIXTURE_DATE, fixtureTree, LONG_NAME, sha256 } from './fixture-tree.js';

const options = { volumeId: 'HDS_TEST', date: FIXTURE_DATE };

async function rejection(p: Promise<unknown>): Promise<IsoError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IsoError);
  return error as IsoError;
}

describe('ISO writer + reader', () => {
  it('round-trips the fixture tree with Rock Ridge names, modes and times', async () => {
    const tree = fixtureTree();
    const image = await openIsoImage(await buildIsoImage(asIsoEntries(tree), options));
    expect(image.volumeId).toBe('HDS_TEST');
    expect(image.namesFrom).toBe('rockridge');
    expect(image.list().map((e) => e.path)).toEqual(tree.map((e) => e.path).sort());
    for (const e of tree) {
      const info = image.stat(e.path)!;
      expect(info, e.path).toMatchObject({ type: e.type, mode: e.mode, mtime: e.mtime });
      if (e.content) expect(sha256(await image.readFile(e.path)), e.path).toBe(sha256(e.content));
    }
    expect(image.stat(`hds/${LONG_NAME}`)?.size).toBe(10);
    await image.close();
  });

  it('is deterministic: same entries (in any order) + same date → identical bytes', async () => {
    const entries = asIsoEntries(fixtureTree());
    const a = await buildIsoImage(entries, options);
    const b = await buildIsoImage([...entries].reverse(), options);
    expect(sha256(a)).toBe(sha256(b));
    const c = await buildIsoImage(entries, { ...options, date: new Date('2025-01-01T00:00:00Z') });
    expect(sha256(c)).not.toBe(sha256(a));
  });

  it('streams file contents given as streams and implies parent directories as 0555', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 5, 0x5a);
    const entries: IsoTreeEntry[] = [
      {
        type: 'file',
        path: 'x/y/big.bin',
        mode: 0o600,
        uid: 1000,
        gid: 1000,
        content: {
          size: big.length,
          async *stream() {
            for (let at = 0; at < big.length; at += 65536) yield big.subarray(at, at + 65536);
          },
        },
      },
    ];
    let chunks = 0;
    for await (const _ of writeIso(entries, options)) chunks++;
    expect(chunks).toBeGreaterThan(1);
    const image = await openIsoImage(await buildIsoImage(entries, options));
    expect(image.stat('x')).toMatchObject({ type: 'dir', mode: 0o555, mtime: FIXTURE_DATE });
    expect(image.stat('x/y/big.bin')).toMatchObject({ mode: 0o600, uid: 1000, gid: 1000, size: big.length });
    const parts: Uint8Array[] = [];
    for await (const p of image.createReadStream('x/y/big.bin')) parts.push(p);
    expect(Buffer.concat(parts).equals(big)).toBe(true);
  });

  it('refuses bad input with ISO_BAD_INPUT naming the problem, never a corrupt image', async () => {
    const file = (path: string, extra: Partial<IsoTreeEntry> = {}): IsoTreeEntry =>
      ({ type: 'file', path, mode: 0o644, content: Buffer.from('x'), ...extra }) as IsoTreeEntry;
    const cases: [IsoTreeEntry[], RegExp, Partial<typeof options>?][] = [
      [[file('a\0b')], /NUL/],
      [[file('/abs')], /relative/],
      [[file('a//b')], /empty name/],
      [[file('a/../b')], /"\.\."/],
      [[file('a'), file('a')], /listed twice/],
      [[file('a'), file('a/b')], /is a file/],
      [[file('x'.repeat(256))], /255 bytes/],
      [[file('m', { mode: 0o40755 })], /not a file mode/],
      [[file('u', { uid: -1 })], /uid/],
      [[file('t', { mtime: new Date('1850-01-01') })], /1900/],
      [
        [
          {
            type: 'file',
            path: 'huge',
            mode: 0o644,
            content: { size: 2 ** 32, stream: async function* () {} },
          },
        ],
        /4 GiB/,
      ],
      [[file('ok')], /d-characters/, { volumeId: 'lower case' }],
      [[file('ok')], /valid Date/, { date: new Date(Number.NaN) }],
    ];
    for (const [entries, message, opts] of cases) {
      const error = await rejection(buildIsoImage(entries, { ...options, ...opts }));
      expect(error.code, String(message)).toBe('ISO_BAD_INPUT');
      expect(error.message).toMatch(message);
    }
  });

  it('refuses a file that changes size while being written, from an async or a synchronous source', async () => {
    const asyncOf = (n: number) =>
      async function* () {
        yield Buffer.alloc(n);
      };
    const syncOf = (n: number) =>
      function* () {
        yield Buffer.alloc(Math.min(n, 4));
        yield Buffer.alloc(Math.max(n - 4, 0));
      };
    for (const streamOf of [asyncOf, syncOf])
      for (const actual of [5, 15]) {
        const error = await rejection(
          buildIsoImage(
            [{ type: 'file', path: 'f', mode: 0o644, content: { size: 10, stream: streamOf(actual) } }],
            options,
          ),
        );
        expect(error.code).toBe('ISO_BAD_INPUT');
        expect(error.message).toMatch(actual > 10 ? /grew/ : /shrank/);
      }
  });

  it('reads a synchronous source like an async one: the same image', async () => {
    const bytes = Buffer.from('x'.repeat(70_000) + 'y'.repeat(3000));
    const parts = [bytes.subarray(0, 100), bytes.subarray(100, 69_000), bytes.subarray(69_000)];
    const image = (stream: () => Iterable<Uint8Array> | AsyncIterable<Uint8Array>) =>
      buildIsoImage(
        [
          { type: 'file', path: 'a', mode: 0o644, content: { size: bytes.length, stream } },
          { type: 'file', path: 'b', mode: 0o644, content: Buffer.from('small') },
        ],
        options,
      );
    const fromSync = await image(function* () {
      yield* parts;
    });
    const fromAsync = await image(async function* () {
      yield* parts;
    });
    expect(fromSync.equals(fromAsync)).toBe(true);
    expect(fromSync.equals(await image(() => [bytes]))).toBe(true);
  });

  it('writes the same image synchronously, reading each file straight into its buffer', async () => {
    const big = Buffer.alloc(700_001, 7); // crosses the writer's buffer several times
    for (let i = 0; i < big.length; i += 997) big[i] = i % 251;
    const closed: string[] = [];
    const readerOf = (name: string, bytes: Buffer, trickle = false): IsoReadableContent => ({
      size: bytes.length,
      open: () => {
        let at = 0;
        return {
          read: (into, offset, length) => {
            const n = Math.min(length, bytes.length - at, trickle ? 3000 : length);
            into.set(bytes.subarray(at, at + n), offset);
            at += n;
            return n;
          },
          close: () => closed.push(name),
        };
      },
    });
    const small = Array.from({ length: 300 }, (_, i) => Buffer.from(`file ${i} `.repeat(i % 40)));
    const fixture = fixtureTree();
    const entries = (): IsoTreeEntry[] => [
      ...asIsoEntries(fixture),
      { type: 'file', path: 'data/big.bin', mode: 0o644, content: readerOf('big', big) },
      { type: 'file', path: 'data/trickle.bin', mode: 0o600, content: readerOf('trickle', big, true) },
      { type: 'file', path: 'data/empty', mode: 0o400, content: readerOf('empty', Buffer.alloc(0)) },
      ...small.map(
        (bytes, i): IsoTreeEntry => ({
          type: 'file',
          path: `data/small/${i}`,
          mode: 0o644,
          content: readerOf(`small ${i}`, bytes),
        }),
      ),
    ];
    const parts: Buffer[] = [];
    const size = writeIsoSync(entries(), options, (bytes) => parts.push(Buffer.from(bytes)));
    const image = Buffer.concat(parts);
    expect(size).toBe(image.length);
    expect(closed).toHaveLength(303); // every reader closed once
    expect(sha256(image)).toBe(sha256(await buildIsoImage(entries(), options)));
    const read = await openIsoImage(image);
    expect(sha256(await read.readFile('data/trickle.bin'))).toBe(sha256(big));
    expect((await read.readFile('data/small/299')).equals(small[299]!)).toBe(true);
    await read.close();
  });

  it('refuses, synchronously too, a file read through open() that grew or shrank, and closes it', () => {
    for (const actual of [0, 5, 15, 300_000]) {
      let closed = 0;
      const bytes = Buffer.alloc(actual, 1);
      const content: IsoReadableContent = {
        size: 10,
        open: () => {
          let at = 0;
          return {
            read: (into, offset, length) => {
              const n = Math.min(length, bytes.length - at);
              into.set(bytes.subarray(at, at + n), offset);
              at += n;
              return n;
            },
            close: () => closed++,
          };
        },
      };
      const attempt = () =>
        writeIsoSync([{ type: 'file', path: 'f', mode: 0o644, content }], options, () => {});
      expect(attempt).toThrow(IsoError);
      expect(attempt).toThrow(actual > 10 ? /"f" grew/ : new RegExp(`"f" shrank .*got ${actual}\\)`));
      expect(closed).toBe(2);
    }
  });

  it('refuses streamed contents in a synchronous write, before writing anything', () => {
    const written: Uint8Array[] = [];
    const attempt = () =>
      writeIsoSync(
        [{ type: 'file', path: 'a/s', mode: 0o644, content: { size: 1, stream: () => [Buffer.from('x')] } }],
        options,
        (bytes) => written.push(bytes),
      );
    expect(attempt).toThrow(/"a\/s" is given as a stream/);
    expect(written).toEqual([]);
  });

  it('round-trips any generated tree (property test)', async () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9._ ~é☃-]{1,40}$/).filter((s) => s !== '.' && s !== '..');
    const tree = fc.uniqueArray(
      fc.record({
        path: fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/')),
        mode: fc.integer({ min: 0, max: 0o7777 }),
        size: fc.integer({ min: 0, max: 5000 }),
        mtime: fc.integer({ min: 0, max: 4_000_000_000 }).map((s) => new Date(s * 1000)),
      }),
      { selector: (e) => e.path.toUpperCase(), maxLength: 25 },
    );
    await fc.assert(
      fc.asyncProperty(tree, async (files) => {
        // a path that is a prefix folder of another becomes a directory
        const dirs = new Set(
          files.flatMap((f) =>
            f.path
              .split('/')
              .slice(0, -1)
              .map((_, i, a) => a.slice(0, i + 1).join('/')),
          ),
        );
        const kept = files.filter((f) => !dirs.has(f.path));
        const entries: IsoTreeEntry[] = kept.map((f) => ({
          type: 'file',
          path: f.path,
          mode: f.mode,
          mtime: f.mtime,
          content: Buffer.alloc(f.size, f.path.length),
        }));
        const image = await openIsoImage(await buildIsoImage(entries, options));
        const files2 = image.list().filter((e) => e.type === 'file');
        expect(files2.map((e) => e.path).sort()).toEqual(kept.map((f) => f.path).sort());
        for (const f of kept) {
          expect(image.stat(f.path)).toMatchObject({ mode: f.mode, size: f.size, mtime: f.mtime });
          expect((await image.readFile(f.path)).equals(Buffer.alloc(f.size, f.path.length))).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });
});
