import type { DatabaseSettings } from '../../../../contract/database.js';
import { HdsError, HdsErrors } from '../../../../contract/hds-error.js';
import { AnswersFile } from '../answers/answers-file.js';
import { type DatabaseRootCa, validateDatabaseRootCa } from './database-root-ca.js';
import { type DatabaseValidationOptions, validateDatabaseSettings } from './validate-database-settings.js';

export interface DatabaseAnswers {
  settings: DatabaseSettings;
  password: Buffer;
  rootCa: DatabaseRootCa | undefined;
}

/**
 * The `database:` section of an answers file (docs/answers-file.md). The file uses the words of
 * PRODUCT.md (`tls:`, `account:` for Windows authentication, `rootCa:` a PEM path,
 * `passwordFile:`/`passwordEnv:`); they are mapped onto the contract's settings, which then
 * refuse any key they do not know.
 */
export function readDatabaseAnswers(
  answers: AnswersFile,
  options: DatabaseValidationOptions = {},
): DatabaseAnswers {
  const section = answers.section('database');
  if (typeof section !== 'object' || Array.isArray(section))
    throw new HdsError(
      'ANSWERS_INVALID',
      'The "database:" section must be a mapping (type, hosts, name, …).',
      'database',
    );
  AnswersFile.refuseInlineSecret(section as Record<string, unknown>, 'password', 'database');
  const { passwordFile, passwordEnv, password, rootCa, tls, account, ...rest } = section as Record<
    string,
    unknown
  >;
  const input: Record<string, unknown> = { ...rest };
  if (tls !== undefined) input.tlsMode = tls;
  if (account !== undefined) {
    if (rest.username !== undefined)
      throw new HdsError(
        'ANSWERS_INVALID',
        'Give either database.username or database.account (Windows authentication), not both.',
        'database.account',
      );
    input.username = account;
  }
  // Errors name the keys as the file writes them (`tls:`, `account:`), not the contract's names.
  const renames: Record<string, string> = {};
  if (tls !== undefined) renames['database.tlsMode'] = 'database.tls';
  if (account !== undefined) renames['database.username'] = 'database.account';
  let settings: DatabaseSettings;
  try {
    settings = validateDatabaseSettings(input, { ...options, source: 'answers-file' });
  } catch (error) {
    throw inAnswersWords(error, renames);
  }
  const secret = answers.readSecret({ passwordFile, passwordEnv, password }, 'password', 'database');
  if (secret.length === 0)
    throw typeof passwordEnv === 'string'
      ? new HdsError(
          'ANSWERS_SECRET_MISSING',
          `The environment variable ${passwordEnv} (database.passwordEnv) is empty; set it to the password of the database account.`,
          'database.passwordEnv',
        )
      : new HdsError(
          'ANSWERS_SECRET_MISSING',
          `${answers.resolvePath(String(passwordFile))} (database.passwordFile) is empty; put the password of the database account in it.`,
          'database.passwordFile',
        );
  if (rootCa !== undefined && typeof rootCa !== 'string')
    throw new HdsError('ANSWERS_INVALID', 'database.rootCa is the path of a PEM file.', 'database.rootCa');
  const pem =
    typeof rootCa === 'string' ? answers.readFile(rootCa, 'database.rootCa').toString('utf8') : undefined;
  return { settings, password: secret, rootCa: validateDatabaseRootCa(settings, pem) };
}

/** The same refusal with its field (and the field's name in the message) as the answers file spells it. */
function inAnswersWords(error: unknown, renames: Record<string, string>): unknown {
  const rename = (e: HdsError): HdsError => {
    const to = e.field === undefined ? undefined : renames[e.field];
    return to ? new HdsError(e.code, e.message.split(e.field!).join(to), to) : e;
  };
  if (error instanceof HdsError) return rename(error);
  if (error instanceof HdsErrors) return new HdsErrors(error.errors.map(rename));
  return error;
}
