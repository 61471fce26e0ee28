import request from 'supertest';
import { CLIENT_HEADER } from '../../contract/client-header.js';
import { type AppOptions, createApp } from '../../server/src/http/app.js';
import { createLogger } from '../../server/src/http/logger.js';

/** The first sign-in token of a test app (each sign-in issues the next one). */
export const TEST_SIGN_IN_TOKEN = 'test-sign-in-token-0123456789abcdef';

export type TestApp = ReturnType<typeof createTestApp>;

/**
 * The wizard's Express app as `serve` builds it, for route tests: its log lines are kept (to check
 * nothing secret reaches them) and so is each sign-in token it issues, as `serve` would print it.
 */
export function createTestApp(options: Partial<AppOptions> = {}) {
  const lines: string[] = [];
  const issued: string[] = [];
  const built = createApp({
    signInToken: TEST_SIGN_IN_TOKEN,
    host: '127.0.0.1',
    logger: createLogger((l) => lines.push(l)),
    onSignInTokenIssued: (token) => issued.push(token),
    ...options,
  });
  /** The one unused token: the first, or the last one issued. */
  const unusedToken = () => issued.at(-1) ?? TEST_SIGN_IN_TOKEN;
  return { ...built, lines, issued, unusedToken };
}

/** Presents `token` to the sign-in route as the wizard page does. */
export function postSignInToken(app: TestApp['app'], token: string) {
  return request(app).post('/api/session').set(CLIENT_HEADER, 'web').send({ token });
}

/** Signs in with the unused token; returns the session cookie (`name=value`). */
export async function signInToTestApp(built: TestApp): Promise<string> {
  const res = await postSignInToken(built.app, built.unusedToken());
  if (res.status !== 200) throw new Error(`sign-in refused: ${res.status} ${res.text}`);
  return String(res.headers['set-cookie']).split(';')[0]!;
}

/** Uploads ISO bytes to the import route as the ISO import page does (`query`: e.g. `?acceptEmptyDatabase=true`). */
export function postIsoImport(agent: ReturnType<typeof request.agent>, bytes: Buffer, query = '') {
  return agent
    .post(`/api/deployment/import${query}`)
    .set(CLIENT_HEADER, 'web')
    .set('Content-Type', 'application/octet-stream')
    .send(bytes);
}
