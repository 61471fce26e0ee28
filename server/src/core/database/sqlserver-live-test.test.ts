import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../scripts/test-env/postgres-server.js';
import { rejectionOf } from '../../../../scripts/test-env/refusals.js';
import { runDatabaseLiveTest, validateDatabaseSettings } from './index.js';

// No SQL Server runs here, but what tedious meets before any server speaks is real: a refused
// port, and a port where something else answers (an HTTP server, PostgreSQL, a proxy).
const PASSWORD = 'Sql-live-pass-41ab';
let httpListener: Server;

beforeAll(async () => {
  httpListener = createServer((s) => s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
  await new Promise<void>((resolve) => httpListener.listen(0, '127.0.0.1', resolve));
});
afterAll(() => httpListener?.close());

const settings = (hosts: string[]) =>
  validateDatabaseSettings({
    type: 'sqlserver',
    hosts,
    name: 'hds_keys',
    username: 'hds',
    tlsMode: 'require',
    advanced: { connectTimeoutSeconds: 3 },
  });

describe('SQL Server live test before the server speaks', () => {
  it('a refused port: DB_UNREACHABLE saying "connection refused", naming host and port', async () => {
    const port = await freePort();
    const e = await rejectionOf(runDatabaseLiveTest(settings([`127.0.0.1:${port}`]), Buffer.from(PASSWORD)));
    expect(e.code).toBe('DB_UNREACHABLE');
    expect(e.field).toBe('database.hosts.0');
    expect(e.message).toContain(`127.0.0.1:${port}`);
    expect(e.message).toContain('connection refused');
    expect(e.message).not.toContain(PASSWORD);
  });

  it('something other than SQL Server on the port: DB_UNREACHABLE saying so', async () => {
    const port = (httpListener.address() as { port: number }).port;
    const e = await rejectionOf(runDatabaseLiveTest(settings([`127.0.0.1:${port}`]), Buffer.from(PASSWORD)));
    expect(e.code).toBe('DB_UNREACHABLE');
    expect(e.message).toContain('not SQL Server');
    expect(e.message).not.toContain(PASSWORD);
  });
});
