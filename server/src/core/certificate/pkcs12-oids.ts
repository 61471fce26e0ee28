// RFC 7292 (PKCS #12) and PKCS #7 / #9 object identifiers, shared by the reader and the assembler.
export const DATA = '1.2.840.113549.1.7.1';
export const ENCRYPTED_DATA = '1.2.840.113549.1.7.6';
export const KEY_BAG = '1.2.840.113549.1.12.10.1.1';
export const SHROUDED_KEY_BAG = '1.2.840.113549.1.12.10.1.2';
export const CERT_BAG = '1.2.840.113549.1.12.10.1.3';
export const SAFE_CONTENTS_BAG = '1.2.840.113549.1.12.10.1.6';
export const X509_CERTIFICATE = '1.2.840.113549.1.9.22.1';
export const FRIENDLY_NAME = '1.2.840.113549.1.9.20';
export const LOCAL_KEY_ID = '1.2.840.113549.1.9.21';
