import forge from 'node-forge';
import type { Asn1 } from './der.js';

/** Writing DER (PKCS12, CSRs) with node-forge's ASN.1 nodes, in the standards' own vocabulary. */
const { create, Class, Type } = forge.asn1;

export const derSequence = (items: Asn1[]): Asn1 => create(Class.UNIVERSAL, Type.SEQUENCE, true, items);
export const derSet = (items: Asn1[]): Asn1 => create(Class.UNIVERSAL, Type.SET, true, items);
export const derOid = (id: string): Asn1 =>
  create(Class.UNIVERSAL, Type.OID, false, forge.asn1.oidToDer(id).getBytes());
export const derNull = (): Asn1 => create(Class.UNIVERSAL, Type.NULL, false, '');
export const derOctets = (bytes: Buffer): Asn1 =>
  create(Class.UNIVERSAL, Type.OCTETSTRING, false, bytes.toString('binary'));
export const derInteger = (n: number): Asn1 =>
  create(Class.UNIVERSAL, Type.INTEGER, false, forge.asn1.integerToDer(n).getBytes());
export const derUtf8 = (s: string): Asn1 =>
  create(Class.UNIVERSAL, Type.UTF8, false, Buffer.from(s, 'utf8').toString('binary'));
export const derPrintable = (s: string): Asn1 => create(Class.UNIVERSAL, Type.PRINTABLESTRING, false, s);
/** forge encodes a BMPString's JS string as UTF-16BE itself. */
export const derBmp = (s: string): Asn1 => create(Class.UNIVERSAL, Type.BMPSTRING, false, s);
/** BIT STRING with no unused bits (signatures). */
export const derBits = (bytes: Buffer): Asn1 =>
  create(Class.UNIVERSAL, Type.BITSTRING, false, `\u0000${bytes.toString('binary')}`);
export const derExplicit = (tag: number, item: Asn1): Asn1 =>
  create(Class.CONTEXT_SPECIFIC, tag, true, [item]);
export const derImplicitSet = (tag: number, items: Asn1[]): Asn1 =>
  create(Class.CONTEXT_SPECIFIC, tag, true, items);
export const derImplicitPrimitive = (tag: number, bytes: Buffer): Asn1 =>
  create(Class.CONTEXT_SPECIFIC, tag, false, bytes.toString('binary'));
