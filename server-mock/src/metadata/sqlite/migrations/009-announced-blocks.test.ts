import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateDatabase } from './index.js';

describe('migration 009 (announced blocks)', () => {
  it('upgrades a version-8 database: a pending file stays pending, with no announced list', () => {
    const db = new Database(':memory:');
    migrateDatabase(db, 8);
    db.exec(
      `INSERT INTO user (id, email, name, password_hash, quota_bytes, root_namespace, created_ms)
         VALUES ('u1', 'a@b.c', 'A', 'h', 1, 'ns1', 0);
       INSERT INTO namespace (id, kind, owner_id, created_ms) VALUES ('ns1', 'root', 'u1', 0);
       INSERT INTO file (id, namespace_id, path, is_dir, status, updated_ms)
         VALUES ('f1', 'ns1', '/coming.bin', 0, 'pending', 0);`,
    );
    expect(migrateDatabase(db, 9)).toEqual([9]);
    expect(db.prepare('SELECT status, pending_blocks FROM file WHERE id = ?').get('f1')).toEqual({
      status: 'pending',
      pending_blocks: null,
    });
    db.close();
  });
});
