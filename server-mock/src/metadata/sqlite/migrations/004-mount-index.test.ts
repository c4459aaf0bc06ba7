import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateDatabase } from './index.js';

describe('migration 004 (mount index)', () => {
  it('upgrades a version-3 database: mount lookups use the new partial index', () => {
    const db = new Database(':memory:');
    migrateDatabase(db, 3);
    db.exec(
      `INSERT INTO user (id, email, name, password_hash, quota_bytes, root_namespace, created_ms)
         VALUES ('u1', 'a@b.c', 'A', 'h', 1, 'ns1', 0);
       INSERT INTO namespace (id, kind, owner_id, created_ms) VALUES ('ns1', 'root', 'u1', 0);
       INSERT INTO file (id, namespace_id, path, is_dir, updated_ms) VALUES ('f1', 'ns1', '/a', 0, 0);
       INSERT INTO file (id, namespace_id, path, is_dir, mount_namespace, mount_role, updated_ms)
         VALUES ('f2', 'ns1', '/Shared', 1, 'ns2', 'editor', 0);
       INSERT INTO file (id, namespace_id, path, is_dir, deleted, mount_namespace, updated_ms)
         VALUES ('f3', 'ns1', '/Gone', 1, 1, 'ns3', 0);`,
    );
    expect(migrateDatabase(db, 4)).toEqual([4]);
    const mounts = `SELECT id FROM file WHERE namespace_id = ? AND deleted = 0
      AND mount_namespace IS NOT NULL ORDER BY path`;
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${mounts}`).all('ns1') as { detail: string }[];
    expect(plan.map((step) => step.detail).join('; ')).toMatch(/USING INDEX file_mounts/);
    expect(db.prepare(mounts).all('ns1')).toEqual([{ id: 'f2' }]);
    db.close();
  });
});
