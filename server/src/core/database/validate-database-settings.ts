import { type DatabaseSettings, databaseSettingsSchema } from '../../../../contract/database.js';
import { type DatabaseType, isFqdn, parseDatabaseHost } from '../../../../contract/database-host.js';
import { HdsError, HdsErrors } from '../../../../contract/hds-error.js';
import { checkInput, type InputSource } from '../../../../contract/parse-input.js';

/** Databases every server has; the keys must live in a database of their own. */
const DEFAULT_DATABASES: Record<DatabaseType, string[]> = {
  postgresql: ['postgres', 'template0', 'template1'],
  sqlserver: ['master', 'model', 'msdb', 'tempdb'],
};

const WINDOWS_ACCOUNT = /^[^@\s\\/]{1,104}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}[A-Za-z0-9])?$/;

export interface DatabaseValidationOptions {
  /** The database type of an imported ISO: it cannot change. */
  previousType?: DatabaseType | undefined;
  /** An answers file gets YAML-specific advice for a wrong type. */
  source?: InputSource;
}

/**
 * The Database page's rules (shape by the contract, then meaning). Every problem is reported at
 * once, each with the field it concerns, so the page can mark them all: a field whose shape is
 * wrong does not stop the meaning checks of the fields that are well formed.
 */
export function validateDatabaseSettings(
  input: unknown,
  options: DatabaseValidationOptions = {},
): DatabaseSettings {
  const shape = checkInput(databaseSettingsSchema, input, 'database', options.source);
  const settings = shape.ok ? shape.data : wellFormedFields(input);
  const errors: HdsError[] = [
    ...(shape.ok ? [] : shape.errors),
    ...meaningProblems(settings, options, shape.ok ? [] : shape.errors),
  ];
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1 || !shape.ok) throw new HdsErrors(errors);
  const accepted = shape.data;
  // Only the settings that mean something for this type are kept.
  if (accepted.type === 'postgresql' || accepted.auth === 'basic') delete accepted.kdc;
  return accepted;
}

/** The settings as far as they are well formed; hosts keep their positions (undefined when malformed). */
type PartialSettings = Partial<Omit<DatabaseSettings, 'hosts'>> & { hosts?: (string | undefined)[] };

/** Each field checked by its own schema, so one malformed field leaves the others to be checked. */
function wellFormedFields(input: unknown): PartialSettings {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return {};
  const raw = input as Record<string, unknown>;
  const fields = databaseSettingsSchema.shape;
  const one = <K extends keyof typeof fields>(key: K) => {
    const r = fields[key].safeParse(raw[key]);
    return r.success ? (r.data as DatabaseSettings[K]) : undefined;
  };
  const hosts = Array.isArray(raw.hosts)
    ? raw.hosts.map((h) => {
        const r = fields.hosts.element.safeParse(h);
        return r.success ? r.data : undefined;
      })
    : undefined;
  return {
    type: one('type'),
    hosts,
    name: one('name'),
    auth: one('auth'),
    username: one('username'),
    kdc: one('kdc'),
    tlsMode: one('tlsMode'),
  };
}

function meaningProblems(
  settings: PartialSettings,
  options: DatabaseValidationOptions,
  shapeErrors: HdsError[],
): HdsError[] {
  const errors: HdsError[] = [];
  const { type, auth } = settings;
  if (options.previousType && type && type !== options.previousType)
    errors.push(
      new HdsError(
        'DB_TYPE_CHANGED',
        `The imported ISO uses ${label(options.previousType)}; migrating between database types is not supported. Keep ${label(options.previousType)}, or start a new deployment (answer "No" on the ISO import page).`,
        'database.type',
      ),
    );
  const seen = new Map<string, number>();
  for (const [index, text] of (settings.hosts ?? []).entries()) {
    if (text === undefined) continue;
    const field = `database.hosts.${index}`;
    // Without a valid type, only what is wrong for both types is said (a bad port, a bad name).
    const host = parseDatabaseHost(text, type ?? 'postgresql');
    if ('error' in host) {
      if (type || 'error' in parseDatabaseHost(text, 'sqlserver'))
        errors.push(new HdsError('INVALID_INPUT', host.error, field));
      continue;
    }
    if (!type) continue;
    const key = `${host.host.toLowerCase()}:${host.port}`;
    if (seen.has(key))
      errors.push(new HdsError('INVALID_INPUT', `${text} is listed twice; list each host once.`, field));
    seen.set(key, index);
    if (type === 'sqlserver' && auth === 'windows' && !isFqdn(host))
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
  if (type === 'postgresql')
    for (const [key, what] of [
      ['name', 'database name'],
      ['username', 'user name'],
    ] as const) {
      const value = settings[key];
      const bytes = value === undefined ? 0 : Buffer.byteLength(value, 'utf8');
      if (bytes > 63)
        errors.push(
          new HdsError(
            'INVALID_INPUT',
            `A PostgreSQL ${what} has at most 63 bytes; "${value}" has ${bytes}. Use the name exactly as the server shows it (\\l or \\du in psql).`,
            `database.${key}`,
          ),
        );
    }
  if (type && settings.name !== undefined && DEFAULT_DATABASES[type].includes(settings.name.toLowerCase()))
    errors.push(
      new HdsError(
        'DB_DEFAULT_DATABASE',
        `"${settings.name}" is a database every ${type === 'postgresql' ? 'PostgreSQL server' : 'SQL Server instance'} has; the keys need a database of their own. Create one (for example hds_keys) and enter its name.`,
        'database.name',
      ),
    );
  if (type === 'postgresql' && auth === 'windows')
    errors.push(
      new HdsError(
        'INVALID_INPUT',
        'Windows authentication is for Microsoft SQL Server only; PostgreSQL uses its own login. Choose basic.',
        'database.auth',
      ),
    );
  if (type === 'sqlserver' && auth === 'windows') {
    if (settings.username !== undefined && !WINDOWS_ACCOUNT.test(settings.username))
      errors.push(
        new HdsError(
          'INVALID_INPUT',
          `Write the Windows account as username@DOMAIN (for example hdsuser@CORP.EXAMPLE.COM), not "${settings.username}".`,
          'database.username',
        ),
      );
    if (!settings.kdc && !shapeErrors.some((e) => e.field === 'database.kdc'))
      errors.push(
        new HdsError(
          'INVALID_INPUT',
          'Enter the address of the Kerberos KDC (usually a domain controller of the account’s domain).',
          'database.kdc',
        ),
      );
    else if (settings.kdc) {
      const kdc = parseDatabaseHost(settings.kdc, type);
      if ('error' in kdc)
        errors.push(new HdsError('INVALID_INPUT', `The KDC address: ${kdc.error}`, 'database.kdc'));
    }
  }
  if (type === 'sqlserver' && settings.tlsMode === 'verify-ca')
    errors.push(
      new HdsError(
        'DB_TLS_MODE_UNSUPPORTED',
        'SQL Server cannot verify the certificate signer without the host name. Choose "Require TLS and verify certificate signer and hostname" (verify-full), or "Require TLS".',
        'database.tlsMode',
      ),
    );
  return errors;
}

export function label(type: DatabaseType): string {
  return type === 'postgresql' ? 'PostgreSQL' : 'Microsoft SQL Server';
}
