import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomically } from './write-file-atomically.js';

const dir = mkdtempSync(join(tmpdir(), 'hds-write-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomically', () => {
  it('writes with the mode asked and leaves no temporary file', async () => {
    const path = join(dir, 'a.iso');
    await writeFileAtomically(path, Buffer.from('one'), { force: false, mode: 0o600 });
    expect(readFileSync(path, 'utf8')).toBe('one');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['a.iso']);
  });

  it('never replaces a file without force, even one that appears while it writes', async () => {
    const path = join(dir, 'race.iso');
    // Both calls pass the existence check before either has written: only one may win.
    const results = await Promise.allSettled([
      writeFileAtomically(path, Buffer.from('first'), { force: false, mode: 0o600 }),
      writeFileAtomically(path, Buffer.from('second'), { force: false, mode: 0o600 }),
    ]);
    const won = results.findIndex((r) => r.status === 'fulfilled');
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    expect(lost?.reason).toMatchObject({ code: 'ISO_OUTPUT_EXISTS' });
    expect(readFileSync(path, 'utf8')).toBe(['first', 'second'][won]);
    expect(readdirSync(dir).filter((n) => n.endsWith('.part'))).toEqual([]);
  });

  it('replaces an existing file only with force', async () => {
    const path = join(dir, 'b.iso');
    writeFileSync(path, 'old');
    await expect(
      writeFileAtomically(path, Buffer.from('new'), { force: false, mode: 0o600 }),
    ).rejects.toMatchObject({
      code: 'ISO_OUTPUT_EXISTS',
    });
    await writeFileAtomically(path, Buffer.from('new'), { force: true, mode: 0o600 });
    expect(readFileSync(path, 'utf8')).toBe('new');
  });
});
