/**
 * Host parsing and naming rules shared by the server and the page. Kept free of zod so the
 * page can use it without loading a schema library.
 */
export const DATABASE_TYPES = ['postgresql', 'sqlserver'] as const;
export type DatabaseType = (typeof DATABASE_TYPES)[number];

/** prefer / require / verify-ca / verify-full, with the guide's meaning (step 12). */
export const DATABASE_TLS_MODES = ['prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type DatabaseTlsMode = (typeof DATABASE_TLS_MODES)[number];

export const DEFAULT_PORTS: Record<DatabaseType, number> = { postgresql: 5432, sqlserver: 1433 };

export interface DatabaseHost {
  /** Name or address without brackets. */
  host: string;
  port: number;
  kind: 'dns' | 'ipv4' | 'ipv6';
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const DNS_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;

/** Parses `host`, `host:port`, `[v6]` or `[v6]:port`. Returns a reason when it cannot. */
export function parseDatabaseHost(text: string, type: DatabaseType): DatabaseHost | { error: string } {
  const value = text.trim();
  let host: string;
  let portText: string | undefined;
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0) return { error: `"${value}" opens "[" for an IPv6 address but never closes it.` };
    host = value.slice(1, end);
    const rest = value.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':'))
      return { error: `"${value}": write an IPv6 address as [address]:port.` };
    portText = rest === '' ? undefined : rest.slice(1);
    if (!IPV6.test(host) || !host.includes(':')) return { error: `"${host}" is not an IPv6 address.` };
    return withPort(host, portText, 'ipv6', type, value);
  }
  const backslash = value.indexOf('\\');
  if (backslash >= 0) {
    // host\INSTANCE finds the port through the SQL Server Browser (UDP 1434); the nodes connect by port.
    const server = value.slice(0, backslash);
    return {
      error:
        type === 'sqlserver'
          ? `"${value}" is a named instance; enter the instance's TCP port instead, e.g. ${server}:1433 (SQL Server Configuration Manager → Protocols → TCP/IP → IP Addresses shows it, and it should be a fixed port).`
          : `"${value}" is not a host name or address; write host or host:port, e.g. ${server}:5432.`,
    };
  }
  const colons = value.split(':').length - 1;
  if (colons > 1)
    return {
      error: `"${value}" looks like an IPv6 address: put it in brackets, e.g. [${value}]:${DEFAULT_PORTS[type]}.`,
    };
  [host, portText] = colons === 1 ? (value.split(':') as [string, string]) : [value, undefined];
  if (IPV4.test(host)) return withPort(host, portText, 'ipv4', type, value);
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name.length === 0 || name.length > 253 || !name.split('.').every((l) => DNS_LABEL.test(l)))
    return { error: `"${host}" is not a valid host name or IPv4 address.` };
  return withPort(name, portText, 'dns', type, value);
}

function withPort(
  host: string,
  portText: string | undefined,
  kind: DatabaseHost['kind'],
  type: DatabaseType,
  original: string,
): DatabaseHost | { error: string } {
  if (portText === undefined) return { host, port: DEFAULT_PORTS[type], kind };
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535)
    return { error: `"${original}": the port must be a number from 1 to 65535.` };
  return { host, port, kind };
}

/** How a host is written back: IPv6 in brackets, always with its port. */
export function formatDatabaseHost(h: DatabaseHost): string {
  return `${h.kind === 'ipv6' ? `[${h.host}]` : h.host}:${h.port}`;
}

/** A fully qualified domain name: a DNS name with at least one dot (Kerberos needs one). */
export function isFqdn(h: DatabaseHost): boolean {
  return h.kind === 'dns' && h.host.includes('.');
}

/** The service principal the nodes request for SQL Server with Windows authentication. */
export function kerberosSpn(h: DatabaseHost): string {
  return `MSSQLSvc/${h.host.toLowerCase()}:${h.port}`;
}
