import { type Connection, Request, TYPES } from 'tedious';
import { keyDatabaseError } from './database-errors.js';
import { sqlserverSql } from './dialects/sqlserver-sql.js';
import type { KeyDatabase, KeyDatabaseSession, SqlParam, SqlRow, SqlStatement } from './key-database.js';

/** Picks the TDS type for a parameter from its JavaScript value (the dialect binds scalars only). */
export function sqlserverParameterType(value: SqlParam): {
  type: (typeof TYPES)[keyof typeof TYPES];
  value: unknown;
} {
  if (value === null) return { type: TYPES.NVarChar, value: null };
  if (Buffer.isBuffer(value)) return { type: TYPES.VarBinary, value };
  if (value instanceof Date) return { type: TYPES.DateTimeOffset, value };
  if (typeof value === 'number')
    return Number.isInteger(value) ? { type: TYPES.BigInt, value } : { type: TYPES.Float, value };
  if (typeof value === 'boolean') return { type: TYPES.Bit, value };
  if (typeof value === 'string') return { type: TYPES.NVarChar, value };
  throw new TypeError('SQL Server statements bind scalar values only');
}

/** The key database on a connected `tedious` connection (the caller owns connecting and closing it). */
export function sqlserverKeyDatabase(connection: Connection, where: string): KeyDatabase {
  let inTransaction = false;
  const run = (statement: SqlStatement): Promise<SqlRow[]> =>
    new Promise((resolve, reject) => {
      const rows: SqlRow[] = [];
      const request = new Request(statement.text, (error) =>
        error ? reject(keyDatabaseError(error, where)) : resolve(rows),
      );
      statement.params.forEach((param, i) => {
        const { type, value } = sqlserverParameterType(param);
        request.addParameter(`p${i + 1}`, type, value);
      });
      request.on('row', (columns: { value: unknown; metadata: { colName: string } }[]) => {
        const row: SqlRow = {};
        for (const c of columns) row[c.metadata.colName] = c.value;
        rows.push(row);
      });
      connection.execSql(request);
    });
  const step = (action: 'begin' | 'commit' | 'rollback') =>
    new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null) => (error ? reject(keyDatabaseError(error, where)) : resolve());
      if (action === 'begin') connection.beginTransaction(done);
      else if (action === 'commit') connection.commitTransaction(done);
      else connection.rollbackTransaction(done);
    });
  const session: KeyDatabaseSession = { run };
  return {
    sql: sqlserverSql,
    where,
    run,
    async transaction(work) {
      if (inTransaction) return work(session);
      inTransaction = true;
      try {
        await step('begin');
        const result = await work(session);
        await step('commit');
        return result;
      } catch (error) {
        await step('rollback').catch(() => undefined);
        throw keyDatabaseError(error, where);
      } finally {
        inTransaction = false;
      }
    },
  };
}
