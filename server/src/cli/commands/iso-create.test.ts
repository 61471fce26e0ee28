import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createIsoFromDirectory } from './iso-create.js';

const dir = mkdtempSync(join(tmpdir(), 'hds-iso-create-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('iso create without --force', () => {
  it('never replaces an image that appears while it writes: of two runs at once, one is refused', async () => {
    const tree = join(dir, 'tree');
    mkdirSync(tree);
    writeFileSync(join(tree, 'a.txt'), 'a');
    const out = join(dir, 'out.iso');
    const options = { volumeId: 'RACE', date: new Date('2026-01-01T00:00:00Z'), force: false };
    const results = await Promise.allSettled([
      createIsoFromDirectory(tree, out, options),
      createIsoFromDirectory(tree, out, options),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({
      code: 'ISO_OUTPUT_EXISTS',
    });
    expect(readdirSync(dir).sort()).toEqual(['out.iso', 'tree']);
  });
});
