import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { CLIENT_HEADER } from '../../../contract/client-header.js';
import {
  createTestApp,
  postSignInToken,
  signInToTestApp,
  TEST_SIGN_IN_TOKEN,
} from '../../../scripts/test-env/test-app.js';
import { createApp } from './app.js';
import { createLogger } from './logger.js';

const TOKEN = TEST_SIGN_IN_TOKEN;
const makeApp = (now = () => new Date()) => createTestApp({ now });
const postToken = postSignInToken;
const signIn = signInToTestApp;

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

  it('a token signs in once: used again it is SIGN_IN_TOKEN_USED, saying where the new link is', async () => {
    const built = makeApp();
    expect((await postToken(built.app, TOKEN)).status).toBe(200);
    const again = await postToken(built.app, TOKEN);
    expect(again.status).toBe(401);
    expect(again.headers['set-cookie']).toBeUndefined();
    expect(again.body.errors).toHaveLength(1);
    expect(again.body.errors[0]).toMatchObject({ code: 'SIGN_IN_TOKEN_USED', field: 'token' });
    const message: string = again.body.errors[0].message;
    expect(message).toMatch(/already used/);
    expect(message).toMatch(/new sign-in link is printed in the terminal where hds-setup runs/);
    expect(message).toMatch(/docker logs/);
    expect(message).toMatch(/did not use it.*Ctrl\+C/);
    expect(message).not.toContain(TOKEN);
    // A wrong token keeps its own refusal.
    expect((await postToken(built.app, `${TOKEN}x`)).body.errors[0].code).toBe('AUTH_BAD_TOKEN');
  });

  it('each sign-in issues one fresh token, which signs in once, while the sessions it opened stay valid', async () => {
    const built = makeApp();
    const first = await signIn(built);
    expect(built.issued).toHaveLength(1);
    const second = built.issued[0]!;
    expect(second).toMatch(/^[\w-]{32}$/);
    expect(second).not.toBe(TOKEN);
    // Signing in again while a session exists works, and a refusal issues nothing.
    const secondCookie = await signIn(built);
    expect(built.issued).toHaveLength(2);
    expect((await postToken(built.app, second)).body.errors[0].code).toBe('SIGN_IN_TOKEN_USED');
    expect((await postToken(built.app, 'wrong-token')).status).toBe(401);
    expect(built.issued).toHaveLength(2);
    expect(new Set([TOKEN, ...built.issued]).size).toBe(3);
    for (const cookie of [first, secondCookie])
      expect((await request(built.app).get('/api/session').set('Cookie', cookie)).status).toBe(200);
    const third = await signIn(built);
    expect((await request(built.app).get('/api/session').set('Cookie', third)).status).toBe(200);
  });

  it('a used link reopened in the browser holding the session it created continues that session', async () => {
    const built = makeApp();
    const cookie = await signIn(built);
    expect(built.issued).toHaveLength(1);
    // Reopened from the terminal or history in the same browser: no new session, no new link.
    const reopened = await postToken(built.app, TOKEN).set('Cookie', cookie);
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({ ok: true, signedIn: true });
    expect(reopened.headers['set-cookie']).toBeUndefined();
    expect(built.issued).toHaveLength(1);
    expect((await request(built.app).get('/api/session').set('Cookie', cookie)).status).toBe(200);
    // The token still counts as used: without that session (another browser) it is refused.
    const elsewhere = await postToken(built.app, TOKEN);
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.body.errors[0].code).toBe('SIGN_IN_TOKEN_USED');
    // A session opened by a different link does not vouch for this one, nor does an unknown cookie.
    const otherCookie = await signIn(built);
    expect(built.issued).toHaveLength(2);
    for (const other of [otherCookie, 'hds_session=not-a-session']) {
      const refused = await postToken(built.app, TOKEN).set('Cookie', other);
      expect(refused.status, other).toBe(401);
      expect(refused.body.errors[0].code).toBe('SIGN_IN_TOKEN_USED');
    }
    // The unused link is unaffected by a session cookie and still signs in once.
    const fresh = await postToken(built.app, built.unusedToken()).set('Cookie', cookie);
    expect(fresh.status).toBe(200);
    expect(String(fresh.headers['set-cookie'])).toMatch(/^hds_session=[\w-]{40,};/);
    expect(built.issued).toHaveLength(3);
  });

  it('a used link with its own session refuses once that session has expired or ended', async () => {
    let clock = Date.parse('2026-01-01T10:00:00Z');
    const built = makeApp(() => new Date(clock));
    const cookie = await signIn(built);
    clock += 29 * 60_000;
    expect((await postToken(built.app, TOKEN).set('Cookie', cookie)).status).toBe(200);
    // Reopening the link counted as activity: 29 more minutes is still within the idle timeout.
    clock += 29 * 60_000;
    expect((await postToken(built.app, TOKEN).set('Cookie', cookie)).status).toBe(200);
    clock += 31 * 60_000;
    const expired = await postToken(built.app, TOKEN).set('Cookie', cookie);
    expect(expired.status).toBe(401);
    expect(expired.body.errors[0].code).toBe('SIGN_IN_TOKEN_USED');
    expect((await request(built.app).get('/api/session').set('Cookie', cookie)).status).toBe(401);
    expect(built.issued).toHaveLength(1);
    // Signed out: the link is refused as well.
    const next = await signIn(built);
    await request(built.app).delete('/api/session').set('Cookie', next).set(CLIENT_HEADER, 'web');
    const signedOut = await postToken(built.app, built.issued[0]!).set('Cookie', next);
    expect(signedOut.body.errors[0].code).toBe('SIGN_IN_TOKEN_USED');
  });

  it('used tokens count towards the limit on failed sign-ins', async () => {
    const built = makeApp();
    await signIn(built);
    let last = await postToken(built.app, TOKEN);
    for (let i = 0; i < 11; i++) last = await postToken(built.app, TOKEN);
    expect(last.status).toBe(429);
    expect(last.body.errors[0].code).toBe('AUTH_RATE_LIMITED');
  });

  it('expires an idle session after 30 minutes; the next printed link signs in again and the state is kept', async () => {
    let clock = Date.parse('2026-01-01T10:00:00Z');
    const built = makeApp(() => new Date(clock));
    const { app, state } = built;
    const cookie = await signIn(built);
    (state.sections as Record<string, unknown>).probe = { kept: true };
    clock += 29 * 60_000;
    expect((await request(app).get('/api/session').set('Cookie', cookie)).status).toBe(200);
    clock += 31 * 60_000;
    const expired = await request(app).get('/api/session').set('Cookie', cookie);
    expect(expired.status).toBe(401);
    expect(expired.body.errors[0].code).toBe('SESSION_EXPIRED');
    expect(expired.body.errors[0].message).toMatch(/newest sign-in link/);
    expect((await postToken(app, TOKEN)).body.errors[0].code).toBe('SIGN_IN_TOKEN_USED');
    const again = await signIn(built);
    expect((await request(app).get('/api/session').set('Cookie', again)).status).toBe(200);
    expect((state.sections as Record<string, unknown>).probe).toEqual({ kept: true });
  });

  it('signing out ends the session', async () => {
    const built = makeApp();
    const { app } = built;
    const cookie = await signIn(built);
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
    const built = makeApp();
    const { app } = built;
    const cookie = await signIn(built);
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
      .send({ token: built.unusedToken() });
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

  it('never logs a sign-in token, even when it arrives in the query string or is used twice', async () => {
    const { app, lines, issued } = makeApp();
    await request(app).get(`/?token=${TOKEN}`);
    await postToken(app, TOKEN);
    await postToken(app, TOKEN);
    await postToken(app, `${TOKEN}x`);
    await request(app).get(`/?token=${issued[0]}`);
    await postToken(app, issued[0]!);
    await postToken(app, issued[0]!);
    expect(issued).toHaveLength(2);
    expect(lines.length).toBeGreaterThan(0);
    for (const token of [TOKEN, ...issued]) expect(lines.join('\n')).not.toContain(token);
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
