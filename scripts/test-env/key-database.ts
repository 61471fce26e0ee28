import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { PostgresServer } from './postgres-server.js';

/** A fresh database owned by its own login role on the test server, as an admin would create it. */
export interface TestDatabase {
  name: string;
  user: string;
  password: string;
  connect(): Promise<pg.Client>;
  /** `<host>/<name>` as the tool names it in messages. */
  where: string;
}

export async function createTestDatabase(server: PostgresServer, name: string): Promise<TestDatabase> {
  const user = `${name}_owner`;
  const password = randomBytes(12).toString('hex');
  await server.sql(`CREATE ROLE ${user} LOGIN PASSWORD '${password}'`);
  await server.sql(`CREATE DATABASE ${name} OWNER ${user}`);
  return {
    name,
    user,
    password,
    where: `${server.host}/${name}`,
    async connect() {
      const client = new pg.Client({ host: server.host, port: server.port, user, password, database: name });
      await client.connect();
      // A terminated backend emits 'error' on an idle client; the tool's own calls see it as a failed query.
      client.on('error', () => undefined);
      return client;
    },
  };
}
