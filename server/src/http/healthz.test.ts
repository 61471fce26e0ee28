import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { createLogger } from './logger.js';

const TOKEN = 'test-sign-in-token-healthz-0123456789';

function makeApp() {
  const lines: string[] = [];
  const built = createApp({
    signInToken: TOKEN,
    host: '0.0.0.0',
    logger: createLogger((l) => lines.push(l)),
  });
  return { ...built, lines };
}

describe('GET /healthz (the container HEALTHCHECK)', () => {
  it('answers 200 without a sign-in token or session, and reveals nothing', async () => {
    const { app, lines } = makeApp();
    const res = await request(app).get('/healthz').set('Host', '127.0.0.1:8080');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toContain(TOKEN);
    // Probes are not logged: `docker logs` stays readable.
    expect(lines.join('\n')).not.toContain('/healthz');
  });

  it('still refuses a Host header the server is not reached by', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/healthz').set('Host', 'evil.example:8080');
    expect(res.status).not.toBe(200);
    expect(res.body.errors[0].code).toBe('HOST_NOT_ALLOWED');
  });
});
