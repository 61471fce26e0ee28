import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
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

  it('`help <command>` exits 0; `help <unknown>` is a usage error', () => {
    const help = run('help', 'build');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Usage: hds-setup build/);
    expect(run('help', 'frobnicate').status).toBe(2);
  });

  it('a usage problem found inside a command exits 2, not 1 with "failed unexpectedly"', () => {
    const usage = run('cert', 'check', '/nonexistent/kms.p12', '--json');
    expect(usage.status).toBe(2);
    expect(JSON.parse(usage.stdout)).toMatchObject({ ok: false, errors: [{ code: 'INVALID_INPUT' }] });
    expect(usage.stdout + usage.stderr).not.toMatch(/unexpectedly|\n\s+at /);
  });

  it('a named file that does not exist exits 1 with FILE_UNREADABLE, from the built CLI too', () => {
    const missing = run('cert', 'check', '/nonexistent/kms.p12', '--password-env', 'PATH', '--json');
    expect(missing.status).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({
      ok: false,
      errors: [{ code: 'FILE_UNREADABLE', field: 'p12', message: expect.stringMatching(/does not exist/) }],
    });
    expect(missing.stdout + missing.stderr).not.toMatch(/unexpectedly|\n\s+at /);
  });

  it('stops quietly when its output is closed early (`| head`), without a stack trace', async () => {
    const child = spawn(process.execPath, ['bin/hds-setup.js', '--help'], { cwd: ROOT });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(code).toBe(0);
  });

  it('serve refuses an HDS_SETUP_TOKEN that is too short or not URL-safe base64 (exit 1), never echoing it', () => {
    const serve = (token: string) =>
      spawnSync(process.execPath, ['bin/hds-setup.js', 'serve', '--port', '0'], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, HDS_SETUP_TOKEN: token },
        timeout: 10_000,
      });
    for (const token of ['abc', 'a'.repeat(31), `${'a'.repeat(32)}+/=`, `${'b'.repeat(40)} `]) {
      const r = serve(token);
      expect(r.status, JSON.stringify(token)).toBe(1);
      expect(r.stderr).toMatch(
        /^error SERVE_TOKEN_INVALID: HDS_SETUP_TOKEN .*at least 32 characters.*A-Z a-z 0-9 - _.*unset HDS_SETUP_TOKEN/,
      );
      expect(r.stdout).not.toMatch(/listening/);
      if (token.length > 3) expect(r.stderr).not.toContain(token.trim());
    }
  });

  it('serve takes a valid HDS_SETUP_TOKEN (32+ URL-safe base64 characters) as the sign-in token', async () => {
    const token = 'Valid_Token-0123456789abcdefghijKLM';
    const child = spawn(process.execPath, ['bin/hds-setup.js', 'serve', '--port', '0'], {
      cwd: ROOT,
      env: { ...process.env, HDS_SETUP_TOKEN: token },
    });
    try {
      let out = '';
      const link = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d) => {
          out += d;
          const m = /^(http:\/\/\S+)\r?\n/m.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
      });
      expect(new URL(link).searchParams.get('token')).toBe(token);
    } finally {
      if (child.exitCode === null) {
        const closed = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await closed;
      }
    }
  });

  it('serve on a port in use says so and how to fix it (exit 1: the command line was right), without a stack trace', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const r = run('serve', '--port', String(port));
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(`^error SERVE_CANNOT_LISTEN: 127\\.0\\.0\\.1:${port} is already in use.*--port`),
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
      const host = run('serve', '--host', 'no-such-host.invalid', '--port', '0');
      expect(host.status).toBe(1);
      expect(host.stderr).toMatch(/--host no-such-host.invalid is not an address/);
    } finally {
      busy.close();
    }
  });
});
