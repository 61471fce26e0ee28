// Configuration ISO: build from a complete configuration and inspect (verify + summary).
// Targets: < 50 ms each. Reference in the same run: xorriso packing the same file tree.
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { openIsoImage } from '../iso/src/index.js';
import {
  buildConfigIso,
  type ConfigIsoInput,
  readConfigIso,
  summarizeConfig,
} from '../server/src/core/configIso/index.js';
import { issueServiceAccounts } from '../server/src/core/secrets/service-accounts.js';

function median(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return median(samples);
}

export default async function configIsoBench(): Promise<void> {
  const now = new Date();
  const input: ConfigIsoInput = {
    masterKey: randomBytes(32),
    deploymentId: randomUUID(),
    generation: 3,
    previousManifestSha256: 'a'.repeat(64),
    createdAt: now,
    toolVersion: '0.1.0',
    certificate: {
      pkcs12: randomBytes(9000), // an RSA-4096 keystore with a 3-certificate chain is ~9 KB
      password: Buffer.from('keystore password'),
      chainPem: `-----BEGIN CERTIFICATE-----\n${randomBytes(4000).toString('base64')}\n-----END CERTIFICATE-----\n`,
      commonName: 'kms.example.org',
      subjectAltNames: ['kms.example.org'],
      notBefore: now,
      notAfter: new Date(now.getTime() + 300 * 86_400_000),
      fingerprintSha256: 'AA:BB',
    },
    database: {
      settings: {
        type: 'postgresql',
        hosts: ['db1.example.org:5432', 'db2.example.org:5432'],
        name: 'hds_keys',
        auth: 'basic',
        username: 'hds',
        tlsMode: 'verify-full',
        advanced: { app_datasource_connection_pool_maxSize: 10, connectTimeoutSeconds: 10 },
      },
      password: Buffer.from('database password'),
      rootCaPem: `-----BEGIN CERTIFICATE-----\n${randomBytes(1500).toString('base64')}\n-----END CERTIFICATE-----\n`,
    },
    syslog: { settings: { url: 'tcp://syslog.example.org:6514', tls: true, termination: 'newline' } },
    serviceAccounts: issueServiceAccounts(now),
  };
  await buildConfigIso(input); // warm-up
  const buildMs = await time(30, () => buildConfigIso(input));
  const built = await buildConfigIso(input);
  const inspectMs = await time(30, async () => summarizeConfig(await readConfigIso(built.bytes), now));

  // Reference: xorriso packs the very same files (no manifest work, no MAC) from a folder.
  const dir = mkdtempSync(join(tmpdir(), 'hds-bench-'));
  const image = await openIsoImage(built.bytes);
  for (const e of image.list()) {
    const path = join(dir, 'tree', e.path);
    if (e.type === 'dir') mkdirSync(path, { recursive: true });
    else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, await image.readFile(e.path));
    }
  }
  await image.close();
  const xorrisoMs = await time(10, async () =>
    execFileSync(
      'xorriso',
      ['-as', 'mkisofs', '-R', '-J', '-quiet', '-o', join(dir, 'ref.iso'), join(dir, 'tree')],
      { stdio: 'ignore' },
    ),
  );
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `build a complete configuration ISO (${built.bytes.length} bytes): median ${buildMs.toFixed(1)} ms, target < 50 ms → ${(buildMs / 50).toFixed(2)}× of target`,
  );
  console.log(
    `inspect it (checksums, MAC, summary): median ${inspectMs.toFixed(1)} ms, target < 50 ms → ${(inspectMs / 50).toFixed(2)}× of target`,
  );
  console.log(
    `reference: xorriso -as mkisofs -R -J of the same tree (process included): median ${xorrisoMs.toFixed(1)} ms → our build is ${(buildMs / xorrisoMs).toFixed(2)}× of it`,
  );
}
