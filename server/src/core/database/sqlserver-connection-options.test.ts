import { ConnectionError } from 'tedious';
import { describe, expect, it } from 'vitest';
import { type DatabaseHost, kerberosSpn, parseDatabaseHost } from '../../../../contract/database-host.js';
import { diagnoseSqlServerError } from './diagnose-sqlserver-error.js';
import { sqlServerConnectionConfig, validateDatabaseSettings } from './index.js';

// SQL Server cannot run on this machine: these tests pin what each mode asks of tedious, the
// Kerberos SPN, and how tedious's errors are diagnosed. The live path is untested here.
const PASSWORD = 'Sql-pass-9d2c';
const host = (text: string) => parseDatabaseHost(text, 'sqlserver') as DatabaseHost;
const settings = (overrides: Record<string, unknown> = {}) =>
  validateDatabaseSettings({
    type: 'sqlserver',
    hosts: ['sql01.corp.example.com'],
    name: 'hds_keys',
    username: 'hds',
    ...overrides,
  });

describe('tedious connection options per TLS mode', () => {
  it('prefer: encrypt off (login still encrypted), no certificate check', () => {
    const c = sqlServerConnectionConfig(
      settings(),
      host('sql01.corp.example.com'),
      Buffer.from(PASSWORD),
      undefined,
    );
    expect(c.server).toBe('sql01.corp.example.com');
    expect(c.options).toMatchObject({
      port: 1433,
      database: 'hds_keys',
      encrypt: false,
      trustServerCertificate: true,
    });
    expect(c.options?.cryptoCredentialsDetails).toBeUndefined();
    expect(c.authentication).toEqual({ type: 'default', options: { userName: 'hds', password: PASSWORD } });
  });

  it('require: TLS or nothing, no certificate check', () => {
    const c = sqlServerConnectionConfig(
      settings({ tlsMode: 'require' }),
      host('sql01.corp.example.com'),
      Buffer.from(PASSWORD),
      undefined,
    );
    expect(c.options).toMatchObject({ encrypt: true, trustServerCertificate: true });
  });

  it('verify-full: TLS, the uploaded root as the only anchor, host name checked', () => {
    const c = sqlServerConnectionConfig(
      settings({ tlsMode: 'verify-full' }),
      host('sql01.corp.example.com:14330'),
      Buffer.from(PASSWORD),
      '-----BEGIN CERTIFICATE-----…',
    );
    expect(c.options).toMatchObject({
      port: 14330,
      encrypt: true,
      trustServerCertificate: false,
      cryptoCredentialsDetails: { ca: '-----BEGIN CERTIFICATE-----…' },
    });
  });

  it('several hosts turn on MultiSubnetFailover; the timeout is the advanced setting', () => {
    const c = sqlServerConnectionConfig(
      settings({
        hosts: ['sql01.corp.example.com', 'sql02.corp.example.com'],
        advanced: { connectTimeoutSeconds: 7 },
      }),
      host('sql01.corp.example.com'),
      Buffer.from(PASSWORD),
      undefined,
    );
    expect(c.options).toMatchObject({ multiSubnetFailover: true, connectTimeout: 7000 });
  });

  it('Windows authentication: user and domain from user@DOMAIN (NTLM from here)', () => {
    const c = sqlServerConnectionConfig(
      settings({ auth: 'windows', username: 'hdsuser@corp.example.com', kdc: 'dc1.corp.example.com' }),
      host('sql01.corp.example.com'),
      Buffer.from(PASSWORD),
      undefined,
    );
    expect(c.authentication).toEqual({
      type: 'ntlm',
      options: { userName: 'hdsuser', domain: 'CORP.EXAMPLE.COM', password: PASSWORD },
    });
  });
});

describe('Kerberos SPN', () => {
  it('is MSSQLSvc/<fqdn>:<port>, lower-case host, default port 1433', () => {
    expect(kerberosSpn(host('SQL01.Corp.Example.com'))).toBe('MSSQLSvc/sql01.corp.example.com:1433');
    expect(kerberosSpn(host('sql01.corp.example.com:14330'))).toBe('MSSQLSvc/sql01.corp.example.com:14330');
  });
});

describe('tedious errors → codes (never the password)', () => {
  const s = settings();
  const h = host('sql01.corp.example.com');
  it.each([
    [new ConnectionError("Login failed for user 'hds'.", 'ELOGIN'), 'DB_AUTH_FAILED', 'database.password'],
    [
      new ConnectionError(
        'Cannot open database "hds_keys" requested by the login. The login failed.',
        'ELOGIN',
      ),
      'DB_NOT_FOUND',
      'database.name',
    ],
    [
      new ConnectionError("Server requires encryption, set 'encrypt' config option to true.", 'EENCRYPT'),
      'DB_TLS_UNAVAILABLE',
      'database.tlsMode',
    ],
    [
      new ConnectionError('Failed to connect to sql01:1433 - getaddrinfo ENOTFOUND sql01', 'ESOCKET', {
        cause: Object.assign(new Error('getaddrinfo ENOTFOUND sql01'), { code: 'ENOTFOUND' }),
      }),
      'DB_HOST_UNRESOLVED',
      'database.hosts',
    ],
    [
      new ConnectionError('Failed to connect to sql01:1433 - connect ECONNREFUSED', 'ESOCKET', {
        cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      }),
      'DB_UNREACHABLE',
      'database.hosts',
    ],
    [
      new ConnectionError('Failed to connect to sql01:1433 in 10000ms', 'ETIMEOUT'),
      'DB_UNREACHABLE',
      'database.hosts',
    ],
    [
      new ConnectionError('Failed to connect - self-signed certificate in certificate chain', 'ESOCKET', {
        cause: Object.assign(new Error('self-signed certificate in certificate chain'), {
          code: 'SELF_SIGNED_CERT_IN_CHAIN',
        }),
      }),
      'DB_TLS_UNTRUSTED',
      'database.rootCa',
    ],
    [
      new ConnectionError(
        "Failed to connect - Hostname/IP does not match certificate's altnames",
        'ESOCKET',
        {
          cause: Object.assign(new Error("Hostname/IP does not match certificate's altnames"), {
            code: 'ERR_TLS_CERT_ALTNAME_INVALID',
          }),
        },
      ),
      'DB_TLS_HOSTNAME',
      'database.hosts',
    ],
  ])('%s → %s', (error, code, field) => {
    const e = diagnoseSqlServerError(error, s, h);
    expect(e.code).toBe(code);
    expect(e.field).toBe(field);
    expect(e.message).not.toContain(PASSWORD);
  });
});
