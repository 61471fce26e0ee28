import type { KeyDatabaseSql } from './dialects/key-database-sql.js';

/** A value bound to a statement parameter; never spliced into SQL text. */
export type SqlParam =
  | string
  | number
  | boolean
  | Buffer
  | Date
  | null
  | string[]
  | number[]
  | Buffer[]
  | Date[];

/** One parameterized statement in the dialect's placeholder style ($1 for PostgreSQL, @p1 for SQL Server). */
export interface SqlStatement {
  text: string;
  params: SqlParam[];
}

export type SqlRow = Record<string, unknown>;

/** Runs statements on one connection (inside or outside a transaction). */
export interface KeyDatabaseSession {
  run(statement: SqlStatement): Promise<SqlRow[]>;
}

/**
 * The key database as the core sees it: one connection, its dialect's statements, and
 * transactions. Driver errors come out as HdsError (DB_UNREACHABLE, DB_PERMISSION…), so the
 * core never sees a driver's own error type.
 */
export interface KeyDatabase extends KeyDatabaseSession {
  readonly sql: KeyDatabaseSql;
  /** `<host>/<database>`, for messages such as ISO_DB_MISMATCH. */
  readonly where: string;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws. A
   * transaction begun inside `work` joins this one (so two steps can commit together).
   */
  transaction<T>(work: (tx: KeyDatabaseSession) => Promise<T>): Promise<T>;
}
