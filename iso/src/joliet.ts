// Joliet (Microsoft's "CD-ROM Recording Spec", 1995): a supplementary volume descriptor
// (ECMA-119 8.5) whose escape sequences name UCS-2, and names recorded in big-endian UCS-2.

/** UCS-2 level 3, written in SVD BP 89–91. */
export const JOLIET_ESCAPE = '%/E';
/**
 * Joliet allows 64 UCS-2 characters per name. Like genisoimage and xorriso we record no ";1"
 * version (readers — Windows, 7-Zip, Linux — take the name as is).
 */
export const JOLIET_NAME_MAX = 64;
/** Characters Joliet forbids in names (besides controls): * / : ; ? \ */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what Joliet forbids
const FORBIDDEN = /[*/:;?\\\u0000-\u001f]/g;

/** Big-endian UCS-2: each UTF-16 code unit as is (callers have replaced surrogates, see cleanUcs2). */
export function encodeUcs2(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

export function decodeUcs2(bytes: Buffer): string {
  let s = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode(bytes.readUInt16BE(i));
  return s;
}

/** A descriptor text field in UCS-2, padded with UCS-2 spaces to `width` bytes. */
export function jolietText(value: string, width: number): Buffer {
  const b = Buffer.alloc(width);
  for (let i = 0; i + 1 < width; i += 2) b.writeUInt16BE(0x20, i);
  encodeUcs2(cleanUcs2(value).slice(0, Math.floor(width / 2))).copy(b);
  return b;
}

/** Characters outside the Basic Multilingual Plane have no UCS-2 form: each becomes "_". */
function cleanUcs2(text: string): string {
  if (!SURROGATE.test(text)) return text;
  return Array.from(text, (c) => (c.length > 1 ? '_' : c)).join('');
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Joliet identifiers for the children of one directory: the real name in UCS-2, forbidden
 * characters replaced, shortened to 64 characters (keeping the extension), unique ignoring case
 * (Windows compares names that way).
 */
export function jolietIdentifiers(children: { name: string; isDir: boolean }[]): Buffer[] {
  return jolietNames(children).map(encodeUcs2);
}

/** jolietIdentifiers before encoding: one UTF-16 code unit per UCS-2 character. */
export function jolietNames(children: { name: string; isDir: boolean }[]): string[] {
  const taken = new Set<string>();
  const nextSuffix = new Map<string, number>(); // keeps many similar names linear
  return children.map(({ name, isDir }) => {
    const clean = cleanUcs2(name).replace(FORBIDDEN, '_');
    const dot = isDir ? -1 : clean.lastIndexOf('.');
    const extension = dot > 0 && clean.length - dot <= 16 ? clean.slice(dot) : '';
    const stem = extension ? clean.slice(0, dot) : clean;
    const fit = (suffix: string) =>
      stem.slice(0, JOLIET_NAME_MAX - extension.length - suffix.length) + suffix + extension;
    const first = fit('');
    let id = first;
    let n = nextSuffix.get(first.toUpperCase()) ?? 1;
    for (; taken.has(id.toUpperCase()); n++) id = fit(`~${n}`);
    nextSuffix.set(first.toUpperCase(), n);
    taken.add(id.toUpperCase());
    return id;
  });
}
