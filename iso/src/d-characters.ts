// ECMA-119 7.4 character sets and 7.5/7.6 identifiers: what plain ISO 9660 names may contain,
// how a real (Rock Ridge) name is mangled into one, and the record order of 9.3.
import { badInput } from './errors.js';

/** ECMA-119 7.4.1 d-characters: A–Z, 0–9 and "_". */
const D_CHARACTERS = /^[A-Z0-9_]*$/;
/** ECMA-119 7.4.1 a-characters: d-characters plus space and !"%&'()*+,-./:;<=>? */
const A_CHARACTERS = /^[A-Z0-9_ !"%&'()*+,\-./:;<=>?]*$/;

/**
 * Checks a volume descriptor text field (ECMA-119 8.4.5–8.4.16) before it is written.
 * `kind` says which character set the clause requires.
 */
export function checkDescriptorText(field: string, value: string, kind: 'd' | 'a', maxLength: number): void {
  const pattern = kind === 'd' ? D_CHARACTERS : A_CHARACTERS;
  if (value.length > maxLength)
    throw badInput(`${field} is ${value.length} characters long; ISO 9660 allows at most ${maxLength}.`);
  if (!pattern.test(value))
    throw badInput(
      kind === 'd'
        ? `${field} "${value}" may only contain A-Z, 0-9 and "_" (ISO 9660 d-characters).`
        : `${field} "${value}" may only contain A-Z, 0-9, space and _!"%&'()*+,-./:;<=>? (ISO 9660 a-characters).`,
    );
}

/** Interchange level 1 (ECMA-119 10.1): file names 8.3, directory names 8. */
const NAME_MAX = 8;
const EXTENSION_MAX = 3;

function toDCharacters(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

/**
 * Plain ISO 9660 identifiers for the children of one directory (ECMA-119 7.5 file identifiers
 * "NAME.EXT;1", 7.6 directory identifiers "NAME"), unique within the directory. `children` must
 * come in a fixed order (the caller sorts them by real name) so that mangling is deterministic.
 */
export function plainIdentifiers(children: { name: string; isDir: boolean }[]): string[] {
  const taken = new Set<string>();
  /** Next numeric suffix to try per mangled name, so many similar names stay linear, not quadratic. */
  const nextSuffix = new Map<string, number>();
  return children.map(({ name, isDir }) => {
    const dot = isDir ? -1 : name.lastIndexOf('.');
    const stem = toDCharacters(dot > 0 ? name.slice(0, dot) : name) || '_';
    const extension = dot > 0 ? toDCharacters(name.slice(dot + 1)).slice(0, EXTENSION_MAX) : '';
    const render = (base: string) => (isDir ? base : `${base}.${extension};1`);
    const first = render(stem.slice(0, NAME_MAX));
    let id = first;
    let n = nextSuffix.get(first) ?? 1;
    for (; taken.has(id); n++) {
      const suffix = String(n);
      id = render(stem.slice(0, NAME_MAX - suffix.length) + suffix);
    }
    nextSuffix.set(first, n);
    taken.add(id);
    return id;
  });
}

/**
 * ECMA-119 9.3 order of directory records: by file name, then extension (the shorter padded
 * with spaces, 0x20), then version number descending. Works on byte or UCS-2 code-unit arrays
 * (Joliet uses the same order on its 16-bit characters).
 */
export function compareIdentifiers(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return compareIdentifierKeys(identifierKey(unitsText(a)), identifierKey(unitsText(b)));
}

/**
 * An identifier split once for sorting (name, extension, version), so sorts do not re-split.
 * Name and extension are text with one character per byte (ISO 9660) or code unit (Joliet).
 */
export interface IdentifierKey {
  name: string;
  extension: string;
  version: number;
}

/** `id`: one character per byte (a latin1 string) or per UCS-2 code unit. */
export function identifierKey(id: string): IdentifierKey {
  const semi = id.indexOf(';');
  const body = semi >= 0 ? id.slice(0, semi) : id;
  let version = 0;
  if (semi >= 0)
    for (let i = semi + 1; i < id.length; i++) version = version * 10 + (id.charCodeAt(i) - 0x30);
  const dot = body.indexOf('.');
  return dot >= 0
    ? { name: body.slice(0, dot), extension: body.slice(dot + 1), version }
    : { name: body, extension: '', version };
}

export function compareIdentifierKeys(a: IdentifierKey, b: IdentifierKey): number {
  return comparePadded(a.name, b.name) || comparePadded(a.extension, b.extension) || b.version - a.version;
}

const SPACE = 0x20;

function unitsText(units: ArrayLike<number>): string {
  let text = '';
  for (let i = 0; i < units.length; i++) text += String.fromCharCode(units[i]!);
  return text;
}

function comparePadded(a: string, b: string): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const d = (i < a.length ? a.charCodeAt(i) : SPACE) - (i < b.length ? b.charCodeAt(i) : SPACE);
    if (d !== 0) return d;
  }
  return 0;
}
