/**
 * The open database plus a prepared-statement cache, shared by the table-group modules.
 * better-sqlite3 is synchronous: each call blocks the event loop, so statements stay small and
 * transactions short.
 */
import Database from 'better-sqlite3';
import { migrateDatabase } from './migrations.js';

export class SqliteContext {
  readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    this.db = db;
  }

  /** The prepared statement for `sql`, prepared once. */
  stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** A statement prepared for one use (SQL whose text varies, e.g. IN lists of any length). */
  prepareOnce(sql: string): Database.Statement {
    return this.db.prepare(sql);
  }

  /** Runs `work` in a transaction (IMMEDIATE: takes the write lock up front, no upgrade deadlock). */
  write<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }
}

/**
 * Opens (creating when absent) the database at `file` in WAL mode with foreign keys on, and
 * migrates it to the latest schema. `:memory:` works for throwaway stores.
 */
export function openSqliteContext(file: string): SqliteContext {
  const db = new Database(file);
  // WAL: readers never block the writer; synchronous=FULL so a committed transaction survives
  // power loss, not only a process crash (SPEC "No data loss").
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrateDatabase(db);
  return new SqliteContext(db);
}
