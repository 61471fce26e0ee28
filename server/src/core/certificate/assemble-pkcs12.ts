import {
  createHash,
  createHmac,
  createPrivateKey,
  KeyObject,
  randomBytes,
  X509Certificate,
} from 'node:crypto';
import { parseDer, toDer } from './der.js';
import {
  derBmp,
  derExplicit,
  derInteger,
  derNull,
  derOctets,
  derOid,
  derSequence,
  derSet,
} from './der-builder.js';
import { KDF_ID_MAC, pkcs12Kdf } from './pkcs12-kdf.js';
import {
  CERT_BAG,
  DATA,
  FRIENDLY_NAME,
  LOCAL_KEY_ID,
  SHROUDED_KEY_BAG,
  X509_CERTIFICATE,
} from './pkcs12-oids.js';

/** The alias the key servers look the key up by (deployment guide, "Use OpenSSL to Generate a PKCS12 File"). */
export const KMS_FRIENDLY_NAME = 'kms-private-key';

const SHA256 = '2.16.840.1.101.3.4.2.1';
const MAC_ITERATIONS = 2048;

/**
 * Writes a PKCS12 (RFC 7292) as OpenSSL 3 does by default — key in a PBES2/AES-256-CBC shrouded
 * bag, SHA-256 MAC — with the friendly name `kms-private-key` and a shared localKeyId on the key
 * and the leaf, so Java's KeyStore pairs them. `chainPems` is leaf first.
 */
export function assemblePkcs12(
  keyPem: string | Buffer | KeyObject,
  chainPems: string[],
  password: Buffer,
): Buffer {
  const key = keyPem instanceof KeyObject ? keyPem : createPrivateKey(keyPem);
  const chain = chainPems.map((pem) => new X509Certificate(pem).raw);
  const localKeyId = createHash('sha1').update(chain[0]!).digest();
  const leafAttributes = derSet([
    derSequence([derOid(FRIENDLY_NAME), derSet([derBmp(KMS_FRIENDLY_NAME)])]),
    derSequence([derOid(LOCAL_KEY_ID), derSet([derOctets(localKeyId)])]),
  ]);
  const certBags = chain.map((der, index) =>
    derSequence([
      derOid(CERT_BAG),
      derExplicit(0, derSequence([derOid(X509_CERTIFICATE), derExplicit(0, derOctets(der))])),
      ...(index === 0 ? [leafAttributes] : []),
    ]),
  );
  // Node's PKCS#8 encryption is OpenSSL's: PBES2, PBKDF2-HMAC-SHA256 (2048 rounds), AES-256-CBC.
  const encryptedKey = key.export({
    type: 'pkcs8',
    format: 'der',
    cipher: 'aes-256-cbc',
    passphrase: password,
  });
  const keyBag = derSequence([
    derOid(SHROUDED_KEY_BAG),
    derExplicit(0, parseDer(encryptedKey)),
    leafAttributes,
  ]);
  const authSafe = toDer(
    derSequence([
      dataContentInfo(toDer(derSequence(certBags))),
      dataContentInfo(toDer(derSequence([keyBag]))),
    ]),
  );

  const salt = randomBytes(16);
  const macKey = pkcs12Kdf('sha256', password, salt, KDF_ID_MAC, MAC_ITERATIONS, 32);
  const mac = createHmac('sha256', macKey).update(authSafe).digest();
  macKey.fill(0);
  return toDer(
    derSequence([
      derInteger(3),
      dataContentInfo(authSafe),
      derSequence([
        derSequence([derSequence([derOid(SHA256), derNull()]), derOctets(mac)]),
        derOctets(salt),
        derInteger(MAC_ITERATIONS),
      ]),
    ]),
  );
}

function dataContentInfo(content: Buffer) {
  return derSequence([derOid(DATA), derExplicit(0, derOctets(content))]);
}
