import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../scripts/test-env/postgres-server.js';
import { type RsyslogServer, startRsyslog } from '../../../../scripts/test-env/rsyslog-server.js';
import { runCli } from '../../../../scripts/test-env/run-cli.js';
import { EXIT_USAGE } from '../output.js';

let rsyslog: RsyslogServer;
let dir: string;

beforeAll(async () => {
  rsyslog = await startRsyslog({ tls: true });
  dir = mkdtempSync(join(tmpdir(), 'hds-syslog-cli-'));
  writeFileSync(join(dir, 'syslog-ca.pem'), rsyslog.caPem!);
});
afterAll(() => rsyslog?.stop());

const syslogTest = (...args: string[]) => runCli('syslog', 'test', ...args);

function answers(name: string, section: string): string {
  const path = join(dir, name);
  writeFileSync(path, `syslog:\n${section.replace(/^/gm, '  ')}\n`);
  return path;
}

describe('hds-setup syslog test', () => {
  it('--answers with TLS and a root CA file: exit 0, the message arrives, the report names the id', async () => {
    const path = answers(
      'tls.yaml',
      `url: tcp://localhost:${rsyslog.tlsPort}\ntls: true\ntermination: newline\nrootCaFile: syslog-ca.pem`,
    );
    const { code, stdout } = await syslogTest('--answers', path, '--json');
    expect(code).toBe(0);
    const printed = JSON.parse(stdout);
    expect(printed.ok).toBe(true);
    expect(printed.syslog.settings).toMatchObject({ protocol: 'tcp', tls: true, termination: 'newline' });
    expect(printed.syslog.report.tls).toMatchObject({ verified: true, subject: 'CN=localhost' });
    await rsyslog.waitForMessage(printed.syslog.report.msgId);
  });

  it('--url over UDP prints what it could confirm for a person', async () => {
    const { code, stdout } = await syslogTest('--url', `udp://127.0.0.1:${rsyslog.udpPort}`);
    expect(code).toBe(0);
    const id = /message (HDSTEST-[0-9A-F]{12})/.exec(stdout)?.[1];
    expect(stdout).toMatch(
      /^Test message HDSTEST-\w+ to udp:\/\/127\.0\.0\.1:\d+ \(UDP\):\n {2}✓ Sent the \d+-byte message over UDP/,
    );
    expect(stdout).toContain(`Sent; check your syslog server for message ${id}.`);
    await rsyslog.waitForMessage(id!);
  });

  it('--url with --tls --ca and null termination over TLS', async () => {
    const { code, stdout } = await syslogTest(
      '--url',
      `tcp://127.0.0.1:${rsyslog.tlsPort}`,
      '--tls',
      '--ca',
      join(dir, 'syslog-ca.pem'),
      '--termination',
      'null',
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/TLS over TCP, null byte termination/);
    expect(stdout).toMatch(/✓ TLS handshake done/);
    await rsyslog.waitForMessage(/message (HDSTEST-\w+)/.exec(stdout)![1]!);
  });

  it('failures exit 1 with their code, in both output modes', async () => {
    const port = await freePort();
    const human = await syslogTest('--url', `tcp://127.0.0.1:${port}`);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(
      /^error SYSLOG_UNREACHABLE \(url\): 127\.0\.0\.1:\d+ refused the connection/,
    );
    const json = await syslogTest('--url', 'udp://10.0.0.5', '--tls', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).errors[0]).toMatchObject({ code: 'SYSLOG_TLS_NEEDS_TCP', field: 'tls' });
    const badUrl = await syslogTest('--url', 'syslog.example.com', '--json');
    expect(JSON.parse(badUrl.stdout).errors[0].code).toBe('SYSLOG_URL_INVALID');
  });

  it('answers-file problems are named by their field', async () => {
    const noTls = answers(
      'ca-no-tls.yaml',
      `url: tcp://localhost:${rsyslog.tcpPort}\nrootCaFile: syslog-ca.pem`,
    );
    const r1 = JSON.parse((await syslogTest('--answers', noTls, '--json')).stdout);
    expect(r1.errors[0]).toMatchObject({ code: 'ANSWERS_INVALID', field: 'syslog.rootCaFile' });
    const badTermination = answers('term.yaml', 'url: udp://h\ntermination: crlf');
    const r2 = JSON.parse((await syslogTest('--answers', badTermination, '--json')).stdout);
    expect(r2.errors[0]).toMatchObject({ code: 'INVALID_INPUT', field: 'syslog.termination' });
    const badUrl = answers('url.yaml', 'url: http://h');
    const r3 = JSON.parse((await syslogTest('--answers', badUrl, '--json')).stdout);
    expect(r3.errors[0]).toMatchObject({ code: 'SYSLOG_URL_INVALID', field: 'syslog.url' });
    writeFileSync(join(dir, 'not-a-cert.pem'), 'hello');
    const badCa = answers('badca.yaml', 'url: tcp://h\ntls: true\nrootCaFile: not-a-cert.pem');
    const r4 = JSON.parse((await syslogTest('--answers', badCa, '--json')).stdout);
    expect(r4.errors[0]).toMatchObject({ code: 'SYSLOG_CA_INVALID', field: 'syslog.rootCaFile' });
  });

  it('usage mistakes exit 2', async () => {
    expect((await syslogTest()).code).toBe(EXIT_USAGE);
    expect((await syslogTest('--answers', 'a.yaml', '--url', 'udp://h')).code).toBe(EXIT_USAGE);
    expect((await syslogTest('--url', 'udp://h', '--termination', 'crlf')).code).toBe(EXIT_USAGE);
    expect((await syslogTest('--url', 'tcp://h', '--ca', 'x.pem')).code).toBe(EXIT_USAGE);
  });
});
