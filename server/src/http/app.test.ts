import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { CLIENT_HEADER } from '../../../contract/client-header.js';
import { createApp } from './app.js';
import { createLogger } from './logger.js';

const TOKEN = 'test-sign-in-token-0123456789abcdef';

function makeApp(now = () => new Date()) {
  const lines: string[] = [];
  const built = createApp({
    signInToken: TOKEN,
    host: '127.0.0.1',
    logger: createLogger((l) => lines.push(l)),
    now,
  });
  return { ...built, lines };
}

async function signIn(app: ReturnType<typeof makeApp>['app']): Promise<string> {
  const res = await request(app).post('/api/session').set(CLIENT_HEADER, 'web').send({ token: TOKEN });
  expect(res.status).toBe(200);
  return String(res.headers['set-cookie']).split(';')[0]!;
}

describe('sign-in', () => {
  it('exchanges the token for an HttpOnly, SameSite=Strict session cookie', async () => {
    const { app } = makeApp();
    const res = await request(app).post('/api/session').set(CLIENT_HEADER, 'web').send({ token: TOKEN });
    expect(res.status).toBe(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^hds_session=[\w-]{40,};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const status = await request(app).get('/api/session').set('Cookie', cookie.split(';')[0]!);
    expect(status.body).toMatchObject({ ok: true, signedIn: true });
  });

  it('refuses a wrong token with 401 and a clear message, and slows down repeated guesses', async () => {
    const { app } = makeApp();
    const wrong = await request(app).post('/api/session').set(CLIENT_HEADER, 'web').send({ token: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.errors[0]).toMatchObject({ code: 'AUTH_BAD_TOKEN', field: 'token' });
    expect(wrong.body.errors[0].message).toMatch(/link printed by hds-setup/);
    let last = wrong;
    for (let i = 0; i < 12; i++)
      last = await request(app)
        .post('/api/session')
        .set(CLIENT_HEADER, 'web')
        .send({ token: `guess-${i}` });
    expect(last.status).toBe(429);
    expect(last.body.errors[0].code).toBe('AUTH_RATE_LIMITED');
  });

  it('guards every other /api route with the session', async () => {
    const { app } = makeApp();
    for (const [method, path] of [
      ['get', '/api/session'],
      ['get', '/api/anything'],
      ['put', '/api/certificate'],
    ] as const) {
      const res = await request(app)[method](path).set(CLIENT_HEADER, 'web');
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body.errors[0].code).toBe('AUTH_REQUIRED');
    }
  });

  it('expires an idle session after 30 minutes; the same link signs in again and the state is kept', async () => {
    let clock = Date.parse('2026-01-01T10:00:00Z');
    const { app, state } = makeApp(() => new Date(clock));
    const cookie = await signIn(app);
    (state.sections as Record<string, unknown>).probe = { kept: true };
    clock += 29 * 60_000;
    expect((await request(app).get('/api/session').set('Cookie', cookie)).status).toBe(200);
    clock += 31 * 60_000;
    const expired = await request(app).get('/api/session').set('Cookie', cookie);
    expect(expired.status).toBe(401);
    expect(expired.body.errors[0].code).toBe('SESSION_EXPIRED');
    const again = await signIn(app);
    expect((await request(app).get('/api/session').set('Cookie', again)).status).toBe(200);
    expect((state.sections as Record<string, unknown>).probe).toEqual({ kept: true });
  });

  it('signing out ends the session', async () => {
    const { app } = makeApp();
    const cookie = await signIn(app);
    await request(app).delete('/api/session').set('Cookie', cookie).set(CLIENT_HEADER, 'web');
    expect((await request(app).get('/api/session').set('Cookie', cookie)).status).toBe(401);
  });
});

describe('request security', () => {
  it('refuses a Host header other than the served address (DNS rebinding)', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/api/session').set('Host', 'evil.example:8080');
    expect(res.status).toBe(421);
    expect(res.body.errors[0].code).toBe('HOST_NOT_ALLOWED');
    for (const host of ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080']) {
      const ok = await request(app).get('/api/session').set('Host', host);
      expect(ok.status, host).toBe(401);
    }
  });

  it('refuses state-changing requests from another origin or without the app header (CSRF)', async () => {
    const { app } = makeApp();
    const cookie = await signIn(app);
    const foreign = await request(app)
      .delete('/api/session')
      .set('Cookie', cookie)
      .set('Origin', 'http://evil.example');
    expect(foreign.status).toBe(403);
    expect(foreign.body.errors[0].code).toBe('CSRF_REJECTED');
    const bare = await request(app).delete('/api/session').set('Cookie', cookie);
    expect(bare.status).toBe(403);
    const sameOrigin = await request(app)
      .post('/api/session')
      .set('Host', '127.0.0.1:8080')
      .set('Origin', 'http://127.0.0.1:8080')
      .send({ token: TOKEN });
    expect(sameOrigin.status).toBe(200);
  });

  it('sends a strict CSP and the other security headers', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/api/session');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('answers an oversized JSON body with 413 and a clear error', async () => {
    const { app } = makeApp();
    const res = await request(app)
      .post('/api/session')
      .set(CLIENT_HEADER, 'web')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ token: 'x'.repeat(200_000) }));
    expect(res.status).toBe(413);
    expect(res.body.errors[0].code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers malformed JSON and unknown routes with coded errors, never a stack', async () => {
    const { app } = makeApp();
    const bad = await request(app)
      .post('/api/session')
      .set(CLIENT_HEADER, 'web')
      .set('Content-Type', 'application/json')
      .send('{"token":');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].code).toBe('INVALID_INPUT');
    expect(JSON.stringify(bad.body)).not.toMatch(/at .*\.js:\d+/);
  });

  it('never logs the sign-in token, even when it arrives in the query string', async () => {
    const { app, lines } = makeApp();
    await request(app).get(`/?token=${TOKEN}`);
    await request(app).post('/api/session').set(CLIENT_HEADER, 'web').send({ token: TOKEN });
    await request(app)
      .post('/api/session')
      .set(CLIENT_HEADER, 'web')
      .send({ token: `${TOKEN}x` });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });
});

describe('the wizard page and its style nonce', () => {
  it('serves index.html with a fresh nonce per response, in its CSP style-src and in a meta tag; scripts stay self-only', async () => {
    const webRoot = mkdtempSync(join(tmpdir(), 'hds-web-root-'));
    try {
      writeFileSync(
        join(webRoot, 'index.html'),
        '<!doctype html><html><head><title>HDS Setup</title></head><body><div id="root"></div></body></html>',
      );
      const { app } = createApp({
        signInToken: TOKEN,
        host: '127.0.0.1',
        logger: createLogger(() => undefined),
        webRoot,
      });
      const nonces: string[] = [];
      for (const path of ['/', '/tenants', '/index.html']) {
        const res = await request(app).get(path);
        expect(res.status, path).toBe(200);
        const csp = String(res.headers['content-security-policy']);
        const inCsp = /style-src 'self' 'nonce-([A-Za-z0-9+/=]{22,})'/.exec(csp)?.[1];
        expect(inCsp, csp).toBeDefined();
        expect(res.text).toContain(`<meta name="hds-style-nonce" content="${inCsp}">`);
        expect(csp).toContain("script-src 'self';");
        expect(csp).not.toContain('unsafe-inline');
        expect(csp).not.toContain('unsafe-eval');
        expect(csp).toContain("frame-ancestors 'none'");
        expect(res.headers['cache-control']).toBe('no-store');
        nonces.push(inCsp!);
      }
      expect(new Set(nonces).size).toBe(nonces.length);
    } finally {
      rmSync(webRoot, { recursive: true, force: true });
    }
  });
});
