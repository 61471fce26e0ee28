import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { vi } from 'vitest';
import { main } from '../../server/src/cli/main.js';

const ROOT = new URL('../..', import.meta.url).pathname;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `hds-setup <args>` in process through the real entry point (`main`: commander, every
 * command, runCommand's exit codes), capturing what it prints. Faster than a child process; the
 * built `bin/hds-setup.js` is exercised by the tests that spawn it.
 */
export async function runCli(...args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    stdout += String(s);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    stderr += String(s);
    return true;
  });
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/**
 * Runs the built `bin/hds-setup.js <args>` from the repository root as another OS user
 * (`runuser -u <user>`, so root only): root reads every file, an unprivileged user meets the modes.
 */
export function runBuiltCliAs(user: string, ...args: string[]): SpawnSyncReturns<string> {
  return spawnSync('runuser', ['-u', user, '--', process.execPath, 'bin/hds-setup.js', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
}
