import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
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
    const text = readNamedFile(
      { path, what: 'the answers file', field: 'answers' },
      MAX_ANSWERS_BYTES,
      (reason) =>
        new HdsError(
          'ANSWERS_INVALID',
          `The answers file ${path} is ${reason}. Give the path of a YAML file (see docs/answers-file.md).`,
          'answers',
        ),
    ).toString('utf8');
    let data: unknown;
    try {
      data = parse(text, { maxAliasCount: 100 });
    } catch (error) {
      throw new HdsError(
        'ANSWERS_INVALID',
        `The answers file ${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`,
        'answers',
      );
    }
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
        notFoundHint: `Check ${field} in ${this.path}; a relative path there starts from the answers file's folder.`,
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
