import { type DatabaseSettings, databaseSettingsSchema } from '../../../../contract/database.js';
import { type DatabaseType, isFqdn, parseDatabaseHost } from '../../../../contract/database-host.js';
import { HdsError, HdsErrors } from '../../../../contract/hds-error.js';
import { parseInput } from '../../../../contract/parse-input.js';

/** Databases every server has; the keys must live in a database of their own. */
const DEFAULT_DATABASES: Record<DatabaseType, string[]> = {
  postgresql: ['postgres', 'template0', 'template1'],
  sqlserver: ['master', 'model', 'msdb', 'tempdb'],
};

const WINDOWS_ACCOUNT = /^[^@\s\\/]{1,104}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}[A-Za-z0-9])?$/;

export interface DatabaseValidationOptions {
  /** The database type of an imported ISO: it cannot change. */
  previousType?: DatabaseType | undefined;
}

/**
 * The Database page's rules (shape by the contract, then meaning). Every problem is reported at
 * once, each with the field it concerns, so the page can mark them all.
 */
export function validateDatabaseSettings(
  input: unknown,
  options: DatabaseValidationOptions = {},
): DatabaseSettings {
  const settings = parseInput(databaseSettingsSchema, input, 'database');
  const errors: HdsError[] = [];
  if (options.previousType && settings.type !== options.previousType)
    errors.push(
      new HdsError(
        'DB_TYPE_CHANGED',
        `The imported ISO uses ${label(options.previousType)}; migrating between database types is not supported. Keep ${label(options.previousType)}, or start a new deployment (answer "No" on the ISO import page).`,
        'database.type',
      ),
    );
  const seen = new Map<string, number>();
  for (const [index, text] of settings.hosts.entries()) {
    const host = parseDatabaseHost(text, settings.type);
    const field = `database.hosts.${index}`;
    if ('error' in host) {
      errors.push(new HdsError('INVALID_INPUT', host.error, field));
      continue;
    }
    const key = `${host.host.toLowerCase()}:${host.port}`;
    if (seen.has(key))
      errors.push(new HdsError('INVALID_INPUT', `${text} is listed twice; list each host once.`, field));
    seen.set(key, index);
    if (settings.type === 'sqlserver' && settings.auth === 'windows' && !isFqdn(host))
      errors.push(
        new HdsError(
          'DB_WINDOWS_AUTH_NEEDS_FQDN',
          `With Windows authentication the nodes find SQL Server through Kerberos, which needs the server's fully qualified domain name (e.g. sql01.corp.example.com), not "${host.host}".`,
          field,
        ),
      );
  }
  // PostgreSQL keeps at most 63 bytes of a name (NAMEDATALEN - 1); a login with a longer one
  // could never find its database or role, and CREATE would silently cut the name.
  if (settings.type === 'postgresql')
    for (const [key, what] of [
      ['name', 'database name'],
      ['username', 'user name'],
    ] as const) {
      const bytes = Buffer.byteLength(settings[key], 'utf8');
      if (bytes > 63)
        errors.push(
          new HdsError(
            'INVALID_INPUT',
            `A PostgreSQL ${what} has at most 63 bytes; "${settings[key]}" has ${bytes}. Use the name exactly as the server shows it (\\l or \\du in psql).`,
            `database.${key}`,
          ),
        );
    }
  if (DEFAULT_DATABASES[settings.type].includes(settings.name.toLowerCase()))
    errors.push(
      new HdsError(
        'DB_DEFAULT_DATABASE',
        `"${settings.name}" is a database every ${label(settings.type)} server has; the keys need a database of their own. Create one (for example hds_keys) and enter its name.`,
        'database.name',
      ),
    );
  if (settings.type === 'postgresql' && settings.auth === 'windows')
    errors.push(
      new HdsError(
        'INVALID_INPUT',
        'Windows authentication is for Microsoft SQL Server only; PostgreSQL uses its own login. Choose basic.',
        'database.auth',
      ),
    );
  if (settings.type === 'sqlserver' && settings.auth === 'windows') {
    if (!WINDOWS_ACCOUNT.test(settings.username))
      errors.push(
        new HdsError(
          'INVALID_INPUT',
          `Write the Windows account as username@DOMAIN (for example hdsuser@CORP.EXAMPLE.COM), not "${settings.username}".`,
          'database.username',
        ),
      );
    if (!settings.kdc)
      errors.push(
        new HdsError(
          'INVALID_INPUT',
          'Enter the address of the Kerberos KDC (usually a domain controller of the account’s domain).',
          'database.kdc',
        ),
      );
    else {
      const kdc = parseDatabaseHost(settings.kdc, settings.type);
      if ('error' in kdc)
        errors.push(new HdsError('INVALID_INPUT', `The KDC address: ${kdc.error}`, 'database.kdc'));
    }
  }
  if (settings.type === 'sqlserver' && settings.tlsMode === 'verify-ca')
    errors.push(
      new HdsError(
        'DB_TLS_MODE_UNSUPPORTED',
        'SQL Server cannot verify the certificate signer without the host name. Choose "Require TLS and verify certificate signer and hostname" (verify-full), or "Require TLS".',
        'database.tlsMode',
      ),
    );
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new HdsErrors(errors);
  // Only the settings that mean something for this type are kept.
  if (settings.type === 'postgresql' || settings.auth === 'basic') delete settings.kdc;
  return settings;
}

export function label(type: DatabaseType): string {
  return type === 'postgresql' ? 'PostgreSQL' : 'Microsoft SQL Server';
}
