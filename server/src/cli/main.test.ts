import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../..', import.meta.url).pathname;
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/hds-setup.js', ...args], { cwd: ROOT, encoding: 'utf8' });

// These run the built CLI exactly as `npx hds-setup` would (npm test builds first).
describe('hds-setup CLI', () => {
  it('prints help and the version', () => {
    const help = run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Usage: hds-setup/);
    expect(help.stdout).toMatch(/serve/);
    const version = run('--version');
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('with --json, a usage error is one JSON object too', () => {
    const r = run('build', '--json');
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, errors: [{ code: 'INVALID_INPUT' }] });
    expect(JSON.parse(r.stdout).errors[0].message).toMatch(/--answers/);
  });

  it('exits 2 with a usage message for an unknown command, a bad option, or no command', () => {
    for (const args of [['frobnicate'], ['serve', '--nope'], [], ['serve', '--port', 'eighty']]) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/error|Usage/);
    }
  });
});
