import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigIsoSummary } from '../contract/config-iso.js';

/**
 * Reads a downloaded configuration ISO the way an admin or a node team would: with the built CLI
 * (`hds-setup inspect`) and with independent tools (bsdtar, isoinfo), never with our own reader.
 */
const ROOT = new URL('..', import.meta.url).pathname;

export interface InspectResult {
  exitCode: number;
  /** The parsed `--json` output. */
  json: { ok: boolean; errors?: { code: string; message: string }[] } & Record<string, unknown>;
}

export function inspectIso(path: string): InspectResult {
  const run = spawnSync(process.execPath, [join(ROOT, 'bin/hds-setup.js'), 'inspect', path, '--json'], {
    encoding: 'utf8',
  });
  try {
    return { exitCode: run.status ?? -1, json: JSON.parse(run.stdout) };
  } catch {
    throw new Error(`hds-setup inspect printed no JSON (exit ${run.status}): ${run.stderr.slice(0, 500)}`);
  }
}

/** The summary in `inspect --json`, whether printed flat or under `summary`. */
export function summaryOf(result: InspectResult): ConfigIsoSummary {
  return (result.json.summary ?? result.json) as unknown as ConfigIsoSummary;
}

export function extractIso(path: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('bsdtar', ['-xf', path, '-C', dir]);
}

/** Every file's mode as Rock Ridge records it, by path (e.g. `hds/secrets/master-key` → 0o400). */
export function rockRidgeModes(path: string): Map<string, number> {
  const listing = execFileSync('isoinfo', ['-R', '-l', '-i', path], { encoding: 'utf8' });
  const modes = new Map<string, number>();
  let dir = '';
  for (const line of listing.split('\n')) {
    const heading = /^Directory listing of \/(.*)$/.exec(line);
    if (heading) {
      dir = heading[1]!;
      continue;
    }
    const entry = /^([-d])([-rwxsStT]{9})\s.*\]\s+(\S.*?)\s*$/.exec(line);
    if (!entry || entry[1] === 'd') continue;
    modes.set(`${dir}${entry[3]}`, permissionBits(entry[2]!));
  }
  return modes;
}

function permissionBits(rwx: string): number {
  let mode = 0;
  for (let i = 0; i < 9; i++) if (rwx[i] !== '-') mode |= 1 << (8 - i);
  return mode;
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}
