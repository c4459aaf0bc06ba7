import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { applyMigrations, readSchemaVersion } from '../migrate.js';
import { migration001Initial } from './001-initial.js';

describe('migration 001 (initial)', () => {
  it('creates every table of the local state on an empty database', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    expect(applyMigrations(db, [migration001Initial])).toEqual({ fromVersion: 0, toVersion: 1 });
    expect(readSchemaVersion(db)).toBe(1);
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .pluck()
      .all();
    expect(tables).toEqual([
      'conflict',
      'item',
      'item_block',
      'local_item',
      'outbox',
      'remote_item',
      'server_cursor',
      'setting',
      'synced_item',
    ]);
    // STRICT: a value of the wrong type is rejected, not stored as text.
    expect(() =>
      db.prepare("INSERT INTO item (id, kind, created_ms) VALUES ('i', 'file', 'yesterday')").run(),
    ).toThrow(/cannot store TEXT value in INTEGER column/);
    db.close();
  });
});
