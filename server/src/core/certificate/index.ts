export { assemblePkcs12, KMS_FRIENDLY_NAME } from './assemble-pkcs12.js';
export {
  type CertificateCheckOptions,
  type CertificateCheckResult,
  checkCertificateChain,
} from './check-certificate-chain.js';
export { checkPkcs12 } from './check-pkcs12.js';
export { completeCsr } from './complete-csr.js';
export { type CreatedCsr, type CsrSubject, createCsr } from './create-csr.js';
export { readPrivateKeys } from './find-leaf.js';
export { findPreviousPrivateRoot, type PreviousPrivateRootHint } from './previous-private-root.js';
export { readPemCertificates } from './read-pem.js';
export { readPkcs12 } from './read-pkcs12.js';
export { type KeyPassphrase, type PrivateKeyFile, readPrivateKeyPem } from './read-private-key.js';
