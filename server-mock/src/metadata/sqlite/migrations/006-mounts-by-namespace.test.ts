import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateDatabase } from './index.js';

describe('migration 006 (mount rows by the namespace they mount)', () => {
  it('upgrades a version-4 database: mount points of a namespace are found by index, data kept', () => {
    const db = new Database(':memory:');
    migrateDatabase(db, 5);
    db.exec(
      `INSERT INTO user (id, email, name, password_hash, quota_bytes, root_namespace, created_ms)
         VALUES ('u1', 'a@b.c', 'A', 'h', 1, 'ns1', 0);
       INSERT INTO namespace (id, kind, owner_id, created_ms) VALUES ('ns1', 'root', 'u1', 0);
       INSERT INTO file (id, namespace_id, path, is_dir, updated_ms) VALUES ('f1', 'ns1', '/a', 0, 0);
       INSERT INTO file (id, namespace_id, path, is_dir, mount_namespace, mount_role, updated_ms)
         VALUES ('f2', 'ns1', '/Deep/Shared', 1, 'ns2', 'editor', 0);
       INSERT INTO file (id, namespace_id, path, is_dir, deleted, mount_namespace, updated_ms)
         VALUES ('f3', 'ns1', '/Gone', 1, 1, 'ns2', 0);`,
    );
    expect(migrateDatabase(db, 6)).toEqual([6]);
    // The query of path-limits.ts: the longest live mount point of a namespace.
    const longest = `SELECT MAX(length(CAST(path AS BLOB))) AS bytes FROM file
      WHERE mount_namespace = ? AND deleted = 0`;
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${longest}`).all('ns2') as { detail: string }[];
    expect(plan.map((step) => step.detail).join('; ')).toMatch(/USING INDEX file_by_mount/);
    expect(db.prepare(longest).get('ns2')).toEqual({ bytes: '/Deep/Shared'.length });
    expect(db.prepare('SELECT id FROM file ORDER BY id').all()).toEqual([
      { id: 'f1' },
      { id: 'f2' },
      { id: 'f3' },
    ]);
    db.close();
  });
});
