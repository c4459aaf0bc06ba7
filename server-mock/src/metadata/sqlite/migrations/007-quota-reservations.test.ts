/**
 * Migration 007 (quota reservations) upgrades a version-6 database: the table exists, and each
 * open resumable session keeps its declared size as its reservation, charged to the owner of its
 * namespace (sessions were counted from upload_session before).
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateDatabase } from './index.js';

describe('migration 007 (quota reservations)', () => {
  it('upgrades a version-6 database: open sessions keep their size reserved', () => {
    const db = new Database(':memory:');
    migrateDatabase(db, 6);
    db.exec(
      `INSERT INTO user (id, email, name, password_hash, quota_bytes, root_namespace, created_ms)
         VALUES ('u1', 'a@b.c', 'A', 'h', 100, 'ns1', 0), ('u2', 'b@b.c', 'B', 'h', 100, 'ns2', 0);
       INSERT INTO namespace (id, kind, owner_id, created_ms)
         VALUES ('ns1', 'root', 'u1', 0), ('ns2', 'root', 'u2', 0), ('ns3', 'shared', 'u1', 0);
       INSERT INTO upload_session (id, user_id, device_id, namespace_id, path, user_path,
           total_bytes, received_bytes, modified_ms, created_ms, expires_ms)
         VALUES ('up1', 'u1', 'd1', 'ns1', '/a', '/a', 10, 4, 0, 0, 1000),
                ('up2', 'u2', 'd2', 'ns3', '/b', '/Shared/b', 20, 0, 0, 0, 2000);`,
    );
    expect(migrateDatabase(db, 7)).toEqual([7]);
    const rows = db
      .prepare(
        'SELECT id, owner_id, namespace_id, bytes, expires_ms FROM quota_reservation ORDER BY id',
      )
      .all();
    // An editor's session into a shared namespace reserves its owner's quota.
    expect(rows).toEqual([
      { id: 'up1', owner_id: 'u1', namespace_id: 'ns1', bytes: 10, expires_ms: 1000 },
      { id: 'up2', owner_id: 'u1', namespace_id: 'ns3', bytes: 20, expires_ms: 2000 },
    ]);
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT SUM(bytes) FROM quota_reservation
         WHERE owner_id = ? AND expires_ms >= ?`,
      )
      .all('u1', 0) as { detail: string }[];
    expect(plan.map((step) => step.detail).join('; ')).toMatch(/quota_reservation_by_owner/);
    db.close();
  });
});
