// A private podman for the container test: its own containers.conf (runc, cgroupfs, file events
// — what works on CI machines without systemd or crun) and its own storage, kept in a stable
// cache folder so the stand-in base image survives between runs and reruns stay fast.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Stable across runs on one machine; HDS_CONTAINER_TEST_CACHE overrides. */
export function cacheDir() {
  const dir =
    process.env.HDS_CONTAINER_TEST_CACHE ||
    (process.getuid?.() === 0
      ? '/var/cache/hds-setup-test'
      : join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'hds-setup-test'));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** tmp_dir is private too: the machine's own podman keeps its state in /run/libpod. */
function containersConf(libpodTmp) {
  return `# Written by scripts/container-test/podman.mjs for hds-setup's container test.
[containers]
default_ulimits = ["nofile=1024:20000", "nproc=4096:4096"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "${libpodTmp}"
`;
}

/**
 * The podman command line and environment for this machine. The run root (locks, mount state)
 * and libpod's temp folder live under the system temp folder, cleared by a reboot as podman
 * expects; podman records every one of these paths in its database, so they stay the same from
 * run to run.
 */
export function privatePodman() {
  const cache = cacheDir();
  const runRoot = join(tmpdir(), `hds-setup-test-runroot-${process.getuid?.() ?? 'user'}`);
  mkdirSync(runRoot, { recursive: true });
  const confPath = join(cache, 'containers.conf');
  writeFileSync(confPath, containersConf(join(runRoot, 'libpod')));
  const globalArgs = ['--root', join(cache, 'storage'), '--runroot', runRoot, '--storage-driver', 'overlay'];
  const env = { ...process.env, CONTAINERS_CONF: confPath };
  return { cache, globalArgs, env };
}

/** Runs podman to completion; throws with podman's own words when it fails. */
export function podman(p, args, { input, stdio, allowFailure = false } = {}) {
  const r = spawnSync('podman', [...p.globalArgs, ...args], {
    env: p.env,
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: stdio ?? ['pipe', 'pipe', 'pipe'],
  });
  if (r.error) throw r.error;
  if (r.status !== 0 && !allowFailure)
    throw new Error(
      `podman ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr ?? ''}${r.stdout ?? ''}`,
    );
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Starts podman as a child process (for `podman run` in the foreground, as an admin would). */
export function podmanChild(p, args) {
  return spawn('podman', [...p.globalArgs, ...args], { env: p.env, stdio: ['ignore', 'pipe', 'pipe'] });
}
