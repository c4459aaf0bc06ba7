import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateDatabase } from './index.js';

describe('migration 008 (folder conversions)', () => {
  it('upgrades a version-7 database with shares, keeping its data, and holds conversions', () => {
    const db = new Database(':memory:');
    migrateDatabase(db, 7);
    db.exec(
      `INSERT INTO user (id, email, name, password_hash, quota_bytes, root_namespace, created_ms)
         VALUES ('u1', 'a@b.c', 'A', 'h', 1, 'ns1', 0), ('u2', 'b@b.c', 'B', 'h', 1, 'ns3', 0);
       INSERT INTO namespace (id, kind, owner_id, created_ms)
         VALUES ('ns1', 'root', 'u1', 0), ('ns2', 'shared', 'u1', 0), ('ns3', 'root', 'u2', 0);
       INSERT INTO share (id, namespace_id, owner_id, recipient_id, role, created_ms)
         VALUES ('sh1', 'ns2', 'u1', 'u2', 'viewer', 0);
       INSERT INTO block (namespace_id, id, plain_size, encoded_size, refcount, last_access_ms,
         created_ms) VALUES ('ns2', 'b1', 5, 7, 1, 0, 0);`,
    );
    expect(migrateDatabase(db, 8)).toEqual([8]);
    expect(db.prepare('SELECT id, role FROM share').all()).toEqual([{ id: 'sh1', role: 'viewer' }]);
    expect(db.prepare('SELECT refcount FROM block').get()).toEqual({ refcount: 1 });
    db.exec(
      `INSERT INTO folder_conversion (id, kind, source_namespace, target_namespace, started_ms,
         touched_ms) VALUES ('cv1', 'unshare', 'ns2', 'ns1', 0, 0);
       INSERT INTO conversion_block (conversion_id, block_id) VALUES ('cv1', 'b1');`,
    );
    expect(() =>
      db.exec(
        `INSERT INTO folder_conversion (id, kind, source_namespace, target_namespace, started_ms,
           touched_ms) VALUES ('cv2', 'sideways', 'ns2', 'ns1', 0, 0)`,
      ),
    ).toThrow(/CHECK/);
    db.close();
  });
});
