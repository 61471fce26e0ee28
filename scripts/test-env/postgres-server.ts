import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const BIN = '/usr/lib/postgresql/15/bin';

/** A real PostgreSQL 15 server on loopback, started by the test suite (TESTING.md recipe). */
export interface PostgresServer {
  host: string;
  port: number;
  superuser: string;
  superPassword: string;
  dataDir: string;
  /** Runs SQL as the superuser against `database` (default `postgres`). */
  sql(text: string, database?: string): Promise<pg.QueryResult>;
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /** Server certificate + key (PEM). Without it the server has ssl=off. */
  tls?: {
    certPath: string;
    keyPath: string /** CA for client certificates (ssl_ca_file). */;
    clientCaPath?: string;
  };
  /** `host` lines of pg_hba.conf; default: password (scram) over any TCP connection. */
  hba?: string[];
  /** More `-c name=value` server settings (they win over the defaults, e.g. listen_addresses). */
  settings?: Record<string, string>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function postgresUid(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

/** initdb (~1 s) + start (~0.1 s). Call once per test file, not per test. */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const { uid, gid } = postgresUid();
  // initdb and postgres refuse to run as root: everything they touch belongs to `postgres`.
  const base = mkdtempSync(join(tmpdir(), 'hds-pg-'));
  chmodSync(base, 0o755);
  chownSync(base, uid, gid);
  const dataDir = join(base, 'data');
  const superPassword = randomBytes(12).toString('hex');
  const pwFile = join(base, 'pw');
  writeFileSync(pwFile, superPassword);
  chownSync(pwFile, uid, gid);
  const asPostgres = (cmd: string, args: string[]) => {
    const r = spawnSync('runuser', ['-u', 'postgres', '--', join(BIN, cmd), ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  };
  asPostgres('initdb', [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--pwfile',
    pwFile,
    '-A',
    'scram-sha-256',
    '--no-sync',
    '-E',
    'UTF8',
  ]);
  rmSync(pwFile);
  const hba = options.hba ?? [
    'host all all 127.0.0.1/32 scram-sha-256',
    'host all all ::1/128 scram-sha-256',
  ];
  writeFileSync(join(dataDir, 'pg_hba.conf'), `local all postgres trust\n${hba.join('\n')}\n`);
  const settings = [
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${base}`,
    '-c',
    'fsync=off',
  ];
  if (options.tls) {
    const cert = join(base, 'server.crt');
    const key = join(base, 'server.key');
    copyFileSync(options.tls.certPath, cert);
    copyFileSync(options.tls.keyPath, key);
    for (const f of [cert, key]) chownSync(f, uid, gid);
    chmodSync(key, 0o600);
    settings.push('-c', 'ssl=on', '-c', `ssl_cert_file=${cert}`, '-c', `ssl_key_file=${key}`);
    if (options.tls.clientCaPath) {
      const clientCa = join(base, 'client-ca.pem');
      copyFileSync(options.tls.clientCaPath, clientCa);
      chownSync(clientCa, uid, gid);
      settings.push('-c', `ssl_ca_file=${clientCa}`);
    }
  } else settings.push('-c', 'ssl=off');
  for (const [name, value] of Object.entries(options.settings ?? {})) settings.push('-c', `${name}=${value}`);
  const port = await freePort();
  settings.push('-c', `port=${port}`);
  asPostgres('pg_ctl', [
    '-D',
    dataDir,
    '-w',
    '-l',
    join(base, 'log'),
    '-o',
    settings.map((s) => (s.startsWith('-') ? s : `'${s}'`)).join(' '),
    'start',
  ]);

  const server: PostgresServer = {
    host: '127.0.0.1',
    port,
    superuser: 'postgres',
    superPassword,
    dataDir,
    async sql(text, database = 'postgres') {
      const client = new pg.Client({ host: base, port, user: 'postgres', database });
      await client.connect();
      try {
        return await client.query(text);
      } finally {
        await client.end();
      }
    },
    async stop() {
      spawnSync(
        'runuser',
        ['-u', 'postgres', '--', join(BIN, 'pg_ctl'), '-D', dataDir, '-m', 'immediate', 'stop'],
        {
          stdio: 'ignore',
        },
      );
      rmSync(base, { recursive: true, force: true });
    },
  };
  return server;
}
