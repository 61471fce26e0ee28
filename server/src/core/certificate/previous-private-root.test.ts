import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestPki } from '../../../../scripts/test-env/certificate-fixtures.js';
import { findPreviousPrivateRoot } from './previous-private-root.js';

describe('findPreviousPrivateRoot: the root an imported kms-chain.pem ends at, when it is private', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = new TestPki('HDS Offered Root CA');
  });
  afterAll(() => pki.cleanup());

  it('offers the last certificate of a leaf → issuing CA → private root chain', () => {
    const leaf = pki.issueLeaf();
    const root = new X509Certificate(pki.rootPem);
    expect(findPreviousPrivateRoot(leaf.certPem + pki.intermediatePem + pki.rootPem)).toEqual({
      pem: root.toString(),
      subject: 'CN=HDS Offered Root CA, O=HDS Tests',
      commonName: 'HDS Offered Root CA',
      fingerprintSha256: root.fingerprint256,
    });
  });

  it('offers nothing for a publicly trusted root, a chain without its root, a lone certificate or unreadable text', () => {
    const leaf = pki.issueLeaf();
    expect(findPreviousPrivateRoot(leaf.certPem + rootCertificates[0]!)).toBeUndefined();
    expect(findPreviousPrivateRoot(leaf.certPem + pki.intermediatePem)).toBeUndefined();
    expect(findPreviousPrivateRoot(pki.rootPem)).toBeUndefined();
    expect(
      findPreviousPrivateRoot('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'),
    ).toBeUndefined();
  });
});
