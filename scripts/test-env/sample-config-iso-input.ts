import type { ConfigIsoInput } from '../../server/src/core/configIso/index.js';
import { generateMasterKey } from '../../server/src/core/secrets/master-key.js';
import { issueServiceAccounts } from '../../server/src/core/secrets/service-accounts.js';

/** A complete configuration with opaque stand-ins for the keystore and CA files (the ISO layer does not parse them). */
export function sampleConfigIsoInput(overrides: Partial<ConfigIsoInput> = {}): ConfigIsoInput {
  return {
    masterKey: generateMasterKey(),
    deploymentId: '6f1c1a55-8d0e-4a53-9b7e-2f0c6c1d9a10',
    generation: 1,
    previousManifestSha256: null,
    createdAt: new Date('2026-11-01T09:30:00Z'),
    toolVersion: '0.1.0',
    certificate: {
      pkcs12: Buffer.from('not-really-a-p12-but-opaque-here'),
      password: Buffer.from('keystore-pass-Σ'),
      chainPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      commonName: 'kms.example.org',
      subjectAltNames: ['kms.example.org'],
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2027-06-01T00:00:00Z'),
      fingerprintSha256: 'AA:BB',
    },
    database: {
      settings: {
        type: 'postgresql',
        hosts: ['db1.example.org:5432'],
        name: 'hds_keys',
        auth: 'basic',
        username: 'hds',
        tlsMode: 'verify-full',
        advanced: { app_datasource_connection_pool_maxSize: 10, connectTimeoutSeconds: 10 },
      },
      password: Buffer.from('db-pass-123'),
      rootCaPem: '-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n',
    },
    syslog: { settings: { url: 'udp://10.0.0.5:514', tls: false, termination: 'newline' } },
    serviceAccounts: issueServiceAccounts(new Date('2026-11-01T09:30:00Z')),
    ...overrides,
  };
}
