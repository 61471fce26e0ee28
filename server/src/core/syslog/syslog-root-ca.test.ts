import { X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HdsError } from '../../../../contract/hds-error.js';
import { createTestCa } from '../../../../scripts/test-env/test-pki.js';
import { parseSyslogRootCa } from './syslog-root-ca.js';

const ca = createTestCa('Syslog Root One');
const other = createTestCa('Syslog Root Two');

describe('parseSyslogRootCa', () => {
  it('reads a PEM bundle and a DER certificate', () => {
    const bundle = parseSyslogRootCa(Buffer.from(`junk before\n${ca.certPem}${other.certPem}`));
    expect(bundle.view.subjects).toEqual(['CN=Syslog Root One', 'CN=Syslog Root Two']);
    expect(bundle.pem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    const der = new X509Certificate(ca.certPem).raw;
    expect(parseSyslogRootCa(der).view.subjects).toEqual(['CN=Syslog Root One']);
  });

  it.each([
    ['an empty file', Buffer.alloc(0), /empty/],
    [
      'a private key',
      Buffer.from('-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n'),
      /no CERTIFICATE block/,
    ],
    [
      'a damaged PEM',
      Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
      /cannot be read|not an X\.509/,
    ],
    ['an oversized file', Buffer.alloc(300 * 1024, 0x41), /larger than 256 KB/],
  ])('refuses %s with SYSLOG_CA_INVALID on rootCa', (_name, bytes, reason) => {
    try {
      parseSyslogRootCa(bytes);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(HdsError);
      expect((error as HdsError).code).toBe('SYSLOG_CA_INVALID');
      expect((error as HdsError).field).toBe('rootCa');
      expect((error as HdsError).message).toMatch(reason);
    }
  });

  it('any bytes are a certificate list or SYSLOG_CA_INVALID, never a crash', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        try {
          parseSyslogRootCa(bytes);
        } catch (error) {
          expect((error as HdsError).code).toBe('SYSLOG_CA_INVALID');
        }
      }),
      { numRuns: 300 },
    );
  });
});
