import Database from 'better-sqlite3';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientStateError } from './client-state-error.js';
import { openClientState } from './client-state.js';
import { applyMigrations, readSchemaVersion, type Migration } from './migrate.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-migrate-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function tableNames(db: Database.Database): string[] {
  const rows = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .all() as { name: string }[];
  return rows.map((row) => row.name);
}

function caughtError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

describe('applyMigrations', () => {
  it('brings a new file to the latest version, then does nothing on the next open', () => {
    const path = join(dir, 'state.sqlite');
    const first = openClientState(path);
    expect(first.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    first.settings.set('kept', true);
    first.close();

    const db = new Database(path);
    expect(readSchemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(applyMigrations(db, MIGRATIONS)).toEqual({
      fromVersion: LATEST_SCHEMA_VERSION,
      toVersion: LATEST_SCHEMA_VERSION,
    });
    db.close();

    const second = openClientState(path);
    expect(second.settings.get('kept')).toBe(true);
    second.close();
  });

  it('refuses a database written by a newer schema and leaves it untouched', () => {
    const path = join(dir, 'future.sqlite');
    const future = new Database(path);
    future.exec('CREATE TABLE from_the_future (x INTEGER)');
    future.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    future.close();

    const error = caughtError(() => openClientState(path));
    expect(error).toBeInstanceOf(ClientStateError);
    expect((error as ClientStateError).code).toBe('state_schema_too_new');

    const after = new Database(path);
    expect(readSchemaVersion(after)).toBe(LATEST_SCHEMA_VERSION + 1);
    expect(tableNames(after)).toEqual(['from_the_future']);
    after.close();
  });

  it('rolls back a failing migration whole and keeps the steps before it', () => {
    const db = new Database(join(dir, 'failing.sqlite'));
    const failing: Migration = {
      version: 2,
      name: 'half-done',
      up(target) {
        target.exec('CREATE TABLE half_done (x INTEGER)');
        throw new Error('disk said no');
      },
    };
    const migrations = [MIGRATIONS[0]!, failing];

    const error = caughtError(() => applyMigrations(db, migrations));
    expect((error as ClientStateError).code).toBe('state_migration_failed');
    expect(((error as ClientStateError).cause as Error).message).toBe('disk said no');
    expect(readSchemaVersion(db)).toBe(1);
    expect(tableNames(db)).not.toContain('half_done');
    expect(tableNames(db)).toContain('outbox');
    db.close();
  });

  it('lets a migration rebuild a parent table without cascading into its children', () => {
    const db = new Database(join(dir, 'rebuild.sqlite'));
    db.pragma('foreign_keys = ON');
    applyMigrations(db, [MIGRATIONS[0]!]);
    db.exec(`
      INSERT INTO item VALUES ('i1', 'dir', 1);
      INSERT INTO local_item VALUES ('i1', 'dir', '/photos', '7', 0, 1.5, NULL, 2);
    `);
    // SQLite's 12-step table rebuild: with foreign keys on, DROP TABLE item would delete the
    // local_item row through ON DELETE CASCADE.
    const rebuildItem: Migration = {
      version: 2,
      name: 'rebuild-item',
      up(target) {
        target.exec(`
          CREATE TABLE item_new (id TEXT PRIMARY KEY, kind TEXT NOT NULL, created_ms INTEGER NOT NULL,
            note TEXT, UNIQUE (id, kind)) STRICT;
          INSERT INTO item_new (id, kind, created_ms) SELECT id, kind, created_ms FROM item;
          DROP TABLE item;
          ALTER TABLE item_new RENAME TO item;
        `);
      },
    };
    applyMigrations(db, [MIGRATIONS[0]!, rebuildItem]);
    expect(db.prepare('SELECT path FROM local_item').pluck().all()).toEqual(['/photos']);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('rejects a migration that leaves dangling foreign keys', () => {
    const db = new Database(join(dir, 'dangling.sqlite'));
    applyMigrations(db, [MIGRATIONS[0]!]);
    const dangling: Migration = {
      version: 2,
      name: 'dangling',
      up(target) {
        target.exec("INSERT INTO local_item VALUES ('ghost', 'dir', '/ghost', '1', 0, 1, NULL, 1)");
      },
    };
    const error = caughtError(() => applyMigrations(db, [MIGRATIONS[0]!, dangling]));
    expect((error as ClientStateError).code).toBe('state_migration_failed');
    expect(((error as ClientStateError).cause as Error).message).toMatch(/foreign key violation/);
    expect(readSchemaVersion(db)).toBe(1);
    expect(db.prepare('SELECT count(*) FROM local_item').pluck().get()).toBe(0);
    db.close();
  });

  it('rejects a migration list with a gap', () => {
    const db = new Database(':memory:');
    expect(() => applyMigrations(db, [MIGRATIONS[1]!])).toThrow(/not contiguous/);
    expect(readSchemaVersion(db)).toBe(0);
    db.close();
  });

  it('fails with state_open_failed on a file that is not a database', async () => {
    const path = join(dir, 'not-a-database.sqlite');
    await writeFile(
      path,
      'this is a text file, not SQLite, and it is long enough to matter'.repeat(20),
    );
    const error = caughtError(() => openClientState(path));
    expect((error as ClientStateError).code).toBe('state_open_failed');
  });
});
