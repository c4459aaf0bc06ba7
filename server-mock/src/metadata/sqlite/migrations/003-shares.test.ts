import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateDatabase } from './index.js';

describe('migration 003 (shares)', () => {
  it('upgrades a version-2 database: shares can be recorded once per recipient', () => {
    const db = new Database(':memory:');
    migrateDatabase(db, 2);
    db.exec(
      `INSERT INTO user (id, email, name, password_hash, quota_bytes, root_namespace, created_ms)
         VALUES ('u1', 'a@b.c', 'A', 'h', 1, 'ns1', 0), ('u2', 'b@b.c', 'B', 'h', 1, 'ns2', 0);
       INSERT INTO namespace (id, kind, owner_id, created_ms)
         VALUES ('ns1', 'root', 'u1', 0), ('ns2', 'root', 'u2', 0), ('ns3', 'shared', 'u1', 0);`,
    );
    expect(migrateDatabase(db, 3)).toEqual([3]);
    const share = db.prepare(
      `INSERT INTO share (id, namespace_id, owner_id, recipient_id, role, created_ms)
       VALUES (?, 'ns3', 'u1', 'u2', 'editor', 0)`,
    );
    share.run('s1');
    expect(() => share.run('s2')).toThrow(/UNIQUE/);
    expect(db.prepare('SELECT count(*) AS n FROM user').get()).toEqual({ n: 2 });
    db.close();
  });
});
