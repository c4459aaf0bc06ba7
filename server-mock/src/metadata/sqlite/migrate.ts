/**
 * Versioned schema migrations of the server database, in the same shape as the client's
 * (sync-engine/src/state/migrate.ts): one file per migration under migrations/, applied in
 * order, each in its own IMMEDIATE transaction that also records `PRAGMA user_version`, with
 * foreign keys checked before it commits. A database newer than this code is refused rather
 * than misread.
 */
import type Database from 'better-sqlite3';
import { SchemaMigrationError } from './schema-migration-error.js';

/**
 * One schema step. `version` is its position (1, 2, 3…); `up` runs inside a transaction that
 * also records the version, so a step is either wholly applied or not at all.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Database.Database): void;
}

/** The schema version recorded in the database header (`PRAGMA user_version`); 0 when new. */
export function readSchemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function checkSequence(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `migration list is not contiguous: position ${index + 1} holds version ${migration.version} (${migration.name})`,
      );
    }
  });
}

function applyOne(db: Database.Database, migration: Migration): void {
  // IMMEDIATE takes the write lock up front, so a second server opening the same file waits on
  // the busy timeout instead of failing half-way through a read-then-write upgrade. The version
  // is read again inside the transaction: the other server may have applied this step already.
  const step = db.transaction(() => {
    if (readSchemaVersion(db) >= migration.version) return;
    migration.up(db);
    const violations = db.pragma('foreign_key_check') as unknown[];
    if (violations.length > 0) {
      throw new Error(`leaves ${violations.length} foreign key violation(s)`);
    }
    db.pragma(`user_version = ${migration.version}`);
  });
  try {
    step.immediate();
  } catch (error) {
    throw new SchemaMigrationError(
      'migration_failed',
      `migrate the server database to version ${migration.version} (${migration.name})`,
      { cause: error },
    );
  }
}

/**
 * Brings `db` up to the last of `migrations` (numbered 1..N in order). Returns the versions
 * applied. A crash between steps leaves a valid intermediate version the next start continues.
 *
 * @throws SchemaMigrationError `schema_too_new` when the database is past the newest known
 *   migration, `migration_failed` when a step throws (that step is rolled back).
 */
export function applyMigrations(db: Database.Database, migrations: readonly Migration[]): number[] {
  checkSequence(migrations);
  const fromVersion = readSchemaVersion(db);
  if (fromVersion > migrations.length) {
    throw new SchemaMigrationError(
      'schema_too_new',
      `database schema ${fromVersion} is newer than this server understands (${migrations.length}): update Ferry`,
    );
  }
  const pending = migrations.slice(fromVersion);
  // Foreign keys off while migrating (the switch is ignored inside a transaction): a table
  // rebuild drops and recreates tables, and with keys on, dropping a parent would cascade.
  // Each step checks the keys itself before committing instead.
  const hadForeignKeys = db.pragma('foreign_keys', { simple: true }) === 1;
  db.pragma('foreign_keys = OFF');
  try {
    for (const migration of pending) applyOne(db, migration);
  } finally {
    if (hadForeignKeys) db.pragma('foreign_keys = ON');
  }
  return pending.map((m) => m.version);
}
