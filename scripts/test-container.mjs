// `npm run test:container`: builds the project's Dockerfile with podman and runs the image the
// way a partner admin does — published on 127.0.0.1 only, read-only, signed in from a real
// headless Chromium with the printed link — then stops it with Ctrl+C (SIGINT) and with
// `podman stop`. Prints build time, image size, start and stop times; exits non-zero on any
// failure and removes every container it started. No registry is reachable here, so the
// Dockerfile's FROM image is a local stand-in (scripts/container-test/base-image.mjs) and npm
// installs from the machine's npm cache (`npm ci` filled it) with the network off.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBaseImage } from './container-test/base-image.mjs';
import { podman, podmanChild, privatePodman } from './container-test/podman.mjs';
import { ensureSystemPackages } from './system-packages.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const IMAGE_SIZE_LIMIT_MB = 250;
const STOP_LIMIT_MS = 2000;
const RUN_ID = `${process.pid}-${Date.now().toString(36)}`;
const IMAGE = `localhost/hds-setup-test:${RUN_ID}`;

const figures = [];
const started = []; // container names to remove at the end
const work = mkdtempSync(join(tmpdir(), 'hds-container-test-'));
let p;

function log(line) {
  console.log(`[test:container] ${line}`);
}

/** `what` is printed as the step passes; `found` (what was seen instead) only when it fails. */
function check(condition, what, found = '') {
  if (!condition) throw new Error(`expected ${what}${found ? `, found: ${found}` : ''}`);
  log(`ok: ${what}`);
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The Dockerfile's default FROM image: what the stand-in base image is tagged as. */
function fromImageName() {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const m = /^ARG NODE_IMAGE=(\S+)/m.exec(dockerfile);
  if (!m)
    throw new Error('Dockerfile has no `ARG NODE_IMAGE=<image>` line to take the base image name from.');
  return m[1];
}

function npmCacheDir() {
  const dir =
    process.env.npm_config_cache ||
    execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim();
  if (!existsSync(join(dir, '_cacache')))
    throw new Error(
      `No npm cache at ${dir}: run \`npm ci\` in ${ROOT} first (it fills the cache the image build uses).`,
    );
  return dir;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function build() {
  const npmCache = npmCacheDir();
  log(`building ${IMAGE} from ${ROOT}Dockerfile (network off, npm from ${npmCache})…`);
  const t = performance.now();
  const r = podman(
    p,
    [
      'build',
      '--network=none',
      '--pull=never',
      // The build and production-dependency stages are independent.
      '--jobs=2',
      // OCI images have no HEALTHCHECK; Docker's format keeps it, as `docker build` does.
      '--format=docker',
      '--volume',
      `${npmCache}:/root/.npm`,
      '--build-arg',
      'NPM_CONFIG_OFFLINE=true',
      '--tag',
      IMAGE,
      ROOT,
    ],
    { allowFailure: true },
  );
  writeFileSync(join(work, 'build.log'), r.stdout + r.stderr);
  if (r.code !== 0) {
    console.log((r.stdout + r.stderr).split('\n').slice(-60).join('\n'));
    throw new Error(`podman build failed (exit ${r.code}); the build's last lines are above.`);
  }
  const ms = performance.now() - t;
  figures.push(['image build', seconds(ms)]);
}

function inspectImage() {
  const [info] = JSON.parse(podman(p, ['image', 'inspect', IMAGE]).stdout);
  const sizeMb = info.Size / 1e6;
  figures.push(['image size', `${sizeMb.toFixed(0)} MB (limit ${IMAGE_SIZE_LIMIT_MB} MB)`]);
  check(sizeMb < IMAGE_SIZE_LIMIT_MB, `the image under ${IMAGE_SIZE_LIMIT_MB} MB`, `${sizeMb.toFixed(0)} MB`);
  const config = info.Config ?? {};
  check(config.User && !['root', '0', '0:0'].includes(config.User), 'a non-root USER', String(config.User));
  check(config.StopSignal === 'SIGINT', 'STOPSIGNAL SIGINT', String(config.StopSignal));
  check(Object.keys(config.ExposedPorts ?? {}).includes('8080/tcp'), 'EXPOSE 8080');
  check((info.Healthcheck ?? config.Healthcheck)?.Test?.length > 0, 'a HEALTHCHECK');
  const env = config.Env ?? [];
  for (const wanted of ['HOST=0.0.0.0', 'NODE_ENV=production'])
    check(env.includes(wanted), `ENV ${wanted}`, env.join(' '));
  check(!env.some((e) => e.startsWith('HDS_SETUP_TOKEN=')), 'no sign-in token baked into the image');

  // Nothing but the built tool: no sources, tests, fixtures, keys or ISOs in /app.
  const files = podman(p, [
    'run',
    '--rm',
    '--network=none',
    '--entrypoint',
    'find',
    IMAGE,
    '/app',
    '-path',
    '/app/node_modules',
    '-prune',
    '-o',
    '-type',
    'f',
    '-print',
  ]).stdout.split('\n');
  const unwanted = files.filter((f) =>
    /(\.test\.|\/test\/|\/e2e\/|\.ts$|\.tsx$|\.pem$|\.key$|\.p12$|\.iso$)/.test(f),
  );
  check(unwanted.length === 0, 'no sources, tests or fixtures in /app', unwanted.slice(0, 5).join(', '));
  check(files.includes('/app/dist/web/index.html'), 'the built web app in /app/dist/web');
}

/** When the tool logged that `signal` reached it (its "stopping" line), in epoch ms. */
function signalSeenAt(output, signal) {
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line);
      if (entry.msg === 'stopping') {
        check(entry.signal === signal, `the tool to receive ${signal}`, String(entry.signal));
        return Date.parse(entry.time);
      }
    } catch {
      // not a log line of the tool's
    }
  }
  throw new Error(`the tool never logged that it was stopping:\n${output}`);
}

/** Collects a child's output and resolves when `pattern` shows up. */
function waitForOutput(child, pattern, what, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const onData = () => {
      const m = pattern.exec(child.output);
      if (m) {
        cleanup();
        resolve(m);
      }
    };
    const onExit = (code) => {
      cleanup();
      reject(new Error(`the container exited (${code}) before ${what}:\n${child.output}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no ${what} within ${timeoutMs / 1000} s:\n${child.output}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', onExit);
    onData();
  });
}

/** The admin's run: `podman run --rm -p 127.0.0.1:<port>:8080 --read-only --tmpfs /tmp`, attached. */
async function adminRun() {
  const name = `hds-setup-test-${RUN_ID}-a`;
  const port = await freePort();
  const t = performance.now();
  started.push(name);
  const child = podmanChild(p, [
    'run',
    '--rm',
    '--name',
    name,
    '--read-only',
    '--tmpfs',
    '/tmp',
    // No systemd here to run the health timer; the test runs the check itself below.
    '--health-interval=disable',
    '-p',
    `127.0.0.1:${port}:8080`,
    IMAGE,
  ]);
  child.output = '';
  child.stdout.on('data', (d) => (child.output += d));
  child.stderr.on('data', (d) => (child.output += d));
  await waitForOutput(child, /^Express server listening on port 8080\.$/m, 'the listening line');
  figures.push(['start (podman run → listening)', seconds(performance.now() - t)]);
  const [, signInUrl] = await waitForOutput(child, /^(http:\/\/\S+\?token=\S+)\r?\n/m, 'the sign-in link');
  check(
    /^http:\/\/127\.0\.0\.1:8080\/\?token=[\w-]{20,}$/.test(signInUrl),
    'the printed link to be http://127.0.0.1:8080/?token=… (the address the admin opens)',
    signInUrl.replace(/token=.*/, 'token=…'),
  );

  const health = podman(p, ['healthcheck', 'run', name], { allowFailure: true });
  check(health.code === 0, 'the HEALTHCHECK to pass without the token', health.stdout + health.stderr);
  const uid = podman(p, ['exec', name, 'id', '-u']).stdout.trim();
  check(uid !== '0', 'the tool to run as a non-root user', `uid ${uid}`);
  const appWrite = podman(p, ['exec', name, 'touch', '/app/written'], { allowFailure: true });
  check(appWrite.code !== 0, '/app to be read-only (--read-only)');
  const tmpWrite = podman(p, ['exec', name, 'touch', '/tmp/written'], { allowFailure: true });
  check(tmpWrite.code === 0, '/tmp to be writable (--tmpfs /tmp)', tmpWrite.stderr);

  await signInWithChromium(signInUrl.replace(':8080/', `:${port}/`), port);
  // The link signed in once; the next one is in the container's output (what `docker logs` shows).
  const [, nextUrl] = await waitForOutput(
    child,
    /^A sign-in link was just used\..*\r?\n(http:\/\/\S+\?token=\S+)\r?\n/m,
    'the next sign-in link after the first sign-in',
  );
  check(
    /^http:\/\/127\.0\.0\.1:8080\/\?token=[\w-]{20,}$/.test(nextUrl) && nextUrl !== signInUrl,
    'a new one-time link printed after the sign-in',
    nextUrl.replace(/token=.*/, 'token=…'),
  );

  // Ctrl+C in the admin's terminal: podman passes SIGINT on to the container.
  const stopT = performance.now();
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve({ code, at: Date.now() })));
  child.kill('SIGINT');
  const { code, at } = await exited;
  const ms = performance.now() - stopT;
  // Upper bound of the tool's own part: podman's removal of the container (--rm) is in it too.
  const ownMs = at - signalSeenAt(child.output, 'SIGINT');
  figures.push(['stop by Ctrl+C (SIGINT)', `${seconds(ms)} (tool: ${seconds(ownMs)}), exit ${code}`]);
  check(code === 0, 'a clean exit 0 after Ctrl+C', `exit ${code}\n${child.output}`);
  check(ownMs <= STOP_LIMIT_MS, `Ctrl+C to end it within ${STOP_LIMIT_MS / 1000} s`, seconds(ownMs));
  check(!/^\s+at /m.test(child.output), 'no stack trace in the container output', child.output);
}

async function signInWithChromium(signInUrl, port) {
  const { register } = await import('tsx/esm/api');
  register();
  const { launchBrowser, closeBrowser } = await import('../e2e/fixtures.ts');
  const { SignInPage } = await import('../e2e/pages/sign-in-page.ts');
  const browser = await launchBrowser();
  try {
    const t = performance.now();
    const page = await browser.newPage();
    const overview = await SignInPage.openLink(page, signInUrl);
    check(await overview.heading.isVisible(), 'the sign-in link to reach the Overview page in Chromium');
    figures.push(['sign-in link → Overview', seconds(performance.now() - t)]);
    // The Host check accepts the other loopback name the admin may type.
    const other = await browser.newContext();
    await SignInPage.open(await other.newPage(), `http://localhost:${port}`);
    check(true, 'http://localhost:<port> to be answered too (Host check by name)');
    await other.close();
  } finally {
    await closeBrowser();
  }
}

/** `docker stop` equivalent, with the proxy and extra-CA settings the docs describe. */
async function stopRun() {
  const name = `hds-setup-test-${RUN_ID}-b`;
  const port = await freePort();
  const certs = join(work, 'certs');
  mkdirSync(certs);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      '/CN=Test TLS-inspecting proxy root',
      '-days',
      '1',
      '-keyout',
      join(work, 'proxy-root.key'),
      '-out',
      join(certs, 'proxy-root.pem'),
    ],
    { stdio: 'ignore' },
  );
  execFileSync('chmod', ['644', join(certs, 'proxy-root.pem')]);
  started.push(name);
  podman(p, [
    'run',
    '--detach',
    '--name',
    name,
    '--read-only',
    '--tmpfs',
    '/tmp',
    '--health-interval=disable',
    '-e',
    'GLOBAL_AGENT_HTTP_PROXY=http://proxyuser:proxy-secret-pw@proxy.example.invalid:3128',
    '-e',
    'GLOBAL_AGENT_HTTPS_PROXY=http://proxyuser:proxy-secret-pw@proxy.example.invalid:3128',
    '-e',
    'NODE_EXTRA_CA_CERTS=/certs/proxy-root.pem',
    '-v',
    `${certs}:/certs:ro`,
    '-p',
    `127.0.0.1:${port}:8080`,
    IMAGE,
  ]);
  let output = '';
  const deadline = Date.now() + 30_000;
  while (!/^http:\/\/\S+\?token=/m.test(output)) {
    if (Date.now() > deadline) throw new Error(`no sign-in link within 30 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
    const logs = podman(p, ['logs', name], { allowFailure: true });
    output = logs.stdout + logs.stderr;
  }
  check(
    /^Outbound proxy: http:\/\/proxyuser:\*\*\*\*@proxy\.example\.invalid:3128/m.test(output),
    'GLOBAL_AGENT_HTTP(S)_PROXY to reach the server (shown with the password masked)',
    output,
  );
  check(!output.includes('proxy-secret-pw'), 'the proxy password never printed');
  check(!/Ignoring extra certs/.test(output), 'NODE_EXTRA_CA_CERTS from the volume to load', output);
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  check(res.status === 200, 'the published port to answer /healthz', String(res.status));

  const t = performance.now();
  podman(p, ['stop', '--time', '10', name]);
  const ms = performance.now() - t;
  const [exitCode, finishedAt] = podman(p, [
    'inspect',
    '--format',
    '{{.State.ExitCode}} {{.State.FinishedAt.UnixMilli}}',
    name,
  ])
    .stdout.trim()
    .split(' ');
  const logs = podman(p, ['logs', name]);
  // The tool's own part, from the signal reaching it to its exit; the rest is podman's CLI.
  const ownMs = Number(finishedAt) - signalSeenAt(logs.stdout + logs.stderr, 'SIGINT');
  figures.push([
    'stop by `podman stop` (STOPSIGNAL)',
    `${seconds(ms)} (tool: ${seconds(ownMs)}), exit ${exitCode}`,
  ]);
  check(exitCode === '0', 'a clean exit 0 after podman stop (not killed)', `exit ${exitCode}`);
  check(ownMs <= STOP_LIMIT_MS, `podman stop to end it within ${STOP_LIMIT_MS / 1000} s`, seconds(ownMs));
}

function cleanUp() {
  if (!p) return;
  for (const name of started) podman(p, ['rm', '--force', '--ignore', name], { allowFailure: true });
  podman(p, ['rmi', '--force', IMAGE], { allowFailure: true });
  // Build layers of earlier runs; recent ones may belong to a build running right now.
  podman(p, ['image', 'prune', '--force', '--filter', 'until=15m'], { allowFailure: true });
  rmSync(work, { recursive: true, force: true });
}

async function main() {
  const total = performance.now();
  if (process.getuid?.() !== 0)
    throw new Error('The container test runs podman and debootstrap as root (as CI does): run it as root.');
  ensureSystemPackages([
    ['/usr/bin/podman', 'podman'],
    ['/usr/sbin/runc', 'runc'],
    ['/usr/sbin/debootstrap', 'debootstrap'],
    ['/usr/bin/chromium', 'chromium'],
  ]);
  p = privatePodman();
  log(`podman storage and cached base image: ${p.cache}`);
  const t = performance.now();
  const fromImage = fromImageName();
  const made = ensureBaseImage(p, fromImage, log);
  figures.push([`base image ${fromImage}`, `${made ? 'made' : 'cached'}, ${seconds(performance.now() - t)}`]);
  build();
  inspectImage();
  await adminRun();
  await stopRun();
  figures.push(['whole test', seconds(performance.now() - total)]);
}

function printFigures() {
  const width = Math.max(...figures.map(([k]) => k.length));
  console.log('\n[test:container] figures');
  for (const [k, v] of figures) console.log(`  ${k.padEnd(width)}  ${v}`);
}

for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    log(`${signal}: removing the test's containers`);
    cleanUp();
    process.exit(1);
  });

try {
  await main();
  printFigures();
  log('passed');
  cleanUp();
  process.exit(0);
} catch (e) {
  printFigures();
  console.error(`\n[test:container] FAILED: ${e instanceof Error ? e.message : e}`);
  cleanUp();
  process.exit(1);
}
