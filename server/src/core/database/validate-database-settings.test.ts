import { describe, expect, it } from 'vitest';
import { type HdsError, HdsErrors } from '../../../../contract/hds-error.js';
import { createTestCa, issueServerCert } from '../../../../scripts/test-env/test-pki.js';
import { validateDatabaseRootCa, validateDatabaseSettings } from './index.js';

const base = { type: 'postgresql', hosts: ['db1.example.org'], name: 'hds_keys', username: 'hds' };

function codes(fn: () => unknown): { code: string; field?: string | undefined }[] {
  try {
    fn();
  } catch (error) {
    const list = error instanceof HdsErrors ? error.errors : [error as HdsError];
    return list.map((e) => ({ code: e.code, field: e.field }));
  }
  return [];
}

describe('validateDatabaseSettings', () => {
  it('fills the defaults: prefer, basic, pool 10, timeout 10, default port', () => {
    const s = validateDatabaseSettings(base);
    expect(s).toEqual({
      ...base,
      auth: 'basic',
      tlsMode: 'prefer',
      advanced: { app_datasource_connection_pool_maxSize: 10, connectTimeoutSeconds: 10 },
    });
  });

  it('accepts host names, IPv4 and bracketed IPv6 with or without ports', () => {
    expect(() =>
      validateDatabaseSettings({
        ...base,
        hosts: ['db1.example.org:5433', '10.0.0.5', '[2001:db8::1]:5432', '[::1]'],
      }),
    ).not.toThrow();
  });

  it.each([
    ['2001:db8::1', 'brackets'],
    ['db1:99999', 'port'],
    ['bad_host!', 'not a valid host'],
    ['[2001:db8::1', 'never closes'],
  ])('refuses host %s', (host, words) => {
    try {
      validateDatabaseSettings({ ...base, hosts: [host] });
      expect.unreachable();
    } catch (error) {
      expect((error as HdsError).code).toBe('INVALID_INPUT');
      expect((error as HdsError).field).toBe('database.hosts.0');
      expect((error as HdsError).message).toContain(words);
    }
  });

  it.each([
    ['localhost:0', 'port'],
    ['localhost:70000', 'port'],
    ['localhost:abc', 'port'],
    ['localhost:', 'port'],
    ['[::1]:54x', 'port'],
  ])('refuses the bad port in %s', (host, words) => {
    const [problem] = codes(() => validateDatabaseSettings({ ...base, hosts: [host] }));
    expect(problem).toEqual({ code: 'INVALID_INPUT', field: 'database.hosts.0' });
    expect(() => validateDatabaseSettings({ ...base, hosts: [host] })).toThrow(words);
  });

  it('PostgreSQL names are at most 63 bytes (NAMEDATALEN): a longer database or user could never be found', () => {
    const long = 'a'.repeat(64);
    const accented = 'é'.repeat(32); // 32 characters, 64 bytes in UTF-8
    expect(() => validateDatabaseSettings({ ...base, name: 'a'.repeat(63) })).not.toThrow();
    for (const name of [long, accented]) {
      expect(codes(() => validateDatabaseSettings({ ...base, name }))).toEqual([
        { code: 'INVALID_INPUT', field: 'database.name' },
      ]);
      expect(() => validateDatabaseSettings({ ...base, name })).toThrow('63 bytes');
    }
    expect(codes(() => validateDatabaseSettings({ ...base, username: long }))).toEqual([
      { code: 'INVALID_INPUT', field: 'database.username' },
    ]);
    // SQL Server names (sysname) take up to 128 characters.
    expect(() =>
      validateDatabaseSettings({ ...base, type: 'sqlserver', name: long, username: long }),
    ).not.toThrow();
  });

  it('a SQL Server named instance (host\\INSTANCE) is refused with the port to give instead', () => {
    const input = { ...base, type: 'sqlserver', hosts: ['sql01.corp.example.com\\HDS'] };
    expect(codes(() => validateDatabaseSettings(input))).toEqual([
      { code: 'INVALID_INPUT', field: 'database.hosts.0' },
    ]);
    expect(() => validateDatabaseSettings(input)).toThrow(
      /named instance.*TCP port.*sql01\.corp\.example\.com:1433/,
    );
  });

  it('reports every field problem at once: shape errors do not hide the port, the 63-byte name or the default database', () => {
    const input = {
      ...base,
      hosts: ['', 'db1.example.org:70000', 'db2.example.org', 'DB2.example.org:5432'],
      name: 'n'.repeat(64),
      username: '',
    };
    expect(codes(() => validateDatabaseSettings(input))).toEqual([
      { code: 'INVALID_INPUT', field: 'database.hosts.0' },
      { code: 'INVALID_INPUT', field: 'database.username' },
      { code: 'INVALID_INPUT', field: 'database.hosts.1' },
      { code: 'INVALID_INPUT', field: 'database.hosts.3' },
      { code: 'INVALID_INPUT', field: 'database.name' },
    ]);
    expect(() => validateDatabaseSettings(input)).toThrow(/70000[\s\S]*listed twice[\s\S]*63 bytes/);
    // A wrong pool size does not hide the default database, nor a bad type the bad port.
    expect(
      codes(() =>
        validateDatabaseSettings({ ...base, name: 'postgres', advanced: { connectTimeoutSeconds: 0 } }),
      ),
    ).toEqual([
      { code: 'INVALID_INPUT', field: 'database.advanced.connectTimeoutSeconds' },
      { code: 'DB_DEFAULT_DATABASE', field: 'database.name' },
    ]);
    expect(codes(() => validateDatabaseSettings({ ...base, type: 'mysql', hosts: ['db1:0'] }))).toEqual([
      { code: 'INVALID_INPUT', field: 'database.type' },
      { code: 'INVALID_INPUT', field: 'database.hosts.0' },
    ]);
  });

  it('refuses unknown keys, in the settings and in advanced', () => {
    expect(codes(() => validateDatabaseSettings({ ...base, sslmode: 'x' }))[0]?.code).toBe('INVALID_INPUT');
    expect(codes(() => validateDatabaseSettings({ ...base, advanced: { maxLifetime: 5 } }))[0]).toEqual({
      code: 'INVALID_INPUT',
      field: 'database.advanced.maxLifetime',
    });
  });

  it('bounds the pool size to 1–500', () => {
    expect(
      codes(() =>
        validateDatabaseSettings({ ...base, advanced: { app_datasource_connection_pool_maxSize: 0 } }),
      )[0]?.field,
    ).toBe('database.advanced.app_datasource_connection_pool_maxSize');
    expect(
      codes(() =>
        validateDatabaseSettings({ ...base, advanced: { app_datasource_connection_pool_maxSize: 501 } }),
      ).length,
    ).toBe(1);
    expect(
      validateDatabaseSettings({ ...base, advanced: { app_datasource_connection_pool_maxSize: 500 } })
        .advanced.app_datasource_connection_pool_maxSize,
    ).toBe(500);
  });

  it('DB_TYPE_CHANGED after an import of the other type', () => {
    expect(codes(() => validateDatabaseSettings(base, { previousType: 'sqlserver' }))).toEqual([
      { code: 'DB_TYPE_CHANGED', field: 'database.type' },
    ]);
    expect(() => validateDatabaseSettings(base, { previousType: 'postgresql' })).not.toThrow();
  });

  it('DB_DEFAULT_DATABASE for each type’s built-in databases', () => {
    expect(codes(() => validateDatabaseSettings({ ...base, name: 'postgres' }))[0]?.code).toBe(
      'DB_DEFAULT_DATABASE',
    );
    expect(
      codes(() => validateDatabaseSettings({ ...base, type: 'sqlserver', name: 'master' }))[0]?.code,
    ).toBe('DB_DEFAULT_DATABASE');
  });

  it('DB_TLS_MODE_UNSUPPORTED: verify-ca on SQL Server', () => {
    expect(
      codes(() => validateDatabaseSettings({ ...base, type: 'sqlserver', tlsMode: 'verify-ca' })),
    ).toEqual([{ code: 'DB_TLS_MODE_UNSUPPORTED', field: 'database.tlsMode' }]);
  });

  it('Windows authentication needs an FQDN host, user@DOMAIN and a KDC — all reported at once', () => {
    const found = codes(() =>
      validateDatabaseSettings({
        ...base,
        type: 'sqlserver',
        auth: 'windows',
        hosts: ['10.0.0.9', 'sql01'],
        username: 'CORP\\hds',
      }),
    );
    expect(found).toEqual([
      { code: 'DB_WINDOWS_AUTH_NEEDS_FQDN', field: 'database.hosts.0' },
      { code: 'DB_WINDOWS_AUTH_NEEDS_FQDN', field: 'database.hosts.1' },
      { code: 'INVALID_INPUT', field: 'database.username' },
      { code: 'INVALID_INPUT', field: 'database.kdc' },
    ]);
    const ok = validateDatabaseSettings({
      ...base,
      type: 'sqlserver',
      auth: 'windows',
      hosts: ['sql01.corp.example.com'],
      username: 'hds@CORP.EXAMPLE.COM',
      kdc: 'dc1.corp.example.com',
    });
    expect(ok.kdc).toBe('dc1.corp.example.com');
  });

  it('PostgreSQL has no Windows authentication', () => {
    expect(codes(() => validateDatabaseSettings({ ...base, auth: 'windows' }))).toEqual([
      { code: 'INVALID_INPUT', field: 'database.auth' },
    ]);
  });
});

describe('validateDatabaseRootCa', () => {
  const ca = createTestCa('DB Root For Validation');
  const leaf = issueServerCert(ca, 'leaf', { dnsNames: ['db.example.org'] });

  it('is not needed (and not kept) for prefer and require', () => {
    expect(validateDatabaseRootCa({ tlsMode: 'require' }, ca.certPem)).toBeUndefined();
  });

  it('accepts a CA certificate and names it', () => {
    expect(validateDatabaseRootCa({ tlsMode: 'verify-full' }, ca.certPem)?.subject).toBe(
      'CN=DB Root For Validation',
    );
  });

  it.each([
    ['missing', undefined, 'upload the root CA'],
    ['not PEM', 'hello', 'no PEM certificate'],
    ['a server certificate', leaf.certPem, 'not a CA certificate'],
    ['garbage inside PEM', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', 'cannot be read'],
  ])('DB_CA_INVALID: %s', (_name, pem, words) => {
    try {
      validateDatabaseRootCa({ tlsMode: 'verify-ca' }, pem);
      expect.unreachable();
    } catch (error) {
      expect((error as HdsError).code).toBe('DB_CA_INVALID');
      expect((error as HdsError).field).toBe('database.rootCa');
      expect((error as HdsError).message).toContain(words);
    }
  });
});
