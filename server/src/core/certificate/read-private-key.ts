import { createPrivateKey, getCiphers, type KeyObject } from 'node:crypto';
import { HdsError } from '../../../../contract/hds-error.js';
import { DerShapeError } from './der.js';
import { checkEncryptedKeyWork, KeyDecryptionTooCostly } from './encrypted-key-work.js';
import { pemBlocks } from './pem-blocks.js';

/** Where a passphrase came from, in the admin's words ("the file pass.txt"), and the field it is. */
export interface KeyPassphrase {
  value: Buffer;
  source: string;
  field: string;
  /** Read from a file: the message then says how the file must hold it. */
  fromFile: boolean;
}

export interface PrivateKeyFile {
  /** The key file as read: PEM, plain or encrypted. */
  pem: Buffer;
  /** Its path, for messages. */
  path: string;
  field: string;
  /** How the admin gives a passphrase, and another key file, in this front door ("--key <file>"). */
  howToGivePassphrase: string;
  howToGiveKey: string;
}

const ENCRYPTED_PKCS8 = '-----BEGIN ENCRYPTED PRIVATE KEY-----';
// OpenSSL's traditional form (RFC 1421 headers): "Proc-Type: 4,ENCRYPTED" then "DEK-Info: <cipher>,<iv>".
const PROC_TYPE_ENCRYPTED = /Proc-Type:\s*4,ENCRYPTED/;
const DEK_INFO = /DEK-Info:\s*([A-Za-z0-9-]+),/;

/**
 * A PEM private key as a KeyObject: unencrypted, or encrypted — PKCS#8 (PBES2: PBKDF2 or scrypt with
 * AES or 3DES; PKCS#12 PBE 3DES) or OpenSSL's traditional "Proc-Type: 4,ENCRYPTED" — and decrypted
 * with the passphrase in memory, by Node's OpenSSL. Refusals say what to do: an encrypted key with
 * no passphrase (CERT_PEM_INVALID), a passphrase that does not decrypt it (CERT_KEY_BAD_PASSWORD),
 * an algorithm OpenSSL 3 keeps in its legacy provider (CERT_PEM_INVALID, with the command that
 * re-encrypts it), a PKCS#8 key whose key derivation asks for more work than any real key
 * (CERT_PEM_INVALID, counted before OpenSSL runs it: it runs synchronously). Never quotes the file
 * or the passphrase.
 */
export function readPrivateKeyPem(file: PrivateKeyFile, passphrase?: KeyPassphrase): KeyObject {
  const text = file.pem.toString('latin1');
  const encrypted = text.includes(ENCRYPTED_PKCS8) || PROC_TYPE_ENCRYPTED.test(text);
  if (encrypted && !passphrase)
    throw new HdsError(
      'CERT_PEM_INVALID',
      `${file.path} is an encrypted private key (it is protected by a passphrase). Give its passphrase with ${file.howToGivePassphrase}; hds-setup decrypts the key in memory only, and the PKCS12 protects it with its own password.`,
      file.field,
    );
  if (encrypted && legacyTraditionalCipher(text)) throw legacyAlgorithm(file);
  // Traditional keys derive with one MD5 (EVP_BytesToKey): only PKCS#8 names a cost.
  if (encrypted && text.includes(ENCRYPTED_PKCS8)) checkDecryptionWork(file, text);
  try {
    return createPrivateKey({
      key: file.pem,
      format: 'pem',
      // Ignored by OpenSSL for a key that is not encrypted, as `openssl pkey -passin` does.
      ...(passphrase ? { passphrase: passphrase.value } : {}),
    });
  } catch (error) {
    if (!encrypted) throw notAKey(file);
    const code = (error as NodeJS.ErrnoException).code;
    // PBES1 (DES, RC2, RC4) and other legacy ciphers: refused whatever the passphrase.
    if (code === 'ERR_OSSL_EVP_UNSUPPORTED') throw legacyAlgorithm(file);
    // A wrong passphrase fails the CBC padding check (bad decrypt); about 1 in 256 passes it and
    // yields bytes no decoder reads (DECODER unsupported). Both mean: not this passphrase.
    throw new HdsError(
      'CERT_KEY_BAD_PASSWORD',
      `The passphrase in ${passphrase!.source} does not decrypt the private key ${file.path}. Give the passphrase the key was encrypted with (the PEM pass phrase OpenSSL asked for when it wrote the key)${passphrase!.fromFile ? ', alone on the first line of the file' : ''}.`,
      passphrase!.field,
    );
  }
}

/** Refuses before decryption a PKCS#8 key that is no EncryptedPrivateKeyInfo or asks too much. */
function checkDecryptionWork(file: PrivateKeyFile, text: string): void {
  const block = pemBlocks(text).find((b) => b.label === 'ENCRYPTED PRIVATE KEY');
  if (!block) throw notAKey(file);
  try {
    checkEncryptedKeyWork(Buffer.from(block.body, 'base64'));
  } catch (error) {
    if (error instanceof KeyDecryptionTooCostly)
      throw new HdsError(
        'CERT_PEM_INVALID',
        `${file.path} is refused before decrypting it: ${error.detail}. Keys use 2048 (OpenSSL's default) to a few hundred thousand PBKDF2 iterations, or scrypt N=16384, r=8, p=1. Re-encrypt it with OpenSSL's defaults (it asks for the old passphrase, then a new one): openssl pkcs8 -topk8 -v2 aes-256-cbc -in ${file.path} -out key-aes.pem — then give key-aes.pem with ${file.howToGiveKey}.`,
        file.field,
      );
    if (error instanceof DerShapeError) throw notAKey(file);
    throw error;
  }
}

/** The DEK-Info cipher of a traditional encrypted key, when this Node cannot run it (DES-CBC …). */
function legacyTraditionalCipher(text: string): string | undefined {
  const cipher = DEK_INFO.exec(text)?.[1];
  return cipher && !getCiphers().includes(cipher.toLowerCase()) ? cipher : undefined;
}

function legacyAlgorithm(file: PrivateKeyFile): HdsError {
  return new HdsError(
    'CERT_PEM_INVALID',
    `${file.path} is encrypted with an old algorithm (such as DES, RC2 or RC4) that OpenSSL 3 no longer reads by default, so hds-setup cannot decrypt it. Re-encrypt it with AES (it asks for the old passphrase, then a new one): openssl pkcs8 -topk8 -v2 aes-256-cbc -provider legacy -provider default -in ${file.path} -out key-aes.pem — then give key-aes.pem with ${file.howToGiveKey}.`,
    file.field,
  );
}

function notAKey(file: PrivateKeyFile): HdsError {
  return new HdsError(
    'CERT_PEM_INVALID',
    `${file.path} is not a readable PEM private key. Give the key file the CSR was made with (it begins with -----BEGIN PRIVATE KEY-----, or ENCRYPTED PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY) with ${file.howToGiveKey}.`,
    file.field,
  );
}
