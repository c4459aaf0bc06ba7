import type { Migration } from '../migrate.js';

/**
 * Schema version 3: shares.
 */
const SQL = `
-- A shared namespace given to one recipient with a role. The recipient's root holds the mount
-- (a file row with mount_namespace = namespace_id); the owner's root holds one too.
CREATE TABLE share (
  id TEXT PRIMARY KEY,
  namespace_id TEXT NOT NULL REFERENCES namespace(id),
  owner_id TEXT NOT NULL REFERENCES user(id),
  recipient_id TEXT NOT NULL REFERENCES user(id),
  role TEXT NOT NULL CHECK (role IN ('viewer', 'editor')),
  created_ms INTEGER NOT NULL,
  UNIQUE (namespace_id, recipient_id)
);
CREATE INDEX share_by_recipient ON share(recipient_id);
CREATE INDEX share_by_owner ON share(owner_id);
`;

/** Schema version 3: shares. */
export const migration003Shares: Migration = {
  version: 3,
  name: 'shares',
  up(db) {
    db.exec(SQL);
  },
};
