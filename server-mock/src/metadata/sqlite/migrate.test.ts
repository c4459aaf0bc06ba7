import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { applyMigrations, readSchemaVersion, type Migration } from './migrate.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrateDatabase } from './migrations/index.js';
import { SchemaMigrationError } from './schema-migration-error.js';

const step = (version: number, sql: string): Migration => ({
  version,
  name: `step-${version}`,
  up: (db) => db.exec(sql),
});

describe('server schema migrations', () => {
  it('bring an empty database to the latest schema and are idempotent', () => {
    const db = new Database(':memory:');
    expect(migrateDatabase(db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(readSchemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(migrateDatabase(db)).toEqual([]);
    db.close();
  });

  it('refuse a database from a newer server, changing nothing', () => {
    const db = new Database(':memory:');
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    let caught: unknown;
    try {
      migrateDatabase(db);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SchemaMigrationError);
    expect(caught).toMatchObject({ reason: 'schema_too_new', code: 'unavailable' });
    expect(readSchemaVersion(db)).toBe(LATEST_SCHEMA_VERSION + 1);
    db.close();
  });

  it('roll back a failing step whole, keeping the earlier ones', () => {
    const db = new Database(':memory:');
    const steps = [
      step(1, 'CREATE TABLE a (id TEXT PRIMARY KEY)'),
      step(2, 'CREATE TABLE b (id TEXT); INSERT INTO nowhere VALUES (1)'),
    ];
    expect(() => applyMigrations(db, steps)).toThrow(SchemaMigrationError);
    expect(readSchemaVersion(db)).toBe(1);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    expect(tables).toEqual([{ name: 'a' }]);
    db.close();
  });

  it('refuse a step that leaves foreign key violations, and keep the keys switched on after', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    const steps = [
      step(1, 'CREATE TABLE parent (id TEXT PRIMARY KEY)'),
      step(2, "CREATE TABLE child (p TEXT REFERENCES parent (id)); INSERT INTO child VALUES ('x')"),
    ];
    expect(() => applyMigrations(db, steps)).toThrow(/version 2 \(step-2\)/);
    expect(readSchemaVersion(db)).toBe(1);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('refuse a migration list with a gap', () => {
    const db = new Database(':memory:');
    expect(() => applyMigrations(db, [step(1, 'SELECT 1'), step(3, 'SELECT 1')])).toThrow(
      /not contiguous/,
    );
    db.close();
  });
});
