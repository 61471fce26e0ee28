import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { HdsError } from '../../../../contract/hds-error.js';

const MAX_ANSWERS_BYTES = 1024 * 1024;
const MAX_REFERENCED_FILE_BYTES = 16 * 1024 * 1024;

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
    let text: string;
    try {
      if (statSync(path).size > MAX_ANSWERS_BYTES) throw new Error('too large');
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new HdsError(
        'ANSWERS_INVALID',
        `Cannot read the answers file ${path} (${(error as Error).message}). Give the path of a YAML file (see docs/answers-file.md).`,
        'answers',
      );
    }
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
    try {
      if (statSync(full).size > MAX_REFERENCED_FILE_BYTES) throw new Error('larger than 16 MB');
      return readFileSync(full);
    } catch (error) {
      throw new HdsError(
        'ANSWERS_INVALID',
        `Cannot read ${full} (${(error as Error).message}), named by ${field}.`,
        field,
      );
    }
  }

  /**
   * A secret given as `<name>File: path` or `<name>Env: VAR`. A trailing newline in a file is
   * dropped (editors add one). Inline secrets are refused so they never sit in a YAML file.
   */
  readSecret(section: Record<string, unknown>, name: string, sectionName: string): Buffer {
    const file = section[`${name}File`];
    const envName = section[`${name}Env`];
    if (section[name] !== undefined)
      throw new HdsError(
        'ANSWERS_INVALID',
        `${sectionName}.${name} must not be written in the answers file; use ${name}File: <path> or ${name}Env: <VARIABLE>.`,
        `${sectionName}.${name}`,
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
