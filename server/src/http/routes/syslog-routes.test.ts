import { once } from 'node:events';
import { createServer } from 'node:http';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_HEADER } from '../../../../contract/client-header.js';
import { freePort } from '../../../../scripts/test-env/postgres-server.js';
import { type RsyslogServer, startRsyslog } from '../../../../scripts/test-env/rsyslog-server.js';
import { createApp, type HdsApp } from '../app.js';
import { createLogger } from '../logger.js';

const TOKEN = 'syslog-routes-test-token-0123456789';

describe('System logs API', () => {
  let rsyslog: RsyslogServer;
  let built: HdsApp;
  let cookie: string;
  const logLines: string[] = [];
  const call = (method: 'get' | 'put' | 'post', path: string, body?: unknown) => {
    const r = request(built.app)[method](`/api${path}`).set(CLIENT_HEADER, 'web').set('Cookie', cookie);
    return body === undefined ? r : r.send(body as object);
  };

  beforeAll(async () => {
    rsyslog = await startRsyslog({ tls: true });
    built = createApp({
      signInToken: TOKEN,
      host: '127.0.0.1',
      logger: createLogger((l) => logLines.push(l)),
    });
    const res = await request(built.app)
      .post('/api/session')
      .set(CLIENT_HEADER, 'web')
      .send({ token: TOKEN });
    cookie = String(res.headers['set-cookie']).split(';')[0]!;
  });
  afterAll(async () => {
    await rsyslog?.stop();
  });

  it('starts empty', async () => {
    const res = await call('get', '/syslog');
    expect(res.body).toEqual({ ok: true });
  });

  it('refuses a bad URL and TLS over UDP with their codes on their fields', async () => {
    const bad = await call('put', '/syslog', {
      url: 'syslog.example.com:514',
      tls: false,
      termination: 'null',
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ code: 'SYSLOG_URL_INVALID', field: 'url' })]);
    const udpTls = await call('put', '/syslog', { url: 'udp://10.0.0.5', tls: true, termination: 'null' });
    expect(udpTls.body.errors[0]).toMatchObject({ code: 'SYSLOG_TLS_NEEDS_TCP', field: 'tls' });
    const notCa = await call('put', '/syslog', {
      url: 'tcp://10.0.0.5',
      tls: true,
      rootCaBase64: Buffer.from('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n').toString(
        'base64',
      ),
    });
    expect(notCa.body.errors[0]).toMatchObject({ code: 'SYSLOG_CA_INVALID', field: 'rootCa' });
    expect(notCa.body.errors[0].message).toMatch(/no CERTIFICATE block/);
  });

  it('sends a TLS test message with the uploaded CA, keeps the settings, and never echoes the CA bytes', async () => {
    const res = await call('post', '/syslog/test', {
      url: `tcp://127.0.0.1:${rsyslog.tlsPort}`,
      tls: true,
      termination: 'newline',
      rootCaBase64: Buffer.from(rsyslog.caPem!).toString('base64'),
    });
    expect(res.status).toBe(200);
    const { report } = res.body;
    expect(report).toMatchObject({ transport: 'tls', delivery: 'written', tls: { verified: true } });
    expect(report.summary).toContain(report.msgId);
    expect(await rsyslog.waitForMessage(report.msgId)).toContain(`Test message ${report.msgId}`);

    const view = await call('get', '/syslog');
    expect(view.body.settings).toEqual({
      url: `tcp://127.0.0.1:${rsyslog.tlsPort}`,
      protocol: 'tcp',
      host: '127.0.0.1',
      port: rsyslog.tlsPort,
      tls: true,
      termination: 'newline',
    });
    expect(view.body.rootCa.subjects).toEqual(['CN=HDS Test Syslog Root CA']);
    expect(view.body.lastTest).toMatchObject({ ok: true, msgId: report.msgId });
    expect(JSON.stringify(view.body)).not.toContain('BEGIN CERTIFICATE');
    expect(built.state.get('syslog')?.rootCaPem).toContain('BEGIN CERTIFICATE');
    expect(logLines.join('\n')).toContain(report.msgId);

    // Saving again without a new file keeps the CA and the test result.
    const again = await call('put', '/syslog', {
      url: `tcp://127.0.0.1:${rsyslog.tlsPort}`,
      tls: true,
      termination: 'newline',
    });
    expect(again.body.rootCa.subjects).toEqual(['CN=HDS Test Syslog Root CA']);
    expect(again.body.lastTest.msgId).toBe(report.msgId);
  });

  it('a failed test is reported with its code and recorded, and the admin may still save and continue', async () => {
    const port = await freePort();
    const res = await call('post', '/syslog/test', {
      url: `tcp://127.0.0.1:${port}`,
      tls: false,
      termination: 'null',
    });
    expect(res.status).toBe(422);
    expect(res.body.errors[0]).toMatchObject({ code: 'SYSLOG_UNREACHABLE', field: 'url' });
    const view = await call('get', '/syslog');
    expect(view.body.lastTest).toMatchObject({ ok: false, code: 'SYSLOG_UNREACHABLE' });
    expect(view.body.rootCa).toBeUndefined();
    const saved = await call('put', '/syslog', {
      url: `tcp://127.0.0.1:${port}`,
      tls: false,
      termination: 'null',
    });
    expect(saved.status).toBe(200);
    expect(saved.body.settings.url).toBe(`tcp://127.0.0.1:${port}`);
  });

  it('UDP test reports "sent" with the id to look for', async () => {
    const res = await call('post', '/syslog/test', {
      url: `udp://127.0.0.1:${rsyslog.udpPort}`,
      termination: 'null',
    });
    expect(res.body.report.summary).toMatch(
      /^Sent; check your syslog server for message HDSTEST-[0-9A-F]{12}\./,
    );
    await rsyslog.waitForMessage(res.body.report.msgId);
  });
  it('a URL with user:password@ is refused without the password in the answer or the log', async () => {
    const res = await call('post', '/syslog/test', { url: 'tcp://admin:Hunter2-secret@127.0.0.1:514' });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ code: 'SYSLOG_URL_INVALID', field: 'url' })]);
    expect(JSON.stringify(res.body)).not.toContain('Hunter2-secret');
    expect(logLines.join('\n')).not.toContain('Hunter2-secret');
  });

  it('an HTTP server on the port: 422 SYSLOG_UNREACHABLE "not a syslog server", recorded as the last test', async () => {
    const http = createServer((_q, r) => r.end('hi'));
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    try {
      const url = `tcp://127.0.0.1:${(http.address() as { port: number }).port}`;
      const res = await call('post', '/syslog/test', { url, termination: 'newline' });
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([
        expect.objectContaining({
          code: 'SYSLOG_UNREACHABLE',
          field: 'url',
          message: expect.stringMatching(/not a syslog server/),
        }),
      ]);
      const view = await call('get', '/syslog');
      expect(view.body.lastTest).toMatchObject({ ok: false, code: 'SYSLOG_UNREACHABLE' });
    } finally {
      http.close();
    }
  });
});
