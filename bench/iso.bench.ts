// `hds-setup iso create` against `xorriso -as mkisofs -R -J`, `genisoimage -R -J` and `cat` of the
// same files into one output file (the read + write floor), on (a) a configuration-sized tree
// (20 files, 100 KB) and (b) a 512 MB tree of mixed file sizes. Figures are printed, not asserted.
// Targets on (b): no slower than the faster of xorriso and genisoimage, within 1.3× of the floor,
// and peak memory flat as the tree grows.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIsoFromDirectory } from '../server/src/cli/commands/iso-create.js';

const ROOT = new URL('..', import.meta.url).pathname;
const RUNS = 5;

interface Measured {
  seconds: number;
  peakRssMb?: number;
  /** user + system CPU time of the process (it can exceed the wall time with several threads). */
  cpuSeconds?: number;
}

interface Contender {
  name: string;
  command: string;
  args: string[];
  best: Measured;
}

/** One wall time of a command run under /usr/bin/time (which also gives peak RSS and CPU time). */
function timeOnce(command: string, args: string[], output: string): Measured {
  spawnSync('rm', ['-f', output]);
  const started = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'peak %M cpu %U %S', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`${command} failed: ${r.stderr.slice(-500)}`);
  const [, peak, user, system] = /peak (\d+) cpu ([\d.]+) ([\d.]+)/.exec(r.stderr) ?? [];
  spawnSync('rm', ['-f', output]);
  return {
    seconds,
    peakRssMb: Number(peak ?? 0) / 1024,
    cpuSeconds: Number(user ?? 0) + Number(system ?? 0),
  };
}

/**
 * Best of RUNS for each contender, taken in turns (one run of each, then again), so a passing
 * load on the machine or the disk's writeback of an earlier output falls on all of them alike.
 */
function timeInTurns(contenders: Contender[], output: string): void {
  for (let i = 0; i < RUNS; i++)
    for (const c of contenders) {
      const m = timeOnce(c.command, c.args, output);
      if (m.seconds < c.best.seconds) c.best = m;
    }
}

async function timeLibrary(tree: string, output: string): Promise<Measured> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < RUNS; i++) {
    await rm(output, { force: true });
    const started = performance.now();
    await createIsoFromDirectory(tree, output, { volumeId: 'BENCH', date: new Date(0), force: true });
    best = Math.min(best, (performance.now() - started) / 1000);
  }
  await rm(output, { force: true });
  return { seconds: best };
}

/** (a): 20 files, 100 KB in all, in two folders. */
async function configTree(root: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const dir = join(root, i < 10 ? 'hds' : 'hds/certs');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `file-${i}.json`), randomBytes(5 * 1024));
  }
}

/** (b): 512 MB — 2 × 102 MB, 40 × 4 MB, 600 × 200 KB, 4000 × 8 KB (+ rounding) over 50 folders. */
async function mixedTree(root: string): Promise<number> {
  const block = randomBytes(1024 * 1024);
  const plan: [number, number][] = [
    [2, 102 * 1024 * 1024],
    [40, 4 * 1024 * 1024],
    [600, 200 * 1024],
    [4000, 8 * 1024],
  ];
  let total = 0;
  let n = 0;
  for (const [count, size] of plan)
    for (let i = 0; i < count; i++, n++) {
      const dir = join(root, `dir-${n % 50}`);
      await mkdir(dir, { recursive: true });
      const content = Buffer.allocUnsafe(size);
      for (let at = 0; at < size; at += block.length) block.copy(content, at, (n * 7919) % 1024);
      content.writeUInt32LE(n, 0); // every file different
      await writeFile(join(dir, `f${n}.bin`), content);
      total += size;
    }
  return total;
}

export default async function isoBench(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'iso-bench-'));
  try {
    const small = join(work, 'config-tree');
    const big = join(work, 'mixed-tree');
    await configTree(small);
    const bytes = await mixedTree(big);
    console.log(`trees: (a) 20 files, 100 KB; (b) ${mixedTreeDescription(bytes)}; best of ${RUNS} runs each`);
    for (const [label, tree] of [
      ['(a) configuration-sized', small],
      ['(b) 512 MB mixed', big],
    ] as const) {
      const out = join(work, 'out.iso');
      const cli = join(ROOT, 'bin/hds-setup.js');
      const contender = (name: string, command: string, args: string[]): Contender => ({
        name,
        command,
        args,
        best: { seconds: Number.POSITIVE_INFINITY },
      });
      const all = {
        ours: contender('hds-setup iso create (CLI)', process.execPath, [
          cli,
          ...['iso', 'create', tree, '-o', out, '--date', '2024-01-01T00:00:00Z', '--force'],
        ]),
        startup: contender('  of which CLI start-up', process.execPath, [cli, '--version']),
        xorriso: contender('xorriso -as mkisofs -R -J', 'xorriso', [
          '-as',
          'mkisofs',
          '-quiet',
          '-R',
          '-J',
          '-o',
          out,
          tree,
        ]),
        genisoimage: contender('genisoimage -R -J', 'genisoimage', ['-quiet', '-R', '-J', '-o', out, tree]),
        nodeFloor: contender('Node read + write copy (no ISO)', process.execPath, [
          join(ROOT, 'bench/node-copy-floor.mjs'),
          tree,
          out,
        ]),
        floor: contender('cat (read + write floor)', 'sh', [
          '-c',
          `find "${tree}" -type f -print0 | xargs -0 cat > "${out}"`,
        ]),
      };
      // The tree was just written: let the disk settle and the page cache hold it before timing.
      spawnSync('sync');
      timeOnce(all.floor.command, all.floor.args, out);
      timeInTurns(Object.values(all), out);
      const library = await timeLibrary(tree, out);
      const [ours, startup, xorriso, genisoimage, nodeFloor, floor] = [
        all.ours,
        all.startup,
        all.xorriso,
        all.genisoimage,
        all.nodeFloor,
        all.floor,
      ].map((c) => c.best) as [Measured, Measured, Measured, Measured, Measured, Measured];
      const fastestTool = Math.min(xorriso.seconds, genisoimage.seconds);
      const row = (name: string, m: Measured, note = '') =>
        console.log(
          `  ${name.padEnd(34)} ${m.seconds.toFixed(3).padStart(7)} s  ${(m.seconds / floor.seconds).toFixed(2).padStart(5)}× floor  ${(m.seconds / fastestTool).toFixed(2).padStart(5)}× fastest tool${m.cpuSeconds !== undefined ? `  CPU ${m.cpuSeconds.toFixed(2)} s` : ''}${m.peakRssMb ? `  peak RSS ${m.peakRssMb.toFixed(0)} MB` : ''}${note}`,
        );
      console.log(`\n${label}`);
      row('hds-setup iso create (CLI)', ours);
      row('  of which CLI start-up', startup);
      row('iso library (in-process)', library);
      row('xorriso -as mkisofs -R -J', xorriso);
      row('genisoimage -R -J', genisoimage);
      row('Node read + write copy (no ISO)', nodeFloor);
      row('cat (read + write floor)', floor);
      console.log(
        `  hds-setup iso create is ${(ours.seconds / nodeFloor.seconds).toFixed(2)}× a bare Node copy of the same files, ` +
          `${(ours.seconds / fastestTool).toFixed(2)}× the fastest tool; the library warm in a running process is ` +
          `${(library.seconds / floor.seconds).toFixed(2)}× cat. cat (coreutils ≥ 9) copies once, inside the kernel ` +
          '(copy_file_range); a Node program copies through its memory (read, then write), and starts Node first.',
      );
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function mixedTreeDescription(bytes: number): string {
  return `4642 files, ${(bytes / 1024 / 1024).toFixed(0)} MB`;
}
