import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { refusalsOf } from '../../../../scripts/test-env/refusals.js';
import { readCertificateAnswers } from '../certificate/certificate-answers.js';
import { readDatabaseAnswers } from '../database/database-answers.js';
import { validateDatabaseSettings } from '../database/validate-database-settings.js';
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

const DATABASE_JSON = {
  type: 'postgresql',
  hosts: ['db1.example.org:5432'],
  name: 'hds_keys',
  username: 'hds',
};

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

  it('names every problem of the database section at once (db check, build)', () => {
    const answers = load(
      DATABASE.replace('["db1.example.org:5432"]', '["", "db1.example.org:70000"]')
        .replace('hds_keys', 'n'.repeat(64))
        .replace('username: hds', 'username: ""'),
    );
    expect(refusalsOf(() => readDatabaseAnswers(answers)).map((e) => e.field)).toEqual([
      'database.hosts.0',
      'database.username',
      'database.hosts.1',
      'database.name',
    ]);
  });

  it('names the keys as the file writes them: tls (not tlsMode), account (not username)', () => {
    expect(refusalsOf(() => readDatabaseAnswers(load(`${DATABASE}  tls: sslmode\n`)))).toEqual([
      {
        code: 'INVALID_INPUT',
        field: 'database.tls',
        message: 'The TLS mode is prefer, require, verify-ca or verify-full.',
      },
    ]);
    const windows = DATABASE.replace('postgresql', 'sqlserver')
      .replace('username: hds', 'auth: windows\n  account: hds\n  kdc: dc1.example.org')
      .replace('db1.example.org:5432', 'db1.example.org:1433');
    expect(refusalsOf(() => readDatabaseAnswers(load(windows)))).toMatchObject([
      { code: 'INVALID_INPUT', field: 'database.account' },
    ]);
  });

  it('a value YAML read as a number, true/false or nothing says to quote it; other wrong types name the type', () => {
    const refusal = (yaml: string) => refusalsOf(() => readDatabaseAnswers(load(yaml)));
    expect(refusal(DATABASE.replace('name: hds_keys', 'name: 5432'))).toEqual([
      {
        code: 'INVALID_INPUT',
        field: 'database.name',
        message: 'database.name must be text; YAML read 5432 as a number — put it in quotes ("5432").',
      },
    ]);
    expect(refusal(DATABASE.replace('username: hds', 'username: true'))[0]?.message).toBe(
      'database.username must be text; YAML read true as true/false — put it in quotes ("true").',
    );
    expect(refusal(DATABASE.replace('["db1.example.org:5432"]', '[db1.example.org, 10]'))[0]).toEqual({
      code: 'INVALID_INPUT',
      field: 'database.hosts.1',
      message: 'database.hosts.1 must be text; YAML read 10 as a number — put it in quotes ("10").',
    });
    expect(refusal(DATABASE.replace('name: hds_keys', 'name:'))[0]?.message).toBe(
      'database.name must be text; YAML read an empty value (or null, ~) as nothing — write the value after "name:", in quotes if it is null or ~.',
    );
    expect(refusal(DATABASE.replace('name: hds_keys', 'name: [hds_keys]'))[0]?.message).toBe(
      'database.name must be text, not a list.',
    );
    expect(refusal(`${DATABASE}  advanced:\n    connectTimeoutSeconds: "10"\n`)[0]?.message).toBe(
      'database.advanced.connectTimeoutSeconds must be a number; YAML read "10" as text — remove the quotes.',
    );
    expect(
      refusalsOf(() => readSyslogAnswers(load('syslog:\n  url: udp://10.0.0.5:514\n  tls: "yes"\n')))[0],
    ).toMatchObject({
      field: 'syslog.tls',
      message: 'syslog.tls must be true or false, not text ("yes") — write true or false without quotes.',
    });
    // The wizard's JSON forms keep the plain wording: a number there is a bug of the client, not a typo.
    expect(refusalsOf(() => validateDatabaseSettings({ ...DATABASE_JSON, name: 5432 }))[0]?.message).toBe(
      'database.name must be text.',
    );
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

describe('answers file: what YAML and text encodings would slip through', () => {
  it('refuses bytes that are not UTF-8 (naming the line) instead of turning them into U+FFFD', () => {
    const path = join(dir, 'latin1.yaml');
    writeFileSync(path, Buffer.from(`${DATABASE}  # caf\xe9\n`, 'latin1'));
    const [error] = refusalsOf(() => AnswersFile.load(path));
    expect(error).toMatchObject({ code: 'ANSWERS_INVALID', field: 'answers' });
    expect(error!.message).toMatch(/not UTF-8.*line 7.*save it as UTF-8/);
  });

  it('refuses a UTF-16 file (Windows Notepad) with the same advice, not "must be a mapping"', () => {
    const path = join(dir, 'utf16.yaml');
    writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(DATABASE, 'utf16le')]));
    const [error] = refusalsOf(() => AnswersFile.load(path));
    expect(error).toMatchObject({ code: 'ANSWERS_INVALID', field: 'answers' });
    expect(error!.message).toMatch(/UTF-16.*save it as UTF-8/);
  });

  it('still accepts a UTF-8 byte-order mark and non-ASCII UTF-8 text', () => {
    const answers = load(`\ufeff${DATABASE}  # café\n`);
    expect(readDatabaseAnswers(answers).settings.name).toBe('hds_keys');
  });

  it('refuses a YAML tag it cannot resolve instead of printing a warning and ignoring it', () => {
    const path = join(dir, 'tag.yaml');
    writeFileSync(path, DATABASE.replace('name: hds_keys', 'name: !vault hds_keys'));
    const [error] = refusalsOf(() => AnswersFile.load(path));
    expect(error).toMatchObject({ code: 'ANSWERS_INVALID', field: 'answers' });
    expect(error!.message).toMatch(/!vault.*line 4.*remove the tag/i);
  });

  it('a YAML mistake names the line and says what to do', () => {
    for (const [yaml, wording] of [
      [`${DATABASE}database:\n  name: again\n`, /unique.*line 7.*docs\/answers-file\.md/],
      [DATABASE.replace('  type:', '\ttype:'), /Tabs.*line 2.*docs\/answers-file\.md/],
      [
        'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n',
        /aliases.*write the values out/,
      ],
    ] as const) {
      const path = join(dir, 'bad.yaml');
      writeFileSync(path, yaml);
      const [error] = refusalsOf(() => AnswersFile.load(path));
      expect(error).toMatchObject({ code: 'ANSWERS_INVALID', field: 'answers' });
      expect(error!.message).toMatch(wording);
      expect(error!.message).not.toMatch(/:$/);
    }
  });

  it('an empty database password names the key that gave it and says what to put there', () => {
    writeFileSync(join(dir, 'empty.pass'), '\n');
    const fromFile = load(DATABASE.replace('./db.pass', './empty.pass'));
    expect(refusalsOf(() => readDatabaseAnswers(fromFile))[0]).toMatchObject({
      code: 'ANSWERS_SECRET_MISSING',
      field: 'database.passwordFile',
      message: expect.stringMatching(/empty\.pass.*is empty.*password of the database account/),
    });
    const fromEnv = load(DATABASE.replace('passwordFile: ./db.pass', 'passwordEnv: HDS_DB_PASSWORD'), {
      HDS_DB_PASSWORD: '',
    });
    expect(refusalsOf(() => readDatabaseAnswers(fromEnv))[0]).toMatchObject({
      code: 'ANSWERS_SECRET_MISSING',
      field: 'database.passwordEnv',
      message: expect.stringMatching(/HDS_DB_PASSWORD \(database.passwordEnv\) is empty/),
    });
  });

  it('an empty answers file (or only comments) is called empty, with where to find an example', () => {
    for (const yaml of ['', '# nothing yet\n', '\n\n']) {
      const [error] = refusalsOf(() => load(yaml));
      expect(error).toMatchObject({ code: 'ANSWERS_INVALID', field: 'answers' });
      expect(error!.message).toMatch(/is empty.*certificate, database and syslog.*docs\/answers-file\.md/);
    }
  });
});
