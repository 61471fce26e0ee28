/**
 * The library's one error type. `ISO_INVALID`: the image being read is malformed (hostile or
 * corrupt input). `ISO_BAD_INPUT`: the caller asked for something the library cannot do (a bad
 * name, a duplicate path, a file that changed size while being written…).
 * Messages name what is wrong; callers add what to do.
 */
export type IsoErrorCode = 'ISO_INVALID' | 'ISO_BAD_INPUT';

export class IsoError extends Error {
  readonly code: IsoErrorCode;
  /** Set when an image names an entry that could escape a target folder ("..", ".", or with "/"). */
  readonly unsafeName: string | undefined;
  /** Set when the image holds more entries than the caller's `maxEntries` allows. */
  readonly entryLimit: number | undefined;

  constructor(code: IsoErrorCode, message: string, unsafeName?: string, entryLimit?: number) {
    super(message);
    this.name = 'IsoError';
    this.code = code;
    this.unsafeName = unsafeName;
    this.entryLimit = entryLimit;
  }
}

export function tooManyEntries(limit: number): IsoError {
  return new IsoError('ISO_INVALID', `the image has more than ${limit} entries.`, undefined, limit);
}

export function invalidImage(message: string): IsoError {
  return new IsoError('ISO_INVALID', message);
}

export function badInput(message: string): IsoError {
  return new IsoError('ISO_BAD_INPUT', message);
}
