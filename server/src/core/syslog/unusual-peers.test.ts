import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejectionOf } from '../../../../scripts/test-env/refusals.js';
import { type RsyslogServer, startRsyslog } from '../../../../scripts/test-env/rsyslog-server.js';
import {
  createSelfSignedServerCert,
  createTestCa,
  issueServerCert,
} from '../../../../scripts/test-env/test-pki.js';
import { parseSyslogSettings, sendSyslogMessages, sendSyslogTestMessage } from './index.js';

// What the test message says when the peer is not the syslog server the admin thinks it is.
const servers: Server[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const s of servers) s.close();
  for (const c of children) c.kill('SIGKILL');
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

const tcp = (port: number, extra: Record<string, unknown> = {}) =>
  parseSyslogSettings({ url: `tcp://127.0.0.1:${port}`, ...extra });

describe('TCP peers that are not syslog servers', () => {
  it('an HTTP server: SYSLOG_UNREACHABLE saying it answered, which a syslog server never does', async () => {
    const port = await listen(createHttpServer((_q, r) => r.end('hi')) as unknown as Server);
    for (const termination of ['null', 'newline'] as const) {
      const failure = await rejectionOf(sendSyslogTestMessage(tcp(port, { termination }), undefined));
      expect(failure.code).toBe('SYSLOG_UNREACHABLE');
      expect(failure.field).toBe('url');
      expect(failure.message).toMatch(/is not a syslog server: it answered "HTTP\/1\.1 400 Bad Request/);
      expect(failure.message).toMatch(/check the port/i);
    }
  });

  it('a server that greets first (SSH banner): SYSLOG_UNREACHABLE naming the banner', async () => {
    const port = await listen(
      createServer((c) => {
        c.write('SSH-2.0-OpenSSH_9.2\r\n');
        c.resume();
        c.on('end', () => c.end());
      }),
    );
    const failure = await rejectionOf(sendSyslogTestMessage(tcp(port)));
    expect(failure.code).toBe('SYSLOG_UNREACHABLE');
    expect(failure.message).toContain('answered "SSH-2.0-OpenSSH_9.2"');
  });

  it('a listener that takes the record but never closes its side: written, without claiming a clean close', async () => {
    const port = await listen(createServer(() => {}));
    const started = Date.now();
    const report = await sendSyslogTestMessage(tcp(port), undefined, { timeoutMs: 1000 });
    expect(Date.now() - started).toBeLessThan(2500);
    expect(report.delivery).toBe('written');
    const text = report.confirmed.join('\n');
    expect(text).not.toMatch(/closed the connection cleanly/);
    expect(text).toMatch(/did not close its side .* syslog servers do/);
    expect(report.summary).toMatch(/could not confirm that a syslog server received it/);
  });

  it('a listener that stops reading (a syslog server whose queue is full): SYSLOG_TIMEOUT, not a hang', async () => {
    // The audit trail writes a batch of lines at once; once the socket buffers are full the write
    // never completed, and the tenant change it followed never answered. Loopback buffers take
    // megabytes (a WAN link far less than one batch of 1 000 lines), hence 20 000 long lines here.
    const port = await listen(createServer((c) => c.pause()));
    const records = Array.from({ length: 20_000 }, (_, i) => ({
      msgId: 'TENANT_ADD',
      message: `hds-setup added org ${String(i).padStart(12, '0')} to the tenant list: ok ${'.'.repeat(400)}`,
    }));
    const started = Date.now();
    const failure = await rejectionOf(sendSyslogMessages(tcp(port), records, undefined, { timeoutMs: 1000 }));
    expect(Date.now() - started).toBeLessThan(4000);
    expect(failure.code).toBe('SYSLOG_TIMEOUT');
    expect(failure.message).toMatch(/stopped taking data: the \d+-byte write was not taken within 1 s/);
  }, 30_000);

  it('a blackholed port (SYN dropped): SYSLOG_TIMEOUT within the deadline, naming the TCP connect', async () => {
    // A listener that never accepts, its queue filled: the kernel drops further SYNs, as a firewall would.
    const py = spawn(
      'python3',
      [
        '-c',
        `import socket,sys,time
s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(0)
fill=[socket.create_connection(s.getsockname()) for _ in range(1)]
print(s.getsockname()[1], flush=True); time.sleep(60)`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(py);
    const [chunk] = (await once(py.stdout!, 'data')) as [Buffer];
    const port = Number(chunk.toString().trim());
    const started = Date.now();
    const failure = await rejectionOf(sendSyslogTestMessage(tcp(port), undefined, { timeoutMs: 800 }));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(failure.code).toBe('SYSLOG_TIMEOUT');
    expect(failure.message).toMatch(/did not accept a TCP connection within 0\.8 s.*firewall/);
  });
});

describe('plain TCP sent to a TLS port', () => {
  let rsyslog: RsyslogServer;
  beforeAll(async () => {
    rsyslog = await startRsyslog({ tls: true });
  });
  afterAll(() => rsyslog?.stop());

  it('rsyslog (gtls) resets it: SYSLOG_UNREACHABLE suggesting TLS, not "before the message was written"', async () => {
    const failure = await rejectionOf(sendSyslogTestMessage(tcp(rsyslog.tlsPort!)));
    expect(failure.code).toBe('SYSLOG_UNREACHABLE');
    expect(failure.message).not.toMatch(/before the message was written/);
    expect(failure.message).toMatch(/If that port expects TLS, turn TLS on/);
  });

  it('an OpenSSL TLS server answers with a TLS alert: SYSLOG_UNREACHABLE saying the port speaks TLS', async () => {
    const cert = createSelfSignedServerCert('localhost');
    const port = await listen(createTlsServer({ cert: cert.certPem, key: cert.keyPem }) as unknown as Server);
    const failure = await rejectionOf(sendSyslogTestMessage(tcp(port)));
    expect(failure.code).toBe('SYSLOG_UNREACHABLE');
    expect(failure.message).toMatch(/TLS/);
    expect(failure.message).toMatch(/expects TLS, turn TLS on/);
  });
});

describe('TLS server certificates the uploaded CA cannot vouch for, on a real rsyslogd', () => {
  const ca = createTestCa('Syslog Test CA');
  async function withRsyslog(
    cert: { certPath: string; keyPath: string },
    caPath: string,
    run: (s: RsyslogServer) => Promise<void>,
  ) {
    const s = await startRsyslog({ tls: { certPath: cert.certPath, keyPath: cert.keyPath, caPath } });
    try {
      await run(s);
    } finally {
      await s.stop();
    }
  }
  const tlsTo = (host: string, port: number) =>
    parseSyslogSettings({ url: `tcp://${host}:${port}`, tls: true });

  it('an expired certificate: SYSLOG_TLS_FAILED saying it expired and when, not "not signed"', async () => {
    const cert = issueServerCert(ca, 'expired', {
      dnsNames: ['localhost'],
      ips: ['127.0.0.1'],
      validity: { notBefore: '20200101000000Z', notAfter: '20210101000000Z' },
    });
    await withRsyslog(cert, ca.certPath, async (s) => {
      const failure = await rejectionOf(sendSyslogTestMessage(tlsTo('localhost', s.tlsPort!), ca.certPem));
      expect(failure.code).toBe('SYSLOG_TLS_FAILED');
      expect(failure.message).not.toMatch(/not signed/);
      expect(failure.message).toMatch(/expired on 2021-01-01/);
      expect(failure.message).toMatch(/renew/);
    });
  });

  it('a certificate not yet valid: SYSLOG_TLS_FAILED naming the start date and the clocks', async () => {
    const cert = issueServerCert(ca, 'future', {
      dnsNames: ['localhost'],
      ips: ['127.0.0.1'],
      validity: { notBefore: '20400101000000Z', notAfter: '20410101000000Z' },
    });
    await withRsyslog(cert, ca.certPath, async (s) => {
      const failure = await rejectionOf(sendSyslogTestMessage(tlsTo('127.0.0.1', s.tlsPort!), ca.certPem));
      expect(failure.code).toBe('SYSLOG_TLS_FAILED');
      expect(failure.message).toMatch(/not valid before 2040-01-01/);
      expect(failure.message).toMatch(/clock/);
    });
  });

  it('a self-signed certificate not uploaded: SYSLOG_TLS_FAILED saying to upload that certificate itself', async () => {
    const self = createSelfSignedServerCert('localhost');
    await withRsyslog(self, self.certPath, async (s) => {
      const failure = await rejectionOf(sendSyslogTestMessage(tlsTo('localhost', s.tlsPort!)));
      expect(failure.code).toBe('SYSLOG_TLS_FAILED');
      expect(failure.field).toBe('rootCa');
      expect(failure.message).toMatch(/self-signed/);
      expect(failure.message).toMatch(/upload that certificate itself as the root CA/);
      // …and uploading it works.
      const report = await sendSyslogTestMessage(tlsTo('localhost', s.tlsPort!), self.certPem);
      expect(await s.waitForMessage(report.msgId)).toContain(report.msgId);
    });
  });

  it('a certificate for another name: SYSLOG_TLS_FAILED on the URL, naming the names it is issued for', async () => {
    const cert = issueServerCert(ca, 'other-name', { dnsNames: ['syslog.example.com', 'logs.example.com'] });
    await withRsyslog(cert, ca.certPath, async (s) => {
      const failure = await rejectionOf(sendSyslogTestMessage(tlsTo('localhost', s.tlsPort!), ca.certPem));
      expect(failure.code).toBe('SYSLOG_TLS_FAILED');
      expect(failure.field).toBe('url');
      expect(failure.message).toMatch(/not issued for localhost/);
      expect(failure.message).toMatch(/it names syslog\.example\.com, logs\.example\.com/);
    });
  });
});
