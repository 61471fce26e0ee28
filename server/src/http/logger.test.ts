import { expect, it } from 'vitest';
import { createLogger, redact } from './logger.js';

it('redacts secret-looking fields at any depth and strips query strings', () => {
  expect(
    redact({ password: 'hunter2', nested: { apiKey: 'k', ok: 1 }, path: '/?token=abc', masterKey: 'mk' }),
  ).toEqual({
    password: '[redacted]',
    nested: { apiKey: '[redacted]', ok: 1 },
    path: '/?[redacted]',
    masterKey: '[redacted]',
  });
  const lines: string[] = [];
  createLogger((l) => lines.push(l)).info('GET /x?token=abc', { secret: 's3cr3t' });
  expect(lines[0]).not.toMatch(/abc|s3cr3t/);
});
