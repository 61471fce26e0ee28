// Hostile images: every malformed image must end in IsoError ISO_INVALID — never another error,
// a hang or a crash. `npm test` runs a few thousand mutations; `npm run fuzz` runs 100 000
// (HDS_FUZZ_ITERATIONS).
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIsoImage, IsoError, openIsoImage } from '../src/index.js';
import { asIsoEntries, FIXTURE_DATE, fixtureTree, writeFixtureToDisk } from './fixture-tree.js';

const ITERATIONS = Number(process.env.HDS_FUZZ_ITERATIONS) || 3000;
const SLOW_MS = 2000;

let seeds: Buffer[] = [];
let work: string;

/** A small image with every structure in it: RR with CE (long name), Joliet, nesting, data. */
function seedTree() {
  return asIsoEntries(
    fixtureTree()
      .filter((e) => e.path !== 'random.bin')
      .concat([
        { path: 'small.bin', type: 'file', mode: 0o600, mtime: FIXTURE_DATE, content: Buffer.alloc(3000, 1) },
      ]),
  );
}

beforeAll(async () => {
  seeds = [await buildIsoImage(seedTree(), { volumeId: 'FUZZ', date: FIXTURE_DATE })];
  // xorriso's and genisoimage's layouts too (relocated directories, their own SUSP order)
  work = await mkdtemp(join(tmpdir(), 'iso-fuzz-'));
  await writeFixtureToDisk(
    fixtureTree().filter((e) => e.path !== 'random.bin'),
    join(work, 'tree'),
  );
  execFileSync('genisoimage', ['-quiet', '-R', '-J', '-o', join(work, 'g.iso'), join(work, 'tree')]);
  execFileSync(
    'xorriso',
    ['-as', 'mkisofs', '-quiet', '-R', '-J', '-o', join(work, 'x.iso'), join(work, 'tree')],
    {
      stdio: 'ignore',
    },
  );
  seeds.push(await readFile(join(work, 'g.iso')), await readFile(join(work, 'x.iso')));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** Opens, lists and reads everything; returns the error if any. */
async function exercise(image: Uint8Array): Promise<unknown> {
  try {
    const iso = await openIsoImage(image);
    for (const e of iso.list()) {
      iso.stat(e.path);
      if (e.type === 'file') await iso.readFile(e.path);
    }
    await iso.close();
    return undefined;
  } catch (error) {
    return error;
  }
}

async function expectOnlyIsoInvalid(image: Uint8Array, label: string): Promise<void> {
  const started = performance.now();
  const error = await exercise(image);
  const took = performance.now() - started;
  if (took > SLOW_MS) throw new Error(`${label}: took ${Math.round(took)} ms (a hang?)`);
  if (error === undefined) {
    outcomes.read++;
    return;
  }
  if (!(error instanceof IsoError) || error.code !== 'ISO_INVALID')
    throw new Error(`${label}: expected IsoError ISO_INVALID, got ${String(error)}`);
  outcomes.invalid++;
}

const outcomes = { read: 0, invalid: 0 };

const op = fc.oneof(
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('u32' as const),
    at: fc.nat(),
    value: fc.constantFrom(0, 1, 15, 16, 17, 2047, 2048, 0x7fff_ffff, 0xffff_ffff, 0x10000),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('random' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  }),
);

type Mutation = { kind: string; at: number; value?: number; bytes?: Uint8Array };

function mutate(seed: Buffer, ops: Mutation[]): Buffer {
  let image = Buffer.from(seed);
  // Aim at the descriptors and directories (sector 16 up to where file data starts in the seeds).
  const span = Math.min(image.length, 64 * 2048) - 16 * 2048;
  for (const o of ops) {
    const at = 16 * 2048 + (o.at % span);
    if (at >= image.length) continue;
    if (o.kind === 'byte') image[at] = o.value!;
    else if (o.kind === 'u32' && at + 8 <= image.length) {
      image.writeUInt32LE(o.value!, at);
      image.writeUInt32BE(o.value!, at + 4);
    } else if (o.kind === 'truncate') image = image.subarray(0, at);
    else if (o.kind === 'random') image.set(o.bytes!.subarray(0, Math.max(0, image.length - at)), at);
  }
  return image;
}

describe(`ISO reader under hostile input (${ITERATIONS} mutated images)`, () => {
  it('seeds are valid', async () => {
    for (const s of seeds) expect(await exercise(s)).toBeUndefined();
  });

  it(
    'mutated images end in ISO_INVALID or read fine, never anything else',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: 2 }),
          fc.array(op, { minLength: 1, maxLength: 8 }),
          async (which, ops) => {
            const seed = seeds[which % seeds.length]!;
            await expectOnlyIsoInvalid(mutate(seed, ops), `seed ${which}, ops ${JSON.stringify(ops)}`);
          },
        ),
        { numRuns: ITERATIONS },
      );
      expect(outcomes.read + outcomes.invalid).toBe(ITERATIONS);
      console.log(
        `fuzz: ${ITERATIONS} mutated images → ${outcomes.invalid} ISO_INVALID, ${outcomes.read} still readable, 0 other errors, 0 hangs`,
      );
    },
    60_000 + ITERATIONS * 20,
  );

  it('random bytes, with and without an ISO signature, end in ISO_INVALID', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 0, maxLength: 40_000 }),
        fc.boolean(),
        async (bytes, sign) => {
          const image = Buffer.alloc(Math.max(bytes.length, sign ? 36_864 : 0));
          image.set(bytes);
          if (sign) {
            image.write('\u0001CD001\u0001', 16 * 2048, 'latin1');
            image.write('\u00ffCD001\u0001', 17 * 2048, 'latin1');
          }
          await expectOnlyIsoInvalid(image, 'random image');
        },
      ),
      { numRuns: Math.max(200, Math.floor(ITERATIONS / 10)) },
    );
  });

  it('names the problem for a directory loop, an absurd size and a truncated image', async () => {
    const good = seeds[0]!;
    const reader = await openIsoImage(good);
    expect(reader.list().length).toBeGreaterThan(5);
    await reader.close();
    const rootLocation = good.readUInt32LE(16 * 2048 + 156 + 2);

    // a loop: the "hds" directory record points back at the root directory
    const loop = Buffer.from(good);
    const rootDir = rootLocation * 2048;
    let at = rootDir;
    while (loop[at] && loop.toString('latin1', at + 33, at + 33 + loop[at + 32]!) !== 'HDS') at += loop[at]!;
    loop.writeUInt32LE(rootLocation, at + 2);
    loop.writeUInt32BE(rootLocation, at + 6);
    await expect(openIsoImage(loop)).rejects.toMatchObject({ code: 'ISO_INVALID', message: /loop/ });

    const absurd = Buffer.from(good);
    absurd.writeUInt32LE(0xffff_fff0, at + 10);
    await expect(openIsoImage(absurd)).rejects.toMatchObject({ code: 'ISO_INVALID', message: /bytes/ });

    await expect(openIsoImage(good.subarray(0, good.length - 4096))).rejects.toMatchObject({
      code: 'ISO_INVALID',
      message: /truncated/,
    });
    await expect(openIsoImage(Buffer.alloc(100))).rejects.toMatchObject({ code: 'ISO_INVALID' });
  });
});
