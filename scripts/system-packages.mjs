// Installs the Debian packages the test suite drives for real, when any is missing.
// Idempotent and quick when everything is there; `apt-get update` runs once per machine.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** command or file that proves the package is installed → Debian package */
const NEEDED = [
  ['/usr/bin/chromium', 'chromium'],
  ['/usr/bin/xorriso', 'xorriso'],
  ['/usr/bin/genisoimage', 'genisoimage'],
  ['/usr/bin/isoinfo', 'genisoimage'],
  ['/usr/bin/bsdtar', 'libarchive-tools'],
  ['/usr/bin/7z', 'p7zip-full'],
  ['/usr/sbin/rsyslogd', 'rsyslog'],
  ['/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so', 'rsyslog-gnutls'],
  ['/usr/bin/fuseiso', 'fuseiso'],
  ['/usr/lib/postgresql/15/bin/postgres', 'postgresql-15'],
  ['/usr/bin/keytool', 'openjdk-17-jre-headless'],
  ['/usr/bin/openssl', 'openssl'],
];

export function ensureSystemPackages(extra = []) {
  const wanted = [...NEEDED, ...extra];
  const missing = [...new Set(wanted.filter(([path]) => !existsSync(path)).map(([, pkg]) => pkg))];
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`Missing Debian packages: ${missing.join(' ')} — install them (as root) and run again.`);
  }
  console.log(`Installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    stdio: 'inherit',
    env,
  });
  if (r.status !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed (exit ${r.status})`);
}

if (import.meta.url === `file://${process.argv[1]}`) ensureSystemPackages();
