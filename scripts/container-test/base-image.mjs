// The stand-in for the Dockerfile's FROM image. No registry is reachable from CI, so the test
// makes "Node 20 on Debian bookworm slim" itself: a debootstrap minbase bookworm root file
// system plus this machine's Node 20 (laid out as the official image does: /usr/local, user
// `node` uid 1000), imported into podman and tagged with the FROM name. The root file system
// tarball and the image are cached; a rerun only checks that they are still there.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { podman } from './podman.mjs';

const SUITE = 'bookworm';
const LABEL = 'org.hds-setup.test.stand-in';
/** Bumped when the recipe below changes, so a cached image from an older recipe is remade. */
const RECIPE = 'slim-1';

/** The Debian mirror apt already uses here (HDS_DEBIAN_MIRROR overrides). */
export function debianMirror() {
  if (process.env.HDS_DEBIAN_MIRROR) return process.env.HDS_DEBIAN_MIRROR;
  const files = ['/etc/apt/sources.list'];
  if (existsSync('/etc/apt/sources.list.d'))
    for (const f of readdirSync('/etc/apt/sources.list.d').sort())
      if (f.endsWith('.list') || f.endsWith('.sources')) files.push(join('/etc/apt/sources.list.d', f));
  for (const file of files) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    // deb822 stanzas: URIs + Suites lines.
    for (const stanza of text.split(/\n\s*\n/)) {
      const uris = /^URIs:\s*(.+)$/m.exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
      const suites = /^Suites:\s*(.+)$/m.exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
      if (/^Enabled:\s*no/im.test(stanza)) continue;
      if (suites.includes(SUITE) && uris[0]) return uris[0];
    }
    // one-line format: deb [options] URI SUITE components
    for (const line of text.split('\n')) {
      const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line.trim());
      if (m && m[2] === SUITE) return m[1];
    }
  }
  return 'http://deb.debian.org/debian';
}

/**
 * What Debian's official `-slim` images do (debuerreotype-slimify): no docs, man pages or
 * translations, now or for packages installed later, and no apt caches.
 */
function slimify(rootfs) {
  const dpkgExcludes = [
    'path-exclude /usr/share/doc/*',
    'path-include /usr/share/doc/*/copyright',
    'path-exclude /usr/share/man/*',
    'path-exclude /usr/share/info/*',
    'path-exclude /usr/share/locale/*',
    'path-exclude /usr/share/groff/*',
    'path-exclude /usr/share/lintian/*',
    'path-exclude /usr/share/linda/*',
  ];
  writeFileSync(join(rootfs, 'etc/dpkg/dpkg.cfg.d/docker'), `${dpkgExcludes.join('\n')}\n`);
  for (const dir of [
    'usr/share/man',
    'usr/share/info',
    'usr/share/locale',
    'usr/share/groff',
    'usr/share/lintian',
    'usr/share/linda',
  ])
    emptyFolder(join(rootfs, dir));
  const docs = join(rootfs, 'usr/share/doc');
  for (const pkg of readdirSync(docs))
    for (const f of readdirSync(join(docs, pkg)))
      if (f !== 'copyright') rmSync(join(docs, pkg, f), { recursive: true, force: true });
  emptyFolder(join(rootfs, 'var/cache/apt/archives'), ['partial', 'lock']);
  emptyFolder(join(rootfs, 'var/lib/apt/lists'), ['partial', 'lock']);
}

function emptyFolder(dir, keep = []) {
  if (!existsSync(dir)) return;
  for (const f of readdirSync(dir))
    if (!keep.includes(f)) rmSync(join(dir, f), { recursive: true, force: true });
}

/** Cached `debootstrap --variant=minbase bookworm` root file system, as a tar file. */
function minbaseTarball(cache, log) {
  const tarball = join(cache, `${SUITE}-minbase-slim.tar`);
  if (existsSync(tarball)) return tarball;
  const mirror = debianMirror();
  const work = mkdtempSync(join(cache, 'debootstrap-'));
  try {
    const rootfs = join(work, 'rootfs');
    log(`debootstrap --variant=minbase ${SUITE} from ${mirror} (once per machine)…`);
    const r = spawnSync('debootstrap', ['--variant=minbase', SUITE, rootfs, mirror], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (r.status !== 0) throw new Error(`debootstrap failed (exit ${r.status}); mirror ${mirror}`);
    slimify(rootfs);
    execFileSync('tar', ['-C', rootfs, '--numeric-owner', '-cf', `${tarball}.partial`, '.']);
    renameSync(`${tarball}.partial`, tarball);
    return tarball;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Where this machine's Node lives: the binary and npm's package folder. */
function hostNode() {
  const node = process.execPath;
  const prefix = dirname(dirname(node));
  const npm = [
    join(prefix, 'lib/node_modules/npm'),
    '/usr/lib/node_modules/npm',
    '/usr/local/lib/node_modules/npm',
  ].find((d) => existsSync(join(d, 'bin/npm-cli.js')));
  if (!npm) throw new Error(`npm not found next to ${node}; install Node 20 with npm.`);
  return { node, npm, version: process.version };
}

/**
 * Makes sure `imageName` is the stand-in Node image (made now if missing or made from another
 * Node version). Returns whether it had to be made.
 */
export function ensureBaseImage(p, imageName, log) {
  const host = hostNode();
  if (!host.version.startsWith('v20.'))
    throw new Error(`The stand-in base image needs Node 20 on this machine, found ${host.version}.`);
  const existing = podman(p, ['image', 'inspect', '--format', `{{index .Labels "${LABEL}"}}`, imageName], {
    allowFailure: true,
  });
  if (existing.code === 0 && existing.stdout.trim() === `${host.version} ${RECIPE}`) return false;

  const tarball = minbaseTarball(p.cache, log);
  const work = mkdtempSync(join(p.cache, 'base-'));
  try {
    const rootfs = join(work, 'rootfs');
    mkdirSync(rootfs);
    execFileSync('tar', ['-C', rootfs, '--numeric-owner', '-xf', tarball]);
    // Node where the official image has it.
    cpSync(host.node, join(rootfs, 'usr/local/bin/node'));
    cpSync(host.npm, join(rootfs, 'usr/local/lib/node_modules/npm'), { recursive: true, dereference: true });
    symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(rootfs, 'usr/local/bin/npm'));
    symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(rootfs, 'usr/local/bin/npx'));
    // The official image's unprivileged user.
    appendFileSync(join(rootfs, 'etc/passwd'), 'node:x:1000:1000::/home/node:/bin/bash\n');
    appendFileSync(join(rootfs, 'etc/group'), 'node:x:1000:\n');
    appendFileSync(join(rootfs, 'etc/shadow'), 'node:*:19000:0:99999:7:::\n');
    mkdirSync(join(rootfs, 'home/node'), { mode: 0o755 });
    execFileSync('chown', ['1000:1000', join(rootfs, 'home/node')]);
    log(`importing the stand-in ${imageName} (Debian ${SUITE} minbase + Node ${host.version})…`);
    const imageTar = join(work, 'rootfs.tar');
    execFileSync('tar', ['-C', rootfs, '--numeric-owner', '-cf', imageTar, '.']);
    podman(p, [
      'import',
      '--change',
      `LABEL ${LABEL}="${host.version} ${RECIPE}"`,
      '--change',
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      '--change',
      `ENV NODE_VERSION=${host.version.slice(1)}`,
      '--change',
      'CMD ["node"]',
      imageTar,
      imageName,
    ]);
    return true;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
