import type Database from 'better-sqlite3';
import { ClientStateError } from './client-state-error.js';

/**
 * One schema step. `version` is its position (1, 2, 3…); `up` runs inside a transaction that
 * also records the version, so a step is either wholly applied or not at all.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Database.Database): void;
}

/** What {@link applyMigrations} did. */
export interface MigrationReport {
  readonly fromVersion: number;
  readonly toVersion: number;
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
  // IMMEDIATE takes the write lock up front, so a second process opening the same file waits
  // on the busy timeout instead of failing half-way through a read-then-write upgrade. The
  // version is read again inside the transaction: another process may have applied this step
  // while we waited for the lock.
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
    throw new ClientStateError(
      'state_migration_failed',
      `migrate local state to version ${migration.version} (${migration.name})`,
      { cause: error },
    );
  }
}

/**
 * Brings `db` up to the last of `migrations` (which must be numbered 1..N in order), one
 * transaction per migration, recording each in `PRAGMA user_version`. A crash between steps
 * leaves a database at a valid intermediate version that the next open continues from.
 *
 * @throws ClientStateError `state_schema_too_new` when the database is past the newest known
 *   migration (written by a newer Ferry: upgrading the app is the fix, not guessing), and
 *   `state_migration_failed` when a step throws (that step is rolled back, earlier ones stay).
 */
export function applyMigrations(
  db: Database.Database,
  migrations: readonly Migration[],
): MigrationReport {
  checkSequence(migrations);
  const fromVersion = readSchemaVersion(db);
  const latest = migrations.length;
  if (fromVersion > latest) {
    throw new ClientStateError(
      'state_schema_too_new',
      `local state ${db.name} has schema version ${fromVersion}, this Ferry knows up to ${latest}: update Ferry`,
    );
  }
  const pending = migrations.slice(fromVersion);
  if (pending.length === 0) return { fromVersion, toVersion: fromVersion };
  // Foreign keys off while migrating (the switch is ignored inside a transaction, so it is
  // flipped here): a table rebuild (SQLite's 12-step ALTER) drops and recreates tables, and
  // with keys on, dropping a parent would cascade-delete its children's rows. Each step checks
  // the keys itself before committing instead.
  const hadForeignKeys = db.pragma('foreign_keys', { simple: true }) === 1;
  db.pragma('foreign_keys = OFF');
  try {
    for (const migration of pending) applyOne(db, migration);
  } finally {
    if (hadForeignKeys) db.pragma('foreign_keys = ON');
  }
  return { fromVersion, toVersion: readSchemaVersion(db) };
}
