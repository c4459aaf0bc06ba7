import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateDatabase } from './index.js';

describe('migration 001 (initial schema)', () => {
  it('creates every table of an empty database, with working foreign keys', () => {
    const db = new Database(':memory:');
    expect(migrateDatabase(db, 1)).toEqual([1]);
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[]
    ).map((t) => t.name);
    for (const table of [
      'user',
      'device',
      'namespace',
      'file',
      'file_version',
      'block',
      'journal',
    ]) {
      expect(tables).toContain(table);
    }
    db.pragma('foreign_keys = ON');
    expect(() =>
      db
        .prepare(
          "INSERT INTO namespace (id, kind, owner_id, created_ms) VALUES ('n', 'root', 'nobody', 0)",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    db.close();
  });
});
