import forge from 'node-forge';

/**
 * Reading DER structures (PKCS12, certificates) through node-forge's ASN.1 parser, with every
 * shape checked: a hostile file yields a `DerShapeError`, never a TypeError deep in a parser.
 */
export type Asn1 = forge.asn1.Asn1;

const { Class, Type } = forge.asn1;

/** The structure is not what the standard says; callers turn it into their own HdsError. */
export class DerShapeError extends Error {}

export function parseDer(bytes: Buffer): Asn1 {
  try {
    return forge.asn1.fromDer(forge.util.createBuffer(bytes.toString('binary')), {
      strict: true,
      parseAllBytes: true,
      decodeBitStrings: false,
    } as unknown as boolean);
  } catch (error) {
    throw new DerShapeError(error instanceof Error ? error.message : 'unreadable DER');
  }
}

export function toDer(node: Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
}

export function children(node: Asn1 | undefined, what: string, min = 0): Asn1[] {
  if (!node?.constructed || !Array.isArray(node.value) || node.value.length < min)
    throw new DerShapeError(`${what} is not a structure with at least ${min} elements`);
  return node.value as Asn1[];
}

export function sequence(node: Asn1 | undefined, what: string, min = 0): Asn1[] {
  if (node?.tagClass !== Class.UNIVERSAL || (node.type !== Type.SEQUENCE && node.type !== Type.SET))
    throw new DerShapeError(`${what} is not a SEQUENCE`);
  return children(node, what, min);
}

export function oid(node: Asn1 | undefined, what: string): string {
  if (node?.tagClass !== Class.UNIVERSAL || node.type !== Type.OID || typeof node.value !== 'string')
    throw new DerShapeError(`${what} is not an OBJECT IDENTIFIER`);
  return forge.asn1.derToOid(node.value);
}

/** A non-negative INTEGER that fits in 32 bits (versions, iteration counts). */
export function smallInteger(node: Asn1 | undefined, what: string): number {
  if (node?.tagClass !== Class.UNIVERSAL || node.type !== Type.INTEGER || typeof node.value !== 'string')
    throw new DerShapeError(`${what} is not an INTEGER`);
  const bytes = Buffer.from(node.value, 'binary');
  if (bytes.length === 0 || bytes.length > 5 || (bytes[0]! & 0x80) !== 0)
    throw new DerShapeError(`${what} is out of range`);
  return bytes.reduce((n, b) => n * 256 + b, 0);
}

/** OCTET STRING contents; BER constructed strings (some Windows exports) are joined. */
export function octets(node: Asn1 | undefined, what: string, depth = 0): Buffer {
  if (!node || depth > 4) throw new DerShapeError(`${what} is not an OCTET STRING`);
  if (!node.constructed && typeof node.value === 'string') return Buffer.from(node.value, 'binary');
  if (node.constructed && Array.isArray(node.value))
    return Buffer.concat((node.value as Asn1[]).map((part) => octets(part, what, depth + 1)));
  throw new DerShapeError(`${what} is not an OCTET STRING`);
}

/** The single element inside an explicit context tag such as `[0] EXPLICIT`. */
export function explicit(node: Asn1 | undefined, tag: number, what: string): Asn1 {
  if (node?.tagClass !== Class.CONTEXT_SPECIFIC || node.type !== tag)
    throw new DerShapeError(`${what} is missing its [${tag}] tag`);
  return children(node, what, 1)[0]!;
}

export function isContextTag(node: Asn1 | undefined, tag: number): boolean {
  return node?.tagClass === Class.CONTEXT_SPECIFIC && node.type === tag;
}

/** The text of a DirectoryString / IA5String / PrintableString value. */
export function text(node: Asn1 | undefined): string {
  if (!node || node.constructed || typeof node.value !== 'string') return '';
  // forge decodes BMPStrings (UTF-16BE) into JS strings itself.
  if (node.type === Type.BMPSTRING) return node.value;
  if (node.type === Type.UTF8) return Buffer.from(node.value, 'binary').toString('utf8');
  return node.value;
}
