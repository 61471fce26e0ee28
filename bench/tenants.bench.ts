// Creating 10 000 tenant CMKs against a local PostgreSQL, next to the floor: the same number of
// rows of the same size written with one plain batched INSERT. Targets: ratio ≤ 2, total < 5 s.
import { randomBytes, randomUUID } from 'node:crypto';
import { createTestDatabase } from '../scripts/test-env/key-database.js';
import { startPostgres } from '../scripts/test-env/postgres-server.js';
import { migrateKeyDatabase, postgresKeyDatabase } from '../server/src/core/keyDatabase/index.js';
import {
  addTenants,
  createCmks,
  pendingTenantIds,
  WRAPPED_CMK_BYTES,
} from '../server/src/core/tenants/index.js';

const COUNT = 10_000;

export default async function benchTenants(): Promise<void> {
  const server = await startPostgres();
  try {
    const database = await createTestDatabase(server, 'bench_tenants');
    const client = await database.connect();
    const db = postgresKeyDatabase(client, database.where);
    await migrateKeyDatabase(db);
    const tenants = Array.from({ length: COUNT }, (_, i) => ({ orgId: randomUUID(), name: `Org ${i}` }));
    await addTenants(db, tenants, new Date());

    // The floor: same columns and sizes, no locking, no read-back, no audit rows.
    await client.query(`CREATE TABLE floor_cmks (org_id uuid PRIMARY KEY, key_version int, wrapped_key bytea,
      algorithm text, created_at timestamptz)`);
    const floorStart = performance.now();
    await client.query(
      `INSERT INTO floor_cmks SELECT o, 1, w, 'A256GCM/HKDF-SHA256/v1', now()
       FROM unnest($1::uuid[], $2::bytea[]) AS t(o, w)`,
      [tenants.map((t) => t.orgId), tenants.map(() => randomBytes(WRAPPED_CMK_BYTES))],
    );
    const floorMs = performance.now() - floorStart;

    const start = performance.now();
    const outcome = await createCmks(db, randomBytes(32), await pendingTenantIds(db));
    const cmkMs = performance.now() - start;
    if (outcome.state !== 'done' || outcome.done !== COUNT)
      throw new Error(`bulk run ended ${outcome.state}`);
    await client.end();

    const ratio = cmkMs / floorMs;
    console.log(
      `create ${COUNT} CMKs (lock, wrap, insert, read back + unwrap, audit): ${cmkMs.toFixed(0)} ms`,
    );
    console.log(
      `floor: one batched INSERT of ${COUNT} rows of the same size:        ${floorMs.toFixed(0)} ms`,
    );
    console.log(
      `ratio ${ratio.toFixed(2)} (target ≤ 2); total ${(cmkMs + floorMs).toFixed(0)} ms (target < 5000)`,
    );
  } finally {
    await server.stop();
  }
}
