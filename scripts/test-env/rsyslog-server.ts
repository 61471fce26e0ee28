import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './postgres-server.js';
import { createTestCa, issueServerCert } from './test-pki.js';

/**
 * A real rsyslogd (Debian's) on loopback, started by a test file (TESTING.md recipe): foreground,
 * its own configuration and work directory, no system inputs. Every listener writes every record
 * it receives to one output file in RFC 5424 form (template RSYSLOG_SyslogProtocol23Format), one
 * line per record, so a test can wait for the line that carries its message id.
 *
 *   const syslog = await startRsyslog({ tls: true });
 *   // send to udp://127.0.0.1:${syslog.udpPort}, tcp://…:${syslog.tcpPort}, TLS to …:${syslog.tlsPort}
 *   const line = await syslog.waitForMessage(msgId);
 *   await syslog.stop();
 *
 * Start one per test file (beforeAll): start-up takes ~0.2 s.
 */
export interface RsyslogOptions {
  /**
   * Adds a TLS listener (gtls driver, anonymous client auth — the server does not ask the client for
   * a certificate). `true` makes a fresh test CA and a server certificate for 127.0.0.1/localhost;
   * or give your own PEM files (the CA file is the one rsyslog itself loads; clients check the
   * server certificate against their own copy).
   */
  tls?: true | { certPath: string; keyPath: string; caPath: string };
  /**
   * TCP listeners split records on NUL as well as on LF and octet counts (imtcp
   * AddtlFrameDelimiter=0). Default true; false makes a stock rsyslog that only knows LF framing.
   */
  acceptNulFraming?: boolean;
}

export interface RsyslogServer {
  host: '127.0.0.1';
  udpPort: number;
  /** Plain TCP listener (RFC 6587 non-transparent framing: LF, NUL when enabled; octet counting). */
  tcpPort: number;
  /** The TLS listener, when `tls` was asked for. */
  tlsPort: number | undefined;
  /** PEM of the CA that signed the TLS listener's certificate (what an admin would upload). */
  caPem: string | undefined;
  /** The file rsyslog writes every received record to. */
  outputPath: string;
  pid: number;
  /** Every record received so far, one RFC 5424 line each. */
  lines(): string[];
  /**
   * Resolves with the first received line containing `text` (e.g. a message id), or matching it when
   * it is a RegExp (say, a MSGID and an org id); rejects after `timeoutMs`.
   */
  waitForMessage(text: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Everything rsyslogd printed (its own complaints go to stderr when it runs in the foreground). */
  diagnostics(): string;
  /** Stops rsyslogd by its PID and removes its directory. */
  stop(): Promise<void>;
}

const MODULE_DIR = '/usr/lib/x86_64-linux-gnu/rsyslog';

export async function startRsyslog(options: RsyslogOptions = {}): Promise<RsyslogServer> {
  if (!existsSync('/usr/sbin/rsyslogd'))
    throw new Error('rsyslogd is missing: run `node scripts/system-packages.mjs` (installs rsyslog).');
  const dir = mkdtempSync(join(tmpdir(), 'hds-rsyslog-'));
  mkdirSync(join(dir, 'work'));
  const outputPath = join(dir, 'out.log');
  const confPath = join(dir, 'rsyslog.conf');
  const pidPath = join(dir, 'rsyslogd.pid');

  if (options.tls && !existsSync(`${MODULE_DIR}/lmnsd_gtls.so`))
    throw new Error('rsyslog-gnutls is missing: run `node scripts/system-packages.mjs`.');
  let tls: { certPath: string; keyPath: string; caPath: string } | undefined;
  let caPem: string | undefined;
  if (options.tls === true) {
    const ca = createTestCa('HDS Test Syslog Root CA', mkdtempSync(join(dir, 'pki-')));
    const cert = issueServerCert(ca, 'syslog', { dnsNames: ['localhost'], ips: ['127.0.0.1'] });
    tls = { certPath: cert.certPath, keyPath: cert.keyPath, caPath: ca.certPath };
    caPem = ca.certPem;
  } else if (options.tls) {
    tls = options.tls;
    caPem = readFileSync(tls.caPath, 'utf8');
  }

  const udpPort = await freeUdpPort();
  const tcpPort = await freePort();
  const tlsPort = tls ? await freePort() : undefined;
  const nul = options.acceptNulFraming ?? true;
  const q = (s: string) => JSON.stringify(s);
  const conf = [
    `global(workDirectory=${q(join(dir, 'work'))}${
      tls
        ? ` DefaultNetstreamDriverCAFile=${q(tls.caPath)} DefaultNetstreamDriverCertFile=${q(tls.certPath)} DefaultNetstreamDriverKeyFile=${q(tls.keyPath)}`
        : ''
    })`,
    'module(load="imudp")',
    `module(load="imtcp"${nul ? ' AddtlFrameDelimiter="0"' : ''})`,
    `input(type="imudp" address="127.0.0.1" port="${udpPort}" ruleset="received")`,
    `input(type="imtcp" address="127.0.0.1" port="${tcpPort}" ruleset="received")`,
    // Per-input stream driver (rsyslog ≥ 8.2106): the plain TCP listener stays plain.
    tls
      ? `input(type="imtcp" address="127.0.0.1" port="${tlsPort}" ruleset="received" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")`
      : '',
    `ruleset(name="received") { action(type="omfile" file=${q(outputPath)} template="RSYSLOG_SyslogProtocol23Format") }`,
    '',
  ].join('\n');
  writeFileSync(confPath, conf);
  const check = spawnSync('/usr/sbin/rsyslogd', ['-N1', '-f', confPath], { encoding: 'utf8' });
  if (check.status !== 0)
    throw new Error(`rsyslogd refused its test configuration:\n${check.stderr}\n${conf}`);

  const child: ChildProcess = spawn('/usr/sbin/rsyslogd', ['-n', '-f', confPath, '-i', pidPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  child.stdout!.on('data', (d: Buffer) => (printed += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (printed += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const lines = () =>
    existsSync(outputPath) ? readFileSync(outputPath, 'utf8').split('\n').filter(Boolean) : [];
  const waitForMessage = async (text: string | RegExp, timeoutMs = 5000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    const matches = (l: string) => (typeof text === 'string' ? l.includes(text) : text.test(l));
    for (;;) {
      const line = lines().find(matches);
      if (line !== undefined) return line;
      if (child.exitCode !== null) throw new Error(`rsyslogd exited (${child.exitCode}):\n${printed}`);
      if (Date.now() > deadline)
        throw new Error(
          `rsyslog did not receive "${text}" within ${timeoutMs} ms; it has:\n${lines().join('\n')}`,
        );
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  const server: RsyslogServer = {
    host: '127.0.0.1',
    udpPort,
    tcpPort,
    tlsPort,
    caPem,
    outputPath,
    pid: child.pid!,
    lines,
    waitForMessage,
    diagnostics: () => printed,
    async stop() {
      if (child.exitCode === null) {
        process.kill(child.pid!, 'SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) process.kill(child.pid!, 'SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    // Ready when the TCP listeners accept and a UDP probe has gone all the way to the output file.
    await waitForTcp(tcpPort, child);
    if (tlsPort) await waitForTcp(tlsPort, child);
    const probe = `rsyslog-ready-${randomBytes(6).toString('hex')}`;
    const deadline = Date.now() + 10_000;
    for (;;) {
      await sendUdp(udpPort, `<134>1 - - hds-test-env - ${probe} - ready probe`);
      if (lines().some((l) => l.includes(probe))) break;
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`rsyslogd did not start:\n${printed}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

async function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitForTcp(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`rsyslogd is not listening on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function sendUdp(port: number, text: string): Promise<void> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.send(Buffer.from(text), port, '127.0.0.1', () => s.close(() => resolve()));
  });
}
