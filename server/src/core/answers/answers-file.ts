import { statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument, type YAMLError } from 'yaml';
import { HdsError } from '../../../../contract/hds-error.js';
import { readNamedFile } from './unreadable-file.js';

const MAX_ANSWERS_BYTES = 1024 * 1024;
const MAX_REFERENCED_FILE_BYTES = 16 * 1024 * 1024;
/** One section per wizard page that has settings (docs/answers-file.md). */
const SECTIONS = ['certificate', 'database', 'syslog'] as const;

/**
 * A headless-mode answers file (YAML, one section per wizard page). Secrets are never inline:
 * they come from files or environment variables, resolved through `readSecret`.
 * Each capability validates its own section with its contract schema.
 */
export class AnswersFile {
  private constructor(
    readonly path: string,
    readonly data: Record<string, unknown>,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static load(path: string, env: NodeJS.ProcessEnv = process.env): AnswersFile {
    const bytes = readNamedFile(
      { path, what: 'the answers file', field: 'answers' },
      MAX_ANSWERS_BYTES,
      (reason) =>
        new HdsError(
          'ANSWERS_INVALID',
          `The answers file ${path} is ${reason}. Give the path of a YAML file (see docs/answers-file.md).`,
          'answers',
        ),
    );
    const data = parseAnswers(decodeAnswers(bytes, path), path);
    if (data === null || data === undefined)
      throw new HdsError(
        'ANSWERS_INVALID',
        `The answers file ${path} is empty; write its certificate, database and syslog sections (docs/answers-file.md has a complete example).`,
        'answers',
      );
    if (data === null || typeof data !== 'object' || Array.isArray(data))
      throw new HdsError(
        'ANSWERS_INVALID',
        `The answers file ${path} must be a YAML mapping with one section per wizard page.`,
        'answers',
      );
    // A misspelt section would otherwise be ignored without a word.
    for (const key of Object.keys(data))
      if (!(SECTIONS as readonly string[]).includes(key))
        throw new HdsError(
          'INVALID_INPUT',
          `"${key}:" is not a section of the answers file (use ${SECTIONS.join(', ')}); remove it or correct its spelling.`,
          key,
        );
    return new AnswersFile(path, data as Record<string, unknown>, env);
  }

  /** A section by name, or an ANSWERS_INVALID error naming it when it is missing. */
  section(name: string): unknown {
    const value = this.data[name];
    if (value === undefined || value === null)
      throw new HdsError('ANSWERS_INVALID', `The answers file ${this.path} has no "${name}:" section.`, name);
    return value;
  }

  has(name: string): boolean {
    return this.data[name] !== undefined && this.data[name] !== null;
  }

  /** Paths in the file are relative to the file itself, not to the working directory. */
  resolvePath(path: string): string {
    return isAbsolute(path) ? path : resolve(dirname(this.path), path);
  }

  /** Reads a referenced (non-secret or secret) file as bytes, bounded in size. */
  readFile(path: string, field: string): Buffer {
    const full = this.resolvePath(path);
    return readNamedFile(
      {
        path: full,
        what: `the file named by ${field}`,
        field,
        notFoundHint:
          !isAbsolute(path) && isProcessSubstitution(this.path)
            ? `${this.path} is not a file in a folder (a pipe such as --answers <(…)), so a relative path in it has nowhere to start from: write ${field} as an absolute path (e.g. ${resolve(path)}), or save the answers as a file next to the files it names.`
            : `Check ${field} in ${this.path}; a relative path there starts from the answers file's folder.`,
      },
      MAX_REFERENCED_FILE_BYTES,
      (reason) => new HdsError('ANSWERS_INVALID', `${full}, named by ${field}, is ${reason}.`, field),
    );
  }

  /** A secret written into the file itself is refused before anything else is said about the section. */
  static refuseInlineSecret(section: Record<string, unknown>, name: string, sectionName: string): void {
    if (section[name] !== undefined)
      throw new HdsError(
        'ANSWERS_INVALID',
        `${sectionName}.${name} must not be written in the answers file; use ${name}File: <path> or ${name}Env: <VARIABLE>.`,
        `${sectionName}.${name}`,
      );
  }

  /**
   * A secret given as `<name>File: path` or `<name>Env: VAR`. A trailing newline in a file is
   * dropped (editors add one). Inline secrets are refused so they never sit in a YAML file.
   */
  readSecret(section: Record<string, unknown>, name: string, sectionName: string): Buffer {
    const file = section[`${name}File`];
    const envName = section[`${name}Env`];
    AnswersFile.refuseInlineSecret(section, name, sectionName);
    if (file !== undefined && envName !== undefined)
      throw new HdsError(
        'ANSWERS_INVALID',
        `${sectionName} gives both ${name}File and ${name}Env; keep the one that holds the ${name}.`,
        `${sectionName}.${name}Env`,
      );
    if (file !== undefined && (typeof file !== 'string' || file === ''))
      throw new HdsError(
        'ANSWERS_INVALID',
        `${sectionName}.${name}File must be the path of the file that holds the ${name}.`,
        `${sectionName}.${name}File`,
      );
    if (envName !== undefined && (typeof envName !== 'string' || envName === ''))
      throw new HdsError(
        'ANSWERS_INVALID',
        `${sectionName}.${name}Env must be the name of the environment variable that holds the ${name}.`,
        `${sectionName}.${name}Env`,
      );
    if (typeof file === 'string') {
      const bytes = this.readFile(file, `${sectionName}.${name}File`);
      let end = bytes.length;
      if (end > 0 && bytes[end - 1] === 0x0a) end--;
      if (end > 0 && bytes[end - 1] === 0x0d) end--;
      return bytes.subarray(0, end);
    }
    if (typeof envName === 'string') {
      const value = this.env[envName];
      if (value === undefined)
        throw new HdsError(
          'ANSWERS_SECRET_MISSING',
          `The environment variable ${envName} (named by ${sectionName}.${name}Env) is not set. Export it before running hds-setup.`,
          `${sectionName}.${name}Env`,
        );
      return Buffer.from(value, 'utf8');
    }
    throw new HdsError(
      'ANSWERS_SECRET_MISSING',
      `${sectionName} needs ${name}File: <path> or ${name}Env: <VARIABLE>.`,
      `${sectionName}.${name}`,
    );
  }
}

/** The answers file as text. Bytes that are not UTF-8 would otherwise become U+FFFD in a name or a path. */
function decodeAnswers(bytes: Buffer, path: string): string {
  const refuse = (what: string) =>
    new HdsError(
      'ANSWERS_INVALID',
      `The answers file ${path} ${what}; save it as UTF-8 (in Notepad: Save as, Encoding UTF-8) and run again.`,
      'answers',
    );
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
    throw refuse('is UTF-16 text');
  try {
    // fatal: refuse instead of replacing; the default ignoreBOM=false drops a UTF-8 byte-order mark.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    let line = 1;
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i < bytes.length && bytes[i] !== 0x0a) continue;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, i));
      } catch {
        break;
      }
      line++;
      start = i + 1;
    }
    throw refuse(`is not UTF-8 text (line ${line} holds other bytes, such as Latin-1 accents)`);
  }
}

const MAX_ALIAS_EXPANSIONS = 100;

/** YAML to plain data; every YAML error or warning (an unknown tag would be silently dropped) refuses the file. */
function parseAnswers(text: string, path: string): unknown {
  const refuse = (what: string, todo: string) =>
    new HdsError('ANSWERS_INVALID', `The answers file ${path} is not valid: ${what}. ${todo}`, 'answers');
  let document: ReturnType<typeof parseDocument>;
  try {
    document = parseDocument(text, { logLevel: 'silent' });
  } catch (error) {
    throw refuse(firstLine(error as Error), FIX_IT);
  }
  const [problem] = [...document.errors, ...document.warnings];
  if (problem)
    throw refuse(
      firstLine(problem),
      problem.code === 'TAG_RESOLVE_FAILED' ? 'Remove the tag: an answers file needs no YAML tags.' : FIX_IT,
    );
  try {
    return document.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS });
  } catch {
    // The yaml library's guard against "billion laughs" expansion (an alias of aliases of aliases…).
    throw refuse(
      `its aliases (*name) expand to more than ${MAX_ALIAS_EXPANSIONS} copies`,
      'An answers file needs no aliases: write the values out.',
    );
  }
}

const FIX_IT = 'Correct it and run again (docs/answers-file.md describes the format).';

/** "… at line 7, column 1:" followed by a code excerpt: keep the sentence, drop the excerpt and the colon. */
function firstLine(error: Error | YAMLError): string {
  return (error.message.split('\n')[0] ?? '').replace(/:\s*$/, '');
}

/** `--answers <(…)`: the shell names the pipe /dev/fd/N (or /proc/self/fd/N), a folder of no files. */
function isProcessSubstitution(path: string): boolean {
  const folder = dirname(resolve(path));
  if (folder !== '/dev/fd' && !/^\/proc\/(self|\d+)\/fd$/.test(folder)) return false;
  try {
    return !statSync(path).isFile();
  } catch {
    return true;
  }
}
