// Creating 10 000 tenant CMKs against a local PostgreSQL, next to the floor: the same number of
// rows of the same size written with one plain batched INSERT. Targets: ratio ≤ 2, total < 5 s.
import { randomBytes, randomUUID } from 'node:crypto';
import { createTestDatabase } from '../scripts/test-env/key-database.js';
import { startPostgres } from '../scripts/test-env/postgres-server.js';
import { migrateKeyDatabase, postgresKeyDatabase } from '../server/src/core/keyDatabase/index.js';
import {
  addTenants,
  CMK_ALGORITHM,
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

    // The floor: the same rows (columns, sizes, algorithm id) written by one plain INSERT with
    // no locking, no read-back and no audit rows. Its data is made before the clock starts, and
    // the wrapped keys travel the way the CMK statement sends them (one binary bytea cut by
    // position), so the ratio measures the guarantees, not the transport or the CSPRNG.
    await client.query(`CREATE TABLE floor_cmks (org_id uuid PRIMARY KEY, key_version int, wrapped_key bytea,
      algorithm text, created_at timestamptz)`);
    const floorIds = tenants.map((t) => t.orgId).join(',');
    const floorKeys = randomBytes(WRAPPED_CMK_BYTES * COUNT);
    const floorStart = performance.now();
    await client.query(
      `INSERT INTO floor_cmks
       SELECT o, 1, substring($2::bytea FROM (i::int - 1) * $3::int + 1 FOR $3::int), $4, now()
       FROM unnest(string_to_array($1, ',')::uuid[]) WITH ORDINALITY AS t(o, i)`,
      [floorIds, floorKeys, WRAPPED_CMK_BYTES, CMK_ALGORITHM],
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
