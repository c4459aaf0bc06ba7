import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateDatabase } from './index.js';

describe('migration 002 (resumable upload sessions)', () => {
  it('upgrades a version-1 database with data, keeping it, and sessions can be recorded', () => {
    const db = new Database(':memory:');
    migrateDatabase(db, 1);
    db.exec(
      `INSERT INTO user (id, email, name, password_hash, quota_bytes, root_namespace, created_ms)
         VALUES ('u1', 'a@b.c', 'A', 'h', 1, 'ns1', 0);
       INSERT INTO namespace (id, kind, owner_id, created_ms) VALUES ('ns1', 'root', 'u1', 0);`,
    );
    expect(migrateDatabase(db, 2)).toEqual([2]);
    expect(db.prepare('SELECT email FROM user').get()).toEqual({ email: 'a@b.c' });
    db.prepare(
      `INSERT INTO upload_session (id, user_id, device_id, namespace_id, path, user_path,
         total_bytes, modified_ms, created_ms, expires_ms)
       VALUES ('up1', 'u1', 'd1', 'ns1', '/a', '/a', 10, 0, 0, 1)`,
    ).run();
    expect(db.prepare('SELECT received_bytes FROM upload_session').get()).toEqual({
      received_bytes: 0,
    });
    db.close();
  });
});
