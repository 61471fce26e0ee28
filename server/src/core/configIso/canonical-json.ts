/**
 * Canonical JSON for the manifest MAC: object keys sorted by code unit, no whitespace, the
 * JSON.stringify escaping of strings. The manifest holds only strings, integers, booleans,
 * null, arrays and objects, so this matches RFC 8785 (JCS) for everything it can contain.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isSafeInteger(value))
      throw new Error('canonicalJson: only integers');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
