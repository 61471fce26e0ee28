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

  it('serve takes a valid HDS_SETUP_TOKEN as a one-time token; each sign-in prints the next link, which also works once', async () => {
    const token = 'Valid_Token-0123456789abcdefghijKLM';
    const child = spawn(process.execPath, ['bin/hds-setup.js', 'serve', '--port', '0'], {
      cwd: ROOT,
      env: { ...process.env, HDS_SETUP_TOKEN: token },
    });
    try {
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const links = () => [...stdout.matchAll(/^(http:\/\/\S+\?token=\S+)\n/gm)].map((m) => m[1]!);
      /** Resolves once the terminal shows `count` links. */
      const linkCount = (count: number) =>
        new Promise<string[]>((resolve, reject) => {
          const check = () => links().length >= count && resolve(links());
          child.stdout.on('data', check);
          check();
          child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stdout}${stderr}`)));
        });
      child.stdout.on('data', (d) => (stdout += d));
      const [first] = await linkCount(1);
      expect(new URL(first!).searchParams.get('token')).toBe(token);
      const signIn = (t: string) =>
        fetch(new URL('/api/session', first), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'x-hds-client': 'web' },
          body: JSON.stringify({ token: t }),
        });
      expect((await signIn(token)).status).toBe(200);
      const [, second] = await linkCount(2);
      const next = new URL(second!).searchParams.get('token')!;
      expect(next).toMatch(/^[\w-]{32}$/);
      expect(next).not.toBe(token);
      const reused = await signIn(token);
      expect(reused.status).toBe(401);
      expect(((await reused.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe(
        'SIGN_IN_TOKEN_USED',
      );
      expect((await signIn(next)).status).toBe(200);
      const [, , third] = await linkCount(3);
      const reusedNext = await signIn(next);
      expect(((await reusedNext.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe(
        'SIGN_IN_TOKEN_USED',
      );
      expect(links()).toHaveLength(3);
      // The first two lines stay as they were; each later link follows a sentence of its own.
      expect(stdout).toMatch(
        /^Express server listening on port \d+\.\nhttp:\/\/127\.0\.0\.1:\d+\/\?token=\S+\n/,
      );
      expect(stdout.split('\n').filter((line) => line.includes(token))).toEqual([first]);
      expect(stdout.split('\n').filter((line) => line.includes(next))).toEqual([second]);
      expect(stdout).toMatch(
        /next one-time sign-in link.*\nhttp:\/\/127\.0\.0\.1:\d+\/\?token=\S+\n.*\nhttp:.*\n$/,
      );
      // The request log (stderr) saw every refusal and never a token.
      expect(stderr).toMatch(/SIGN_IN_TOKEN_USED/);
      const thirdToken = new URL(third!).searchParams.get('token')!;
      for (const t of [token, next, thirdToken]) expect(stderr).not.toContain(t);
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
