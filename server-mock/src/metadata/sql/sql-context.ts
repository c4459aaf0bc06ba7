/**
 * What the metadata store's table modules need of a database, the same for SQLite and
 * PostgreSQL: prepared statements (written in SQLite's dialect with `?` placeholders, which the
 * PostgreSQL context translates, sql-dialect.ts) and transactions. Statements run inside the
 * transaction of the async context that opened it (AsyncLocalStorage), so the modules need not
 * pass a connection around; a `write` inside a `write` is a savepoint.
 */

/**
 * What a scoped write may touch: reads and writes of rows of `namespaces` and of other
 * namespaces with the same owners (their used bytes and quota reservations), reads of the writer's
 * mount rows (changed only by unscoped writes), and insertSequenced() rows. Writes of one owner
 * stay serialised; an unscoped write still excludes every other. `namespaces: []` is a write
 * of single statements that need no exclusion at all (releasing a quota reservation by id).
 */
export interface WriteScope {
  readonly namespaces: readonly string[];
}

/** The scope of a write of single statements, which needs no writer excluded (WriteScope). */
export const NO_EXCLUSION: WriteScope = { namespaces: [] };

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
   * Runs `work` as one write transaction. Without a scope, writers are serialised, as SQLite's
   * one writer is: SQLite by `BEGIN IMMEDIATE` behind an in-process queue, PostgreSQL by a
   * transaction-level advisory lock, so every module's read-then-write sees no other writer in
   * between, on any instance. With a scope (WriteScope), PostgreSQL lets writes of different
   * owners run at once; SQLite ignores it. Nested: a savepoint (a throw rolls back only the
   * inner part) inside the outer write's locks; a nested scope must be within the outer one.
   */
  write<T>(work: () => Promise<T>, scope?: WriteScope): Promise<T>;
  /**
   * Inside a write: an INSERT of a row numbered by a sequence shared by every namespace (the
   * activity events, read back "after id N"), whose numbers must commit in the order they are
   * drawn, so that a reader past N never misses a row that commits later with a smaller number.
   * SQLite runs it at once (one writer). PostgreSQL, where scoped writes commit side by side,
   * sends it with the COMMIT under a lock held only there, one round trip: nothing in the
   * transaction may read the row back.
   */
  insertSequenced(sql: string, ...params: unknown[]): Promise<void>;
  /** Runs `work` on one consistent snapshot (a read-only transaction). */
  read<T>(work: () => Promise<T>): Promise<T>;
}
