import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { refusalsOf } from '../../../../scripts/test-env/refusals.js';
import { readCertificateAnswers } from '../certificate/certificate-answers.js';
import { readDatabaseAnswers } from '../database/database-answers.js';
import { readSyslogAnswers } from '../syslog/syslog-answers.js';
import { AnswersFile } from './answers-file.js';

const dir = mkdtempSync(join(tmpdir(), 'hds-answers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'db.pass'), 'db-secret-1\n');

const DATABASE = `database:
  type: postgresql
  hosts: ["db1.example.org:5432"]
  name: hds_keys
  username: hds
  passwordFile: ./db.pass
`;

function load(yaml: string, env: NodeJS.ProcessEnv = {}): AnswersFile {
  const path = join(dir, `a${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, yaml);
  return AnswersFile.load(path, env);
}

/** The errors an answers-file step throws, as {code, field}. */
describe('answers file: hostile referenced files are bounded', () => {
  it('a secret file that never ends (/dev/zero) is refused at 16 MB instead of filling memory', () => {
    const answers = load(DATABASE.replace('./db.pass', '/dev/zero'));
    const [error] = refusalsOf(() => readDatabaseAnswers(answers));
    expect(error).toMatchObject({ code: 'ANSWERS_INVALID', field: 'database.passwordFile' });
    expect(error!.message).toMatch(/larger than 16 MB/);
  });

  it('an answers file that never ends is refused at 1 MB', () => {
    const [error] = refusalsOf(() => AnswersFile.load('/dev/zero'));
    expect(error).toMatchObject({ code: 'ANSWERS_INVALID', field: 'answers' });
    expect(error!.message).toMatch(/larger than 1 MB/);
  });
});

describe('answers file: nothing unknown or inline goes unnoticed', () => {
  it('refuses a section that is not one of the pages (a typo would otherwise be ignored)', () => {
    const [error] = refusalsOf(() => load(`${DATABASE}sylog:\n  url: udp://10.0.0.5:514\n`));
    expect(error).toMatchObject({ code: 'INVALID_INPUT', field: 'sylog' });
    expect(error!.message).toMatch(/certificate, database, syslog/);
  });

  it('names an unknown key of the database section on the key itself', () => {
    const answers = load(`${DATABASE}  sslmode: disable\n`);
    expect(refusalsOf(() => readDatabaseAnswers(answers))).toEqual([
      {
        code: 'INVALID_INPUT',
        field: 'database.sslmode',
        message: 'database.sslmode is not a known setting; remove it or correct its spelling.',
      },
    ]);
  });

  it('says which required setting is missing instead of zod’s wording', () => {
    const answers = load(DATABASE.replace('  name: hds_keys\n', ''));
    const errors = refusalsOf(() => readDatabaseAnswers(answers));
    expect(errors).toEqual([
      { code: 'INVALID_INPUT', field: 'database.name', message: 'database.name is missing: add it.' },
    ]);
  });

  it('refuses an unknown key of the syslog section', () => {
    const answers = load('syslog:\n  url: udp://10.0.0.5:514\n  termnation: newline\n');
    expect(refusalsOf(() => readSyslogAnswers(answers))[0]).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'syslog.termnation',
    });
  });

  it('refuses an inline PKCS12 password as an inline secret (ANSWERS_INVALID), without echoing it', () => {
    const answers = load('certificate:\n  p12: ./kms.p12\n  password: hunter2\n');
    const [error] = refusalsOf(() => readCertificateAnswers(answers));
    expect(error).toMatchObject({ code: 'ANSWERS_INVALID', field: 'certificate.password' });
    expect(error!.message).not.toContain('hunter2');
  });

  it('refuses an inline database password before anything else about the section', () => {
    const answers = load('database:\n  type: postgresql\n  password: hunter2\n');
    const errors = refusalsOf(() => readDatabaseAnswers(answers));
    expect(errors).toEqual([
      expect.objectContaining({ code: 'ANSWERS_INVALID', field: 'database.password' }),
    ]);
  });

  it('refuses a secret given both as a file and as a variable (which one would win?)', () => {
    const answers = load(DATABASE.replace('./db.pass', './db.pass\n  passwordEnv: HDS_DB_PASSWORD'), {
      HDS_DB_PASSWORD: 'other',
    });
    expect(refusalsOf(() => readDatabaseAnswers(answers))[0]).toMatchObject({
      code: 'ANSWERS_INVALID',
      field: 'database.passwordEnv',
    });
  });

  it('still reads a secret from a file (relative to the answers file, newline dropped) or a variable', () => {
    expect(readDatabaseAnswers(load(DATABASE)).password.toString()).toBe('db-secret-1');
    const fromEnv = load(DATABASE.replace('passwordFile: ./db.pass', 'passwordEnv: HDS_DB_PASSWORD'), {
      HDS_DB_PASSWORD: 'from-env',
    });
    expect(readDatabaseAnswers(fromEnv).password.toString()).toBe('from-env');
  });
});
