import type pg from 'pg';
import { keyDatabaseError } from './database-errors.js';
import { postgresqlSql } from './dialects/postgresql-sql.js';
import type { KeyDatabase, KeyDatabaseSession, SqlRow, SqlStatement } from './key-database.js';

/** The key database on a connected `pg` client (the caller owns connecting and closing it). */
export function postgresKeyDatabase(client: pg.ClientBase, where: string): KeyDatabase {
  let inTransaction = false;
  const run = async (statement: SqlStatement): Promise<SqlRow[]> => {
    try {
      const result = await client.query({ text: statement.text, values: statement.params });
      return result.rows as SqlRow[];
    } catch (error) {
      throw keyDatabaseError(error, where);
    }
  };
  const session: KeyDatabaseSession = { run };
  return {
    sql: postgresqlSql,
    where,
    run,
    async transaction(work) {
      if (inTransaction) return work(session);
      inTransaction = true;
      try {
        await run({ text: 'BEGIN', params: [] });
        const result = await work(session);
        await run({ text: 'COMMIT', params: [] });
        return result;
      } catch (error) {
        // A lost connection already rolled back on the server; a ROLLBACK there just fails too.
        await client.query('ROLLBACK').catch(() => undefined);
        throw keyDatabaseError(error, where);
      } finally {
        inTransaction = false;
      }
    },
  };
}
