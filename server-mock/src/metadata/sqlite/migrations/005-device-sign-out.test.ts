import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateDatabase } from './index.js';

describe('migration 005 (device sign-out)', () => {
  it('upgrades a version-4 database: devices stay signed in, history keeps their names', () => {
    const db = new Database(':memory:');
    migrateDatabase(db, 4);
    db.exec(
      `INSERT INTO user (id, email, name, password_hash, quota_bytes, root_namespace, created_ms)
         VALUES ('u1', 'a@b.c', 'A', 'h', 1, 'ns1', 0);
       INSERT INTO namespace (id, kind, owner_id, created_ms) VALUES ('ns1', 'root', 'u1', 0);
       INSERT INTO device (id, user_id, name, token_hash, created_ms, last_seen_ms)
         VALUES ('d1', 'u1', 'laptop', x'01', 5, 7);
       INSERT INTO file (id, namespace_id, path, is_dir, updated_ms) VALUES ('f1', 'ns1', '/a', 0, 0);
       INSERT INTO file_version (rev, file_id, namespace_id, size, content_hash, blocks,
           modified_ms, device_id, author_id, committed_ms, ordinal)
         VALUES ('r1', 'f1', 'ns1', 0, 'h', '[]', 0, 'd1', 'u1', 0, 1);`,
    );
    expect(migrateDatabase(db, 5)).toEqual([5]);
    expect(db.prepare('SELECT * FROM device').all()).toEqual([
      {
        id: 'd1',
        user_id: 'u1',
        name: 'laptop',
        token_hash: Buffer.from([1]),
        push_id: null,
        created_ms: 5,
        last_seen_ms: 7,
        revoked_ms: null,
      },
    ]);
    // Signing out marks the row; the version still finds its device's name.
    db.prepare('UPDATE device SET revoked_ms = 9 WHERE id = ?').run('d1');
    expect(
      db
        .prepare(
          `SELECT d.name AS device_name FROM file_version v
           LEFT JOIN device d ON d.id = v.device_id WHERE v.rev = 'r1'`,
        )
        .get(),
    ).toEqual({ device_name: 'laptop' });
    db.close();
  });
});
