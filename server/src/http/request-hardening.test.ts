import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_HEADER } from '../../../contract/client-header.js';
import { createTestApp, signInToTestApp, type TestApp } from '../../../scripts/test-env/test-app.js';

// An adversarial pass over the wizard's HTTP surface: every refusal is JSON with a stable code and
// carries the security headers, whatever kind of request provoked it.
let webRoot: string;

beforeAll(() => {
  webRoot = mkdtempSync(join(tmpdir(), 'hds-hardening-web-'));
  writeFileSync(
    join(webRoot, 'index.html'),
    '<!doctype html><html><head><title>HDS Setup</title></head><body></body></html>',
  );
  mkdirSync(join(webRoot, 'assets'));
  writeFileSync(join(webRoot, 'assets', 'app.js'), 'console.log(1)');
});
afterAll(() => rmSync(webRoot, { recursive: true, force: true }));

const makeApp = () => createTestApp({ webRoot });

function expectHardened(res: request.Response, code: string, status: number) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.body.errors[0].code).toBe(code);
  expect(res.text).not.toMatch(/at .*\.[jt]s:\d+|<html|<!DOCTYPE/i);
  expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
}

/** Sends bytes exactly as written (duplicate headers, absolute-form targets, no Host). */
async function rawRequest(app: TestApp['app'], head: string): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  try {
    const { port } = server.address() as AddressInfo;
    const { connect } = await import('node:net');
    return await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      socket.on('data', (d) => {
        text += d;
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
      socket.write(head);
    });
  } finally {
    server.close();
  }
}

describe('Host header', () => {
  it('refuses foreign or malformed names with HOST_NOT_ALLOWED and the security headers', async () => {
    const { app } = makeApp();
    for (const host of [
      'evil.example',
      'localhost.',
      'localhost:8080@evil.example',
      'localhost:x',
      '[::1]evil.example',
      '127.0.0.1:8080:9',
    ]) {
      const res = await request(app).get('/api/session').set('Host', host);
      expectHardened(res, 'HOST_NOT_ALLOWED', 421);
    }
    for (const host of ['localhost', 'LOCALHOST:8080', '127.0.0.1', '[::1]:8080'])
      expect((await request(app).get('/api/session').set('Host', host)).status, host).toBe(401);
  });

  it('refuses two Host headers and an absolute-form target naming another host', async () => {
    const { app } = makeApp();
    const twice = await rawRequest(
      app,
      'GET /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n',
    );
    expect(twice).toMatch(/^HTTP\/1.1 421/);
    expect(twice).toContain('"HOST_NOT_ALLOWED"');
    const absolute = await rawRequest(
      app,
      'GET http://evil.example/api/session HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    );
    expect(absolute).toMatch(/^HTTP\/1.1 421/);
  });
});

describe('same-origin check', () => {
  it('accepts only this server’s own http origin, and refuses a foreign Referer without Origin', async () => {
    const built = makeApp();
    const { app } = built;
    const cookie = await signInToTestApp(built);
    for (const origin of [
      'null',
      'https://127.0.0.1:8080',
      'http://127.0.0.1:8081',
      'http://localhost:8080',
    ]) {
      const res = await request(app)
        .delete('/api/session')
        .set('Host', '127.0.0.1:8080')
        .set('Cookie', cookie)
        .set('Origin', origin);
      expectHardened(res, 'CSRF_REJECTED', 403);
    }
    const foreignReferer = await request(app)
      .delete('/api/session')
      .set('Host', '127.0.0.1:8080')
      .set('Cookie', cookie)
      .set(CLIENT_HEADER, 'web')
      .set('Referer', 'http://evil.example/page');
    expectHardened(foreignReferer, 'CSRF_REJECTED', 403);
    const same = await request(app)
      .delete('/api/session')
      .set('Host', '127.0.0.1:8080')
      .set('Cookie', cookie)
      .set('Origin', 'http://127.0.0.1:8080');
    expect(same.status).toBe(200);
  });
});

describe('routes, methods and static files', () => {
  it('answers other methods on the page and its files with a JSON 405, never an HTML page', async () => {
    const { app } = makeApp();
    for (const [method, path] of [
      ['post', '/'],
      ['put', '/assets/app.js'],
      ['delete', '/some/page'],
      ['patch', '/index.html'],
    ] as const) {
      const res = await request(app)[method](path).set(CLIENT_HEADER, 'web');
      expectHardened(res, 'METHOD_NOT_ALLOWED', 405);
      expect(res.headers.allow).toBe('GET, HEAD');
    }
  });

  it('answers a known API path with a method it lacks with a JSON 405 and the methods it has', async () => {
    const built = makeApp();
    const cookie = await signInToTestApp(built);
    for (const [method, path, allow] of [
      ['patch', '/api/session', 'GET, HEAD, POST, DELETE'],
      ['delete', '/api/database', 'GET, HEAD, PUT'],
      ['put', '/api/tenants/3f1d7c2e-0b7a-4a53-9b7e-2f0c6c1d9a10/revoke', 'POST'],
      ['get', '/api/iso/build', 'POST'],
    ] as const) {
      const res = await request(built.app)
        [method](path)
        .set('Host', '127.0.0.1:8080')
        .set('Cookie', cookie)
        .set(CLIENT_HEADER, 'web');
      expectHardened(res, 'METHOD_NOT_ALLOWED', 405);
      expect(res.headers.allow, `${method} ${path}`).toBe(allow);
      expect(res.body.errors[0].message).toBe(
        `${method.toUpperCase()} is not accepted on ${path}; it answers ${allow}.`,
      );
    }
    // A path the API does not have is still 404.
    const unknown = await request(built.app)
      .patch('/api/nothing-here')
      .set('Host', '127.0.0.1:8080')
      .set('Cookie', cookie)
      .set(CLIENT_HEADER, 'web');
    expectHardened(unknown, 'NOT_FOUND', 404);
    expect(unknown.headers.allow).toBeUndefined();
  });

  it('answers a missing file with a JSON 404 instead of the wizard page', async () => {
    const { app } = makeApp();
    for (const path of ['/assets/missing.js', '/favicon.ico', '/assets/']) {
      const res = await request(app).get(path);
      expectHardened(res, 'NOT_FOUND', 404);
    }
    expect((await request(app).get('/assets/app.js')).text).toBe('console.log(1)');
  });

  it('never serves anything outside the web root, and index.html only through the page handler', async () => {
    const { app } = makeApp();
    for (const path of [
      '/..%2f..%2fetc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/assets/..%2f..%2f..%2fetc/passwd',
      '/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/..\\..\\etc\\passwd',
      '/assets/..%5c..%5cetc%5cpasswd',
      '/assets/%00',
    ]) {
      const res = await request(app).get(path);
      expect(res.text, path).not.toContain('root:');
      expect(res.status, path).not.toBe(500);
    }
    // No directory redirect to a path of the request's making.
    const up = await request(app).get('/index.html/..');
    expect(up.status).not.toBe(301);
    expect(up.headers.location).toBeUndefined();
    for (const path of ['/index.html/../index.html', '/assets/../index.html', '/assets/%2e%2e/index.html']) {
      const res = await request(app).get(path);
      expect(res.status, path).toBe(200);
      expect(res.text, path).toContain('<meta name="hds-style-nonce"');
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });
});

describe('request bodies', () => {
  it('refuses a body that is not JSON on a JSON route with UNSUPPORTED_MEDIA_TYPE', async () => {
    const built = makeApp();
    const { app } = built;
    const cookie = await signInToTestApp(built);
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
    ]) {
      const res = await request(app)
        .put('/api/syslog')
        .set('Cookie', cookie)
        .set(CLIENT_HEADER, 'web')
        .set('Content-Type', type)
        .send('{"url":"udp://10.0.0.5:514"}');
      expectHardened(res, 'UNSUPPORTED_MEDIA_TYPE', 415);
      expect(res.body.errors[0].message).toMatch(/application\/json/);
    }
    const iso = await request(app)
      .post('/api/deployment/import')
      .set('Cookie', cookie)
      .set(CLIENT_HEADER, 'web')
      .set('Content-Type', 'application/json')
      .send('{"iso":"AAAA"}');
    expectHardened(iso, 'UNSUPPORTED_MEDIA_TYPE', 415);
    // A bodiless POST needs no content type.
    const bare = await request(app)
      .post('/api/deployment/new')
      .set('Cookie', cookie)
      .set(CLIENT_HEADER, 'web');
    expect(bare.status).toBe(200);
  });

  it('survives deeply nested JSON, huge strings and __proto__/constructor keys without polluting prototypes', async () => {
    const built = makeApp();
    const { app, lines } = built;
    const cookie = await signInToTestApp(built);
    const hostile = [
      '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"url":"udp://10.0.0.5:514"}',
      '{"url":"udp://10.0.0.5:514","termination":"newline","__proto__":{"tls":true,"polluted":"yes"}}',
      `{"a":${'['.repeat(50_000)}${']'.repeat(50_000)}}`,
      `${'{"a":'.repeat(30_000)}1${'}'.repeat(30_000)}`,
      JSON.stringify({ url: `udp://${'a'.repeat(400_000)}:514` }),
    ];
    const routes: [string, string][] = [
      ['put', '/api/syslog'],
      ['put', '/api/database'],
      ['put', '/api/certificate/chain'],
      ['post', '/api/certificate/csr'],
      ['put', '/api/service-accounts'],
      ['post', '/api/tenants'],
      ['post', '/api/tenants/import'],
      ['post', '/api/tenants/jobs'],
      ['post', '/api/session'],
    ];
    for (const body of hostile)
      for (const [method, path] of routes) {
        const res = await request(app)
          [method as 'put'](path)
          .set('Cookie', cookie)
          .set(CLIENT_HEADER, 'web')
          .set('Content-Type', 'application/json')
          .send(body);
        expect(res.status, `${path} ${body.slice(0, 40)}`).toBeLessThan(500);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.text).not.toMatch(/at .*\.[jt]s:\d+/);
      }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(Object.prototype).not.toHaveProperty('tls');
    // The accepted syslog settings hold only what the admin sent, nothing inherited.
    const syslog = await request(app).get('/api/syslog').set('Cookie', cookie);
    expect(JSON.stringify(syslog.body)).not.toContain('polluted');
    expect(lines.join('\n')).not.toMatch(/"level":"error"/);
  });
});
