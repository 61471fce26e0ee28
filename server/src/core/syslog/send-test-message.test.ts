import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../scripts/test-env/postgres-server.js';
import { rejectionOf } from '../../../../scripts/test-env/refusals.js';
import { type RsyslogServer, startRsyslog } from '../../../../scripts/test-env/rsyslog-server.js';
import { createTestCa, issueServerCert } from '../../../../scripts/test-env/test-pki.js';
import {
  parseSyslogSettings,
  sendSyslogMessage,
  sendSyslogMessages,
  sendSyslogTestMessage,
} from './index.js';

describe('Send test message, against a real rsyslogd', () => {
  let rsyslog: RsyslogServer;
  const servers: Server[] = [];
  beforeAll(async () => {
    rsyslog = await startRsyslog({ tls: true });
  });
  afterAll(async () => {
    for (const s of servers) s.close();
    await rsyslog?.stop();
  });

  it('UDP: reports "sent" and the message arrives with its id, facility local0, severity notice', async () => {
    const settings = parseSyslogSettings({ url: `udp://127.0.0.1:${rsyslog.udpPort}` });
    const report = await sendSyslogTestMessage(settings);
    expect(report.delivery).toBe('sent');
    expect(report.summary).toBe(
      `Sent; check your syslog server for message ${report.msgId}. (UDP cannot confirm delivery.)`,
    );
    const line = await rsyslog.waitForMessage(report.msgId);
    // <133> = local0 (16) * 8 + notice (5); version 1; app-name hds-setup; MSGID = the id; no SD.
    expect(line).toMatch(
      new RegExp(
        `^<133>1 \\S+ \\S+ hds-setup ${process.pid} ${report.msgId} - Test message ${report.msgId} from the HDS Setup tool: .* udp://127\\.0\\.0\\.1:${rsyslog.udpPort} with these settings\\.$`,
      ),
    );
  });

  it.each(['newline', 'null'] as const)(
    'TCP with %s termination: the record arrives intact',
    async (termination) => {
      const settings = parseSyslogSettings({ url: `tcp://localhost:${rsyslog.tcpPort}`, termination });
      const report = await sendSyslogTestMessage(settings);
      expect(report.transport).toBe('tcp');
      expect(report.delivery).toBe('written');
      expect(report.confirmed.join('\n')).toMatch(/Connected to localhost:\d+ \(127\.0\.0\.1\) over TCP/);
      const line = await rsyslog.waitForMessage(report.msgId);
      expect(line).toMatch(
        new RegExp(
          `^<133>1 .* hds-setup \\d+ ${report.msgId} - Test message ${report.msgId} .*these settings\\.$`,
        ),
      );
    },
  );

  it('two records back to back on one framing stay two records', async () => {
    const settings = parseSyslogSettings({ url: `tcp://127.0.0.1:${rsyslog.tcpPort}`, termination: 'null' });
    await sendSyslogMessage(settings, { msgId: 'AUDIT1', message: 'first line\nwith a newline inside' });
    await sendSyslogMessage(settings, {
      msgId: 'AUDIT2',
      message: 'second — ünïcode',
      severity: 'warning',
      structuredData: { 'hdsAudit@32473': { org: 'a"b]c\\d' } },
    });
    expect(await rsyslog.waitForMessage('AUDIT1')).toMatch(/AUDIT1 - first line with a newline inside$/);
    expect(await rsyslog.waitForMessage('AUDIT2')).toMatch(
      /^<132>1 .* AUDIT2 \[hdsAudit@32473 org="a\\"b\\]c\\\\d"\] (\ufeff)?second — ünïcode$/,
    );
  });

  it.each([
    ['UDP', 'udp', 300],
    ['TCP', 'tcp', 2500],
    ['TLS', 'tls', 2500],
  ] as const)(
    '%s: many records sent at once (the audit trail) arrive, each one record, in order',
    async (_name, transport, count) => {
      const port = { udp: rsyslog.udpPort, tcp: rsyslog.tcpPort, tls: rsyslog.tlsPort! }[transport];
      const settings = parseSyslogSettings({
        url: `${transport === 'udp' ? 'udp' : 'tcp'}://127.0.0.1:${port}`,
        tls: transport === 'tls',
        termination: 'null',
      });
      const tag = `MANY${transport.toUpperCase()}`;
      const records = Array.from({ length: count }, (_, i) => ({
        msgId: tag,
        message: `record ${i} of ${count}`,
      }));
      await sendSyslogMessages(settings, records, rsyslog.caPem);
      await rsyslog.waitForMessage(`record ${count - 1} of ${count}`);
      const received = rsyslog.lines().filter((line) => line.includes(` ${tag} - `));
      expect(received.map((line) => line.replace(/^.* - /, ''))).toEqual(records.map((r) => r.message));
    },
  );

  it('TLS: verifies the certificate against the uploaded root CA, and the message arrives', async () => {
    const settings = parseSyslogSettings({
      url: `tcp://127.0.0.1:${rsyslog.tlsPort}`,
      tls: true,
      termination: 'newline',
    });
    const report = await sendSyslogTestMessage(settings, rsyslog.caPem);
    expect(report.transport).toBe('tls');
    expect(report.tls).toMatchObject({
      verified: true,
      subject: 'CN=localhost',
      verifiedAgainst: 'the uploaded root CA',
    });
    expect(report.tls?.issuer).toBe('CN=HDS Test Syslog Root CA');
    expect(await rsyslog.waitForMessage(report.msgId)).toContain(`Test message ${report.msgId}`);
  });

  it('TLS with a CA that did not sign the server certificate: SYSLOG_TLS_FAILED with the reason', async () => {
    const otherCa = createTestCa('Some Other CA');
    const settings = parseSyslogSettings({ url: `tcp://127.0.0.1:${rsyslog.tlsPort}`, tls: true });
    const failure = await rejectionOf(sendSyslogTestMessage(settings, otherCa.certPem));
    expect(failure.code).toBe('SYSLOG_TLS_FAILED');
    expect(failure.message).toMatch(/not signed by the uploaded root CA .*upload the CA that issued/);
  });

  it('TLS without an uploaded CA: a private CA is not trusted', async () => {
    const settings = parseSyslogSettings({ url: `tcp://127.0.0.1:${rsyslog.tlsPort}`, tls: true });
    const failure = await rejectionOf(sendSyslogTestMessage(settings));
    expect(failure.code).toBe('SYSLOG_TLS_FAILED');
    expect(failure.message).toMatch(/not signed by a publicly trusted CA/);
  });

  it('TLS to a server whose certificate names another host: SYSLOG_TLS_FAILED', async () => {
    const ca = createTestCa();
    const cert = issueServerCert(ca, 'elsewhere', { dnsNames: ['syslog.elsewhere.example'] });
    const server = createTlsServer({ cert: cert.certPem, key: cert.keyPem }, (s) => s.resume());
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const failure = await rejectionOf(
      sendSyslogTestMessage(parseSyslogSettings({ url: `tcp://127.0.0.1:${port}`, tls: true }), ca.certPem),
    );
    expect(failure.code).toBe('SYSLOG_TLS_FAILED');
    expect(failure.message).toMatch(/not issued for 127\.0\.0\.1/);
  });

  it('TLS to a plain TCP port that never answers the handshake: SYSLOG_TIMEOUT naming the handshake', async () => {
    const silent = createServer(() => {});
    servers.push(silent);
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const port = (silent.address() as { port: number }).port;
    const settings = parseSyslogSettings({ url: `tcp://127.0.0.1:${port}`, tls: true });
    const failure = await rejectionOf(sendSyslogTestMessage(settings, rsyslog.caPem, { timeoutMs: 300 }));
    expect(failure.code).toBe('SYSLOG_TIMEOUT');
    expect(failure.message).toMatch(/did not complete a TLS handshake/);
  });

  it('a server that resets the connection during the TLS handshake: SYSLOG_TLS_FAILED, no crash', async () => {
    const rude = createServer((s) => s.once('data', () => s.resetAndDestroy()));
    servers.push(rude);
    rude.listen(0, '127.0.0.1');
    await once(rude, 'listening');
    const port = (rude.address() as { port: number }).port;
    const settings = parseSyslogSettings({ url: `tcp://127.0.0.1:${port}`, tls: true });
    const failure = await rejectionOf(sendSyslogTestMessage(settings, rsyslog.caPem, { timeoutMs: 2000 }));
    expect(failure.code).toBe('SYSLOG_TLS_FAILED');
    expect(failure.message).toMatch(/closed the connection during the TLS handshake/);
  });

  it('a closed TCP port: SYSLOG_UNREACHABLE', async () => {
    const port = await freePort();
    const failure = await rejectionOf(
      sendSyslogTestMessage(parseSyslogSettings({ url: `tcp://127.0.0.1:${port}` })),
    );
    expect(failure.code).toBe('SYSLOG_UNREACHABLE');
    expect(failure.message).toMatch(/refused the connection/);
  });

  it('a closed UDP port: the ICMP port-unreachable is reported as SYSLOG_UNREACHABLE', async () => {
    const port = await freePort();
    const failure = await rejectionOf(
      sendSyslogTestMessage(parseSyslogSettings({ url: `udp://127.0.0.1:${port}` })),
    );
    expect(failure.code).toBe('SYSLOG_UNREACHABLE');
    expect(failure.message).toMatch(/port unreachable/);
  });

  it('a host name that does not resolve: SYSLOG_HOST_UNRESOLVED', async () => {
    const failure = await rejectionOf(
      sendSyslogTestMessage(parseSyslogSettings({ url: 'tcp://no-such-syslog-host.invalid:514' })),
    );
    expect(failure.code).toBe('SYSLOG_HOST_UNRESOLVED');
    expect(failure.message).toMatch(/no-such-syslog-host\.invalid does not resolve/);
  });

  it('IPv6 in brackets: the exact bytes on the wire are one record with the NUL trailer', async () => {
    const received: Buffer[] = [];
    const server = createServer((s) => s.on('data', (d: Buffer) => received.push(d)));
    servers.push(server);
    server.listen(0, '::1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const settings = parseSyslogSettings({ url: `tcp://[::1]:${port}`, termination: 'null' });
    const report = await sendSyslogTestMessage(settings, undefined, {
      now: () => new Date('2025-03-04T05:06:07.089Z'),
      hostname: 'admin-laptop',
      msgId: 'HDSTEST-000000000001',
    });
    expect(report.target).toBe(`[::1]:${port}`);
    await expect
      .poll(() => Buffer.concat(received).toString('latin1'))
      .toBe(
        `<133>1 2025-03-04T05:06:07.089Z admin-laptop hds-setup ${process.pid} HDSTEST-000000000001 - ` +
          `Test message HDSTEST-000000000001 from the HDS Setup tool: the Hybrid Data Security nodes will log to tcp://[::1]:${port} with these settings.\x00`,
      );
  });
});
