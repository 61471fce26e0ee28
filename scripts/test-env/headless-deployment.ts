import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestPki } from './certificate-fixtures.js';
import type { TestDatabase } from './key-database.js';
import type { PostgresServer } from './postgres-server.js';

const ROOT = new URL('../..', import.meta.url).pathname;

export interface HeadlessDeploymentOptions {
  /** Folder for the answers file, its secret files and the ISO. */
  dir: string;
  postgres: PostgresServer;
  database: TestDatabase;
  pki: TestPki;
  cn?: string;
  p12Password?: string;
  syslogUrl?: string;
  env?: Record<string, string>;
}

export interface HeadlessDeployment {
  answersPath: string;
  isoPath: string;
  iso: Buffer;
  p12Password: string;
  /** Rewrites the answers file to keep the imported certificate (`certificate: {reuse: true}`). */
  reuseCertificate(): void;
}

/**
 * A generation-1 configuration ISO made as an admin would headless: a PKCS12 from the test PKI
 * (private root acknowledged), an answers file, and the built `hds-setup build`. The database is
 * bound to its master key afterwards.
 */
export function buildHeadlessDeployment(options: HeadlessDeploymentOptions): HeadlessDeployment {
  const { dir, postgres, database, pki } = options;
  const p12Password = options.p12Password ?? 'keystore-Pass-1';
  writeFileSync(
    join(dir, 'kms.p12'),
    pki.pkcs12(pki.issueLeaf({ cn: options.cn ?? 'kms.example.org' }), p12Password),
  );
  writeFileSync(join(dir, 'p12.pass'), p12Password);
  writeFileSync(join(dir, 'root.pem'), pki.rootPem);
  writeFileSync(join(dir, 'db.pass'), database.password);
  const answersPath = join(dir, 'answers.yaml');
  const write = (certificate: string) =>
    writeFileSync(
      answersPath,
      `certificate:\n${certificate}\n` +
        `database:\n  type: postgresql\n  hosts: ["127.0.0.1:${postgres.port}"]\n  name: ${database.name}\n` +
        `  username: ${database.user}\n  passwordFile: ./db.pass\n` +
        `syslog:\n  url: "${options.syslogUrl ?? 'udp://127.0.0.1:5514'}"\n  termination: newline\n`,
    );
  write('  p12: ./kms.p12\n  passwordFile: ./p12.pass\n  trustRoots: [./root.pem]');
  const isoPath = join(dir, 'gen1.iso');
  const built = spawnSync(
    process.execPath,
    [join(ROOT, 'bin/hds-setup.js'), 'build', '--answers', answersPath, '--out', isoPath],
    {
      encoding: 'utf8',
      env: { ...process.env, ...options.env },
    },
  );
  if (built.status !== 0)
    throw new Error(`hds-setup build failed (${built.status}):\n${built.stdout}${built.stderr}`);
  return {
    answersPath,
    isoPath,
    iso: readFileSync(isoPath),
    p12Password,
    reuseCertificate: () => write('  reuse: true'),
  };
}
