import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

const ROOT = new URL('..', import.meta.url).pathname;

export interface WizardProcess {
  url: string;
  /** The first one-time link (printed at start). Reading it counts as taking it. */
  readonly signInUrl: string;
  /**
   * The one unused link in the terminal: the first, or the one printed after the last sign-in.
   * Each link signs in once, so a spec that signs in again takes this, never `signInUrl` twice.
   */
  nextSignInUrl(): Promise<string>;
  port: number;
  /** Everything the server wrote to stdout and stderr so far (checked for leaked secrets). */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
}

/** Starts the built CLI (`hds-setup serve --port 0`) as a child process, as an admin would. */
export async function startWizard(env: Record<string, string> = {}): Promise<WizardProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [join(ROOT, 'bin/hds-setup.js'), 'serve', '--port', '0'],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const signInUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wizard did not start:\n${out}`)), 15_000);
    const check = () => {
      // The sign-in link is printed alone on its line (whole once its newline is there).
      const m = /^(http:\/\/\S+\?token=\S+)\r?\n/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`wizard exited (${code}):\n${out}`)));
  });
  const url = new URL(signInUrl);
  const taken = new Set<string>();
  const take = (link: string) => {
    taken.add(link);
    return link;
  };
  const printedLinks = () => [...out.matchAll(/^(http:\/\/\S+\?token=\S+)\r?\n/gm)].map((m) => m[1]!);
  return {
    url: url.origin,
    get signInUrl() {
      return take(signInUrl);
    },
    nextSignInUrl: async () => {
      // The next link is printed while the last sign-in is answered; the pipe may lag behind it.
      const deadline = Date.now() + 10_000;
      for (;;) {
        const newest = printedLinks().at(-1)!;
        if (!taken.has(newest)) return take(newest);
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`no unused sign-in link: sign in with the one taken before first.\n${out}`);
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            child.stdout!.off('data', onData);
            resolve();
          };
          // After the `out` collector has run for this chunk.
          const onData = () => setImmediate(done);
          const timer = setTimeout(done, deadline - Date.now() + 1);
          child.stdout!.once('data', onData);
        });
      }
    },
    port: Number(url.port),
    output: () => out,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve({ code: child.exitCode, ms: 0 });
        const started = Date.now();
        child.once('exit', (code) => resolve({ code, ms: Date.now() - started }));
        child.kill(signal);
      }),
  };
}

let browser: Browser | undefined;
let profile: string | undefined;

/** One headless Debian Chromium per test file (playwright-core never downloads a browser). */
export async function launchBrowser(): Promise<Browser> {
  profile = mkdtempSync(join(tmpdir(), 'hds-chromium-'));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  return browser;
}

export async function closeBrowser(): Promise<void> {
  await browser?.close();
  browser = undefined;
  if (profile) rmSync(profile, { recursive: true, force: true });
}

/** Collects what the page stored in the browser, to prove no secret is kept there. */
export async function browserStorageDump(page: Page): Promise<string> {
  const storage = await page.evaluate(async () => {
    const dbs = 'databases' in indexedDB ? await indexedDB.databases() : [];
    return JSON.stringify({
      local: { ...localStorage },
      session: { ...sessionStorage },
      indexedDb: dbs.map((d: IDBDatabaseInfo) => d.name),
    });
  });
  const cookies = await page.context().cookies();
  return `${storage}\n${JSON.stringify(cookies.map((c) => ({ name: c.name, value: c.value })))}`;
}

/**
 * Saves a full-page screenshot when HDS_E2E_SCREENSHOTS names a folder, so a person can look at
 * what a journey showed. Does nothing otherwise (screens may show non-secret data only anyway).
 */
export async function snapshot(page: Page, name: string): Promise<void> {
  const dir = process.env.HDS_E2E_SCREENSHOTS;
  if (dir) await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/**
 * Records what the page reports as broken: console errors, uncaught exceptions and every
 * Content-Security-Policy violation (even one a library caught, like an eval probe). An API
 * refusal (4xx) that the page shows as a message is expected, so Chromium's "Failed to load
 * resource … status of 4xx" line is not counted. Call before the first navigation.
 */
export async function watchPageProblems(page: Page): Promise<string[]> {
  const problems: string[] = [];
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`),
    );
  });
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) return;
    problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  return problems;
}
