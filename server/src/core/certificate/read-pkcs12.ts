import { createHmac, timingSafeEqual } from 'node:crypto';
import { MAX_PKCS12_BYTES } from '../../../../contract/certificate.js';
import { HdsError } from '../../../../contract/hds-error.js';
import {
  type Asn1,
  DerShapeError,
  explicit,
  isContextTag,
  octets,
  oid,
  parseDer,
  sequence,
  smallInteger,
  text,
  toDer,
} from './der.js';
import { describeWrongFile } from './describe-wrong-file.js';
import {
  type PasswordEncryption,
  readPasswordEncryption,
  UnsupportedAlgorithm,
  WrongPassword,
} from './password-decryption.js';
import { hashOnce, KDF_ID_MAC, pkcs12KdfInSlices } from './pkcs12-kdf.js';
import {
  CERT_BAG,
  DATA,
  ENCRYPTED_DATA,
  FRIENDLY_NAME,
  KEY_BAG,
  SAFE_CONTENTS_BAG,
  SHROUDED_KEY_BAG,
  X509_CERTIFICATE,
} from './pkcs12-oids.js';
import { PBMAC1, type Pbmac1, readPbmac1 } from './pkcs12-pbmac1.js';
import {
  MAX_DERIVATION_WORK,
  MAX_ITERATIONS_PER_DERIVATION,
  Pkcs12TooCostly,
  Pkcs12WorkBudget,
} from './pkcs12-work-budget.js';

/** What a PKCS12 holds once decrypted: PKCS#8 private keys and X.509 certificates, as DER. */
export interface Pkcs12Contents {
  keys: Buffer[];
  certificates: { der: Buffer; friendlyName?: string }[];
}

export interface Pkcs12Fields {
  file: string;
  password: string;
}

const MAC_HASHES: Record<string, string> = {
  '1.2.840.113549.2.5': 'md5',
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '2.16.840.1.101.3.4.2.5': 'sha512-224',
  '2.16.840.1.101.3.4.2.6': 'sha512-256',
  '2.16.840.1.101.3.4.2.7': 'sha3-224',
  '2.16.840.1.101.3.4.2.8': 'sha3-256',
  '2.16.840.1.101.3.4.2.9': 'sha3-384',
  '2.16.840.1.101.3.4.2.10': 'sha3-512',
  '1.2.156.10197.1.401': 'sm3',
};

const MAX_NESTING = 4;

/**
 * Opens a PKCS12 (RFC 7292) with its password: verifies the MAC, decrypts the safe contents and
 * the shrouded key bags (PBES2/AES as OpenSSL 3 writes them, 3DES/RC2 as `-legacy`, Java keytool
 * and Windows write them). The MAC is RFC 7292's or PBMAC1 (RFC 9579, OpenSSL 3.4+ -pbmac1_pbkdf2). The ASN.1 is read with node-forge, the cryptography is Node's.
 * A hostile file is expected: every iteration count and the number of safes and bags are read and
 * bounded (Pkcs12WorkBudget) before the first key derivation.
 */
export async function readPkcs12(
  bytes: Buffer,
  password: Buffer,
  fields: Pkcs12Fields = { file: 'p12', password: 'password' },
): Promise<Pkcs12Contents> {
  if (bytes.length === 0 || bytes.length > MAX_PKCS12_BYTES)
    throw invalid(fields, bytes.length === 0 ? 'the file is empty' : 'the file is larger than 256 KB');
  try {
    const [version, authSafe, macData] = sequence(parseDer(bytes), 'PFX', 2);
    if (smallInteger(version, 'PFX version') !== 3) throw new DerShapeError('PFX version is not 3');
    const [contentType, content] = sequence(authSafe, 'authSafe', 2);
    if (oid(contentType, 'authSafe type') !== DATA)
      throw new DerShapeError('only password-integrity PKCS12 files are supported');
    const authSafeBytes = octets(explicit(content, 0, 'authSafe content'), 'authSafe content');
    const budget = new Pkcs12WorkBudget();
    const mac = macData ? readMac(macData, password, budget) : undefined;
    const safes = readSafes(authSafeBytes, budget);
    budget.check();
    const macOpens = mac ? await macVerifies(mac, authSafeBytes, password) : true;
    let contents: Pkcs12Contents;
    try {
      contents = await readContents(safes, password, budget);
    } catch (error) {
      // With a failed integrity check, whatever the contents look like, the password is wrong.
      if (!macOpens && !(error instanceof UnsupportedAlgorithm) && !(error instanceof Pkcs12TooCostly))
        throw new WrongPassword();
      // OpenSSL -twopass (or a Java key password unlike the store's): this password is one of two.
      if (error instanceof WrongPassword && macData) throw new TwoPasswords();
      throw error;
    }
    if (!macOpens) {
      for (const key of contents.keys) key.fill(0);
      // Every safe decrypted, yet the integrity check fails: the other password checks it.
      if (hasEncryptedParts(safes)) throw new TwoPasswords();
      throw new WrongPassword();
    }
    return contents;
  } catch (error) {
    if (error instanceof HdsError) throw error;
    if (error instanceof Pkcs12TooCostly)
      throw new HdsError('P12_INVALID', tooCostlyMessage(error), fields.file);
    if (error instanceof TwoPasswords)
      throw new HdsError(
        'P12_BAD_PASSWORD',
        'This PKCS12 file was exported with two passwords (one for its integrity check, one for its contents, as openssl pkcs12 -twopass does), or it was changed after the export; hds-setup takes one password. Export it again with a single password (openssl pkcs12 -export without -twopass; keytool with the same store and key password).',
        fields.password,
      );
    if (error instanceof WrongPassword)
      throw new HdsError(
        'P12_BAD_PASSWORD',
        'The password does not open this PKCS12 file. Enter the password that was set when the file was exported (it is case-sensitive).',
        fields.password,
      );
    if (error instanceof UnsupportedAlgorithm)
      throw new HdsError(
        'P12_INVALID',
        `This PKCS12 file is protected with ${error.algorithm}, which hds-setup cannot read. Export it again with AES-256 encryption: OpenSSL 3 uses it by default (openssl pkcs12 -export without -keypbe, -certpbe or -macalg), Windows with "AES256-SHA256", Java keytool by default.`,
        fields.file,
      );
    const wrongFile = describeWrongFile(bytes);
    if (wrongFile) throw new HdsError('P12_INVALID', wrongFile, fields.file);
    throw invalid(fields, error instanceof Error ? error.message : 'unreadable structure');
  }
}

function tooCostlyMessage(error: Pkcs12TooCostly): string {
  if (error.kind === 'parts')
    return `This PKCS12 file is refused: ${error.detail}. The key servers need only the server's private key and its certificate chain; export only those (openssl pkcs12 -export -inkey server.key -in server.pem -certfile chain.pem).`;
  return `This PKCS12 file is refused before opening it: ${error.detail}. Real exports use 2048 (OpenSSL) to about 2000000 iterations; hds-setup reads at most ${MAX_ITERATIONS_PER_DERIVATION} per key derivation and ${MAX_DERIVATION_WORK} in all. Export it again with a normal iteration count (OpenSSL's default, or openssl pkcs12 -export -iter 2048; your tool's default otherwise).`;
}

function invalid(fields: Pkcs12Fields, detail: string): HdsError {
  return new HdsError(
    'P12_INVALID',
    `This is not a readable PKCS12 (.p12/.pfx) file (${detail.slice(0, 120)}). Choose the PKCS12 file that holds the private key and the certificate chain, or export it again from the tool that made it.`,
    fields.file,
  );
}

class TwoPasswords extends Error {}

/** One ContentInfo of the AuthenticatedSafe: plain bags, or an encrypted safe not yet opened. */
type Safe =
  | { encrypted: false; bags: Asn1[] }
  | { encrypted: true; encryption: PasswordEncryption; ciphertext: Buffer };

/** Reads every safe's structure and charges what is visible (encrypted safes, plain bags). */
function readSafes(authSafeBytes: Buffer, budget: Pkcs12WorkBudget): Safe[] {
  const infos = sequence(parseDer(authSafeBytes), 'AuthenticatedSafe');
  budget.countSafes(infos.length);
  budget.check();
  return infos.map((info): Safe => {
    const [typeNode, content] = sequence(info, 'ContentInfo', 1);
    const type = oid(typeNode, 'ContentInfo type');
    if (type === DATA) {
      const bags = sequence(parseDer(octets(explicit(content, 0, 'data'), 'data')), 'SafeContents');
      chargeBags(bags, budget, 0);
      return { encrypted: false, bags };
    }
    if (type !== ENCRYPTED_DATA) throw new DerShapeError('a safe uses public-key encryption, not a password');
    const [, encryptedContentInfo] = sequence(explicit(content, 0, 'encryptedData'), 'EncryptedData', 2);
    const [, algorithm, encrypted] = sequence(encryptedContentInfo, 'EncryptedContentInfo', 3);
    if (!isContextTag(encrypted, 0)) throw new DerShapeError('encrypted content is missing');
    const encryption = readPasswordEncryption(algorithm!);
    budget.charge('the encryption of a safe', encryption.iterations, encryption.blocks);
    return { encrypted: true, encryption, ciphertext: octets(encrypted, 'encrypted content') };
  });
}

/** Whether anything in the file is password-encrypted (an encrypted safe or a shrouded key). */
function hasEncryptedParts(safes: Safe[]): boolean {
  return safes.some(
    (safe) =>
      safe.encrypted ||
      safe.bags.some((bag) => oid(sequence(bag, 'SafeBag', 1)[0], 'SafeBag type') === SHROUDED_KEY_BAG),
  );
}

/** Counts bags and charges every shrouded key's derivation, nested SafeContents included. */
function chargeBags(bags: Asn1[], budget: Pkcs12WorkBudget, depth: number): void {
  if (depth > MAX_NESTING) throw new DerShapeError('safe contents are nested too deeply');
  budget.countBags(bags.length);
  for (const bag of bags) {
    const [idNode, valueNode] = sequence(bag, 'SafeBag', 2);
    const id = oid(idNode, 'SafeBag type');
    if (id === SHROUDED_KEY_BAG) {
      const [algorithm] = sequence(explicit(valueNode, 0, 'SafeBag value'), 'EncryptedPrivateKeyInfo', 2);
      const encryption = readPasswordEncryption(algorithm!);
      budget.charge('the encryption of a private key', encryption.iterations, encryption.blocks);
    } else if (id === SAFE_CONTENTS_BAG)
      chargeBags(sequence(explicit(valueNode, 0, 'SafeBag value'), 'SafeContents'), budget, depth + 1);
  }
}

async function readContents(
  safes: Safe[],
  password: Buffer,
  budget: Pkcs12WorkBudget,
): Promise<Pkcs12Contents> {
  const contents: Pkcs12Contents = { keys: [], certificates: [] };
  for (const safe of safes) {
    if (!safe.encrypted) {
      await readBags(safe.bags, password, contents);
      continue;
    }
    const bags = decryptedBags(await safe.encryption.decrypt(safe.ciphertext, password));
    // What an encrypted safe holds is only known now: bound it before deriving its keys.
    chargeBags(bags, budget, 0);
    budget.check();
    await readBags(bags, password, contents);
  }
  return contents;
}

function decryptedBags(der: Buffer): Asn1[] {
  try {
    return sequence(parseDer(der), 'SafeContents');
  } catch (error) {
    // Decryption "succeeded" with the wrong key only when the padding happened to look right.
    if (error instanceof DerShapeError) throw new WrongPassword();
    throw error;
  }
}

type Mac =
  | { kind: 'pkcs12'; hash: string; expected: Buffer; salt: Buffer; iterations: number }
  | { kind: 'pbmac1'; pbmac1: Pbmac1; expected: Buffer };

/** The MacData's parameters, its derivations charged (two when the password is empty). */
function readMac(macData: Asn1, password: Buffer, budget: Pkcs12WorkBudget): Mac {
  const [digestInfo, saltNode, iterationsNode] = sequence(macData, 'MacData', 2);
  const [algorithm, digestNode] = sequence(digestInfo, 'MAC DigestInfo', 2);
  const [macOidNode, macParams] = sequence(algorithm, 'MAC algorithm', 1);
  const macOid = oid(macOidNode, 'MAC algorithm');
  const expected = octets(digestNode, 'MAC digest');
  if (macOid === PBMAC1) {
    const pbmac1 = readPbmac1(macParams, expected.length);
    budget.charge('its integrity check (PBMAC1)', pbmac1.iterations, pbmac1.blocks);
    return { kind: 'pbmac1', pbmac1, expected };
  }
  const hash = MAC_HASHES[macOid];
  if (!hash) throw new UnsupportedAlgorithm(`a MAC with the hash ${macOid}`);
  // The HMAC key is one hash output long; a longer "digest" would only multiply the derivation.
  if (expected.length !== hashOnce(hash, Buffer.alloc(0)).length)
    throw new DerShapeError("the MAC digest does not have its hash's length");
  const salt = octets(saltNode, 'MAC salt');
  const iterations = iterationsNode ? smallInteger(iterationsNode, 'MAC iterations') : 1;
  budget.charge('its integrity check (MAC)', iterations, macPasswordForms(password).length);
  return { kind: 'pkcs12', hash, expected, salt, iterations };
}

/** OpenSSL treats an empty password as either "no password" or "empty string"; both are tried. */
function macPasswordForms(password: Buffer): boolean[] {
  return password.length === 0 ? [false, true] : [false];
}

async function macVerifies(mac: Mac, authSafeBytes: Buffer, password: Buffer): Promise<boolean> {
  if (mac.kind === 'pbmac1') return mac.pbmac1.verify(authSafeBytes, mac.expected, password);
  for (const absent of macPasswordForms(password)) {
    const key = await pkcs12KdfInSlices(
      mac.hash,
      password,
      mac.salt,
      KDF_ID_MAC,
      mac.iterations,
      mac.expected.length,
      absent,
    );
    const actual = createHmac(mac.hash, key).update(authSafeBytes).digest();
    key.fill(0);
    if (timingSafeEqual(actual, mac.expected)) return true;
  }
  return false;
}

/** Collects keys and certificates; every derivation here was charged by `chargeBags` first. */
async function readBags(bags: Asn1[], password: Buffer, into: Pkcs12Contents): Promise<void> {
  for (const bag of bags) {
    const [idNode, valueNode, attributes] = sequence(bag, 'SafeBag', 2);
    const id = oid(idNode, 'SafeBag type');
    const value = explicit(valueNode, 0, 'SafeBag value');
    if (id === KEY_BAG) into.keys.push(toDer(value));
    else if (id === SHROUDED_KEY_BAG) {
      const [algorithm, encrypted] = sequence(value, 'EncryptedPrivateKeyInfo', 2);
      const encryption = readPasswordEncryption(algorithm!);
      const key = await encryption.decrypt(octets(encrypted, 'encrypted key'), password);
      // A stream cipher (RC4) or lucky padding "decrypts" with any password: garbage is not a key.
      if (!isDer(key)) throw new WrongPassword();
      into.keys.push(key);
    } else if (id === CERT_BAG) {
      const [certType, certValue] = sequence(value, 'CertBag', 2);
      if (oid(certType, 'certificate type') !== X509_CERTIFICATE) continue;
      const friendlyName = attributes ? friendlyNameOf(attributes) : undefined;
      into.certificates.push({
        der: octets(explicit(certValue, 0, 'certificate'), 'certificate'),
        ...(friendlyName ? { friendlyName } : {}),
      });
    } else if (id === SAFE_CONTENTS_BAG) await readBags(sequence(value, 'SafeContents'), password, into);
    // CRL and secret bags carry nothing the key servers use.
  }
}

function isDer(bytes: Buffer): boolean {
  try {
    sequence(parseDer(bytes), 'PrivateKeyInfo', 3);
    return true;
  } catch {
    return false;
  }
}

function friendlyNameOf(attributes: Asn1): string | undefined {
  for (const attribute of sequence(attributes, 'bag attributes')) {
    const [type, values] = sequence(attribute, 'bag attribute', 2);
    if (oid(type, 'attribute type') === FRIENDLY_NAME) return text(sequence(values, 'attribute values')[0]);
  }
  return undefined;
}
