/**
 * What the metadata store's table modules need of a database, the same for SQLite and
 * PostgreSQL: prepared statements (written in SQLite's dialect with `?` placeholders, which the
 * PostgreSQL context translates, sql-dialect.ts) and transactions. Statements run inside the
 * transaction of the async context that opened it (AsyncLocalStorage), so the modules need not
 * pass a connection around; a `write` inside a `write` is a savepoint.
 */

/** What a statement that changes rows reports. */
export interface SqlRunResult {
  readonly changes: number;
}

export interface SqlStatement {
  /** The first row, or undefined. */
  get(...params: unknown[]): Promise<unknown>;
  all(...params: unknown[]): Promise<unknown[]>;
  run(...params: unknown[]): Promise<SqlRunResult>;
}

export interface SqlContext {
  /** The statement for `sql`, prepared once. */
  stmt(sql: string): SqlStatement;
  /** A statement whose text varies (IN lists of any length): prepared for one use. */
  prepareOnce(sql: string): SqlStatement;
  /**
   * Runs `work` as one write transaction. Writers are serialised, as SQLite's one writer is:
   * SQLite by `BEGIN IMMEDIATE` behind an in-process queue, PostgreSQL by a transaction-level
   * advisory lock, so every module's read-then-write sees no other writer in between, on any
   * instance. Nested: a savepoint (a throw rolls back only the inner part).
   */
  write<T>(work: () => Promise<T>): Promise<T>;
  /** Runs `work` on one consistent snapshot (a read-only transaction). */
  read<T>(work: () => Promise<T>): Promise<T>;
}
