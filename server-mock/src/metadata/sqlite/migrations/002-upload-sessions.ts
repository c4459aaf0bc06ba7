import type { Migration } from '../migrate.js';

/**
 * Schema version 2: resumable upload sessions.
 */
const SQL = `
-- A resumable upload in progress. The bytes live in <dataDir>/uploads/<id>.part; received_bytes
-- counts those known durable (fsynced), so a restart resumes from there.
CREATE TABLE upload_session (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES user(id),
  device_id TEXT NOT NULL,
  namespace_id TEXT NOT NULL REFERENCES namespace(id),
  -- path inside the namespace, and as the user named it (they differ under a mounted share)
  path TEXT NOT NULL,
  user_path TEXT NOT NULL,
  total_bytes INTEGER NOT NULL,
  received_bytes INTEGER NOT NULL DEFAULT 0,
  -- the revision the upload is based on; NULL overwrites
  parent_rev TEXT,
  modified_ms INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL
);
CREATE INDEX upload_session_expiry ON upload_session(expires_ms);
`;

/** Schema version 2: resumable upload sessions. */
export const migration002UploadSessions: Migration = {
  version: 2,
  name: 'upload-sessions',
  up(db) {
    db.exec(SQL);
  },
};
