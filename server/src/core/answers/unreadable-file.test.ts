import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HdsError } from '../../../../contract/hds-error.js';
import { refusalOf } from '../../../../scripts/test-env/refusals.js';
import { assertFileReadable, readNamedFile, unreadableFile } from './unreadable-file.js';

const dir = mkdtempSync(join(tmpdir(), 'hds-unreadable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tooLarge = (reason: string) => new HdsError('ANSWERS_INVALID', `too big: ${reason}`);

describe('a file the admin named that cannot be read', () => {
  it('is FILE_UNREADABLE naming the path, the reason in words and what to do', () => {
    const missing = join(dir, 'kms.p12');
    const error = refusalOf(() =>
      readNamedFile({ path: missing, what: 'the PKCS12 file', field: 'p12' }, 10, tooLarge),
    );
    expect(error).toMatchObject({ code: 'FILE_UNREADABLE', field: 'p12' });
    expect(error.message).toBe(
      `Cannot read the PKCS12 file "${missing}": it does not exist. Check the path for typos; a relative path starts from the folder hds-setup runs in.`,
    );
    const folder = refusalOf(() => readNamedFile({ path: dir, what: 'the CSV file' }, 10, tooLarge));
    expect(folder).toMatchObject({ code: 'FILE_UNREADABLE' });
    expect(folder.message).toMatch(/the CSV file ".*": it is a folder\. Give the path of the file itself\./);
    // Root reads everything here, so the permission case is checked on the error the system gives.
    expect(
      unreadableFile({ path: '/etc/shadow', what: 'the answers file' }, { code: 'EACCES' }).message,
    ).toMatch(/"\/etc\/shadow": permission denied\. Give this user read access/);
    const withinPath = join(dir, 'plain.txt');
    writeFileSync(withinPath, 'x');
    expect(
      refusalOf(() => readNamedFile({ path: join(withinPath, 'x'), what: 'the file' }, 10, tooLarge)).message,
    ).toMatch(/it does not exist \(a part of its path is a file, not a folder\)/);
  });

  it("keeps a file that is merely too large under the caller's own code", () => {
    const big = join(dir, 'big.yaml');
    writeFileSync(big, 'x'.repeat(11));
    expect(
      refusalOf(() => readNamedFile({ path: big, what: 'the answers file' }, 10, tooLarge)),
    ).toMatchObject({
      code: 'ANSWERS_INVALID',
      message: 'too big: larger than 10 bytes',
    });
    expect(readNamedFile({ path: big, what: 'the answers file' }, 11, tooLarge).toString()).toBe(
      'x'.repeat(11),
    );
  });

  it('checks a file a library opens by path the same way, with the hint for a folder', () => {
    const file = { what: 'the configuration ISO', folderHint: 'Run hds-setup verify on a folder.' };
    expect(refusalOf(() => assertFileReadable({ ...file, path: dir })).message).toMatch(
      /: it is a folder\. Run hds-setup verify on a folder\.$/,
    );
    expect(refusalOf(() => assertFileReadable({ ...file, path: join(dir, 'no.iso') })).code).toBe(
      'FILE_UNREADABLE',
    );
    expect(() => assertFileReadable({ ...file, path: join(dir, 'big.yaml') })).not.toThrow();
  });
});
