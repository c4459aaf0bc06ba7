import type { Migration } from '../migrate.js';

/**
 * Schema version 7: quota reservations .
 */
const SQL = `
-- Quota held for uploads in progress: a simple upload, a block PUT, or a resumable session (then
-- id = upload_session.id). A reservation is written only in the transaction that checked that
-- the owner's used bytes, plus every open reservation, plus it fit the quota; recording a block
-- moves its plaintext size from here into namespace.used_bytes. On start, the embedded server
-- drops every reservation that is not a session's (what a crash left of in-flight requests).
CREATE TABLE quota_reservation (
  id TEXT PRIMARY KEY,
  -- whose quota: the owner of namespace_id when the bytes were reserved
  owner_id TEXT NOT NULL REFERENCES user(id),
  namespace_id TEXT NOT NULL REFERENCES namespace(id),
  -- plaintext bytes still held
  bytes INTEGER NOT NULL CHECK (bytes >= 0),
  -- not counted after this (a request or session a crash abandoned); the policy deletes it
  expires_ms INTEGER NOT NULL
);
CREATE INDEX quota_reservation_by_owner ON quota_reservation(owner_id, expires_ms);
CREATE INDEX quota_reservation_expiry ON quota_reservation(expires_ms);

-- Sessions opened before this version held their declared size (counted from upload_session
-- then); they keep it as their reservation.
INSERT INTO quota_reservation (id, owner_id, namespace_id, bytes, expires_ms)
  SELECT s.id, n.owner_id, s.namespace_id, s.total_bytes, s.expires_ms
  FROM upload_session s JOIN namespace n ON n.id = s.namespace_id;
`;

/** Schema version 7: quota reservations. */
export const migration007QuotaReservations: Migration = {
  version: 7,
  name: 'quota-reservations',
  up(db) {
    db.exec(SQL);
  },
};
