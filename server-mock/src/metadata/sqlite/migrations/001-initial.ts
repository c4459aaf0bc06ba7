import type { Migration } from '../migrate.js';

/**
 * Schema version 1 of the server database. Every table and every non-obvious column is commented
 * here; later versions are new files in migrations/, never edits of this one.
 */
const SQL = `
-- A person with an account. Email is stored lowercased and unique.
CREATE TABLE user (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  -- scrypt$N$r$p$salt$hash (base64 parts), see auth/password-hashing.ts
  password_hash TEXT NOT NULL,
  quota_bytes INTEGER NOT NULL,
  root_namespace TEXT NOT NULL,
  created_ms INTEGER NOT NULL
);

-- A logged-in device session. The bearer token is never stored, only its SHA-256.
CREATE TABLE device (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES user(id),
  name TEXT NOT NULL,
  token_hash BLOB NOT NULL UNIQUE,
  -- reserved for a push-notification registration id
  push_id TEXT,
  created_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL
);
CREATE INDEX device_by_user ON device(user_id);

-- A tree of files with its own journal and data key: a user's root, or a shared folder.
CREATE TABLE namespace (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('root', 'shared')),
  -- whose quota the namespace's blocks count against
  owner_id TEXT NOT NULL REFERENCES user(id),
  -- newest journal seq; the journal's seq values are 1..last_seq with gaps from compaction
  last_seq INTEGER NOT NULL DEFAULT 0,
  -- deleted-entry tombstones with seq <= pruned_seq were dropped: older cursors get 410
  pruned_seq INTEGER NOT NULL DEFAULT 0,
  -- plaintext bytes of the blocks held (sum of block.plain_size)
  used_bytes INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL
);
CREATE INDEX namespace_by_owner ON namespace(owner_id);

-- The namespace's 32-byte data key, AES-256-GCM-wrapped by the server's master key.
CREATE TABLE namespace_key (
  namespace_id TEXT PRIMARY KEY REFERENCES namespace(id),
  wrapped_key BLOB NOT NULL,
  created_ms INTEGER NOT NULL
);

-- The latest state of every file and folder. id is the stable file id: a move changes path, not
-- id, so history follows. A deleted row stays (deleted = 1) so its history can be listed and a
-- file re-created at its path continues it. Only one live row per path.
CREATE TABLE file (
  id TEXT PRIMARY KEY,
  namespace_id TEXT NOT NULL REFERENCES namespace(id),
  path TEXT NOT NULL,
  is_dir INTEGER NOT NULL,
  -- current version (files); NULL for folders and for a file announced but never committed
  rev TEXT,
  size INTEGER NOT NULL DEFAULT 0,
  -- SHA-256 of the concatenated raw block ids (see protocol/file-types.ts)
  content_hash TEXT,
  modified_ms INTEGER,
  -- 'pending' between an announce and its commit
  status TEXT NOT NULL DEFAULT 'uploaded' CHECK (status IN ('pending', 'uploaded')),
  deleted INTEGER NOT NULL DEFAULT 0,
  -- folders only: a shared namespace mounted here, and this namespace owner's role in it
  mount_namespace TEXT,
  mount_role TEXT,
  updated_ms INTEGER NOT NULL
);
CREATE UNIQUE INDEX file_live_path ON file(namespace_id, path) WHERE deleted = 0;
CREATE INDEX file_by_path ON file(namespace_id, path, updated_ms);

-- Immutable versions of files. blocks is a JSON array of block ids in file order.
CREATE TABLE file_version (
  rev TEXT PRIMARY KEY,
  file_id TEXT NOT NULL REFERENCES file(id),
  namespace_id TEXT NOT NULL REFERENCES namespace(id),
  size INTEGER NOT NULL,
  content_hash TEXT NOT NULL,
  blocks TEXT NOT NULL,
  modified_ms INTEGER NOT NULL,
  -- NULL when the device was removed or the server made the version (simple upload keeps it)
  device_id TEXT,
  author_id TEXT NOT NULL REFERENCES user(id),
  committed_ms INTEGER NOT NULL,
  -- orders versions of one file even within the same millisecond
  ordinal INTEGER NOT NULL
);
CREATE INDEX file_version_by_file ON file_version(file_id, ordinal);

-- Blocks a namespace holds (the bytes are in the block store). refcount = number of versions
-- naming the block; 0 means garbage once older than the GC grace period.
CREATE TABLE block (
  namespace_id TEXT NOT NULL,
  id TEXT NOT NULL,
  plain_size INTEGER NOT NULL,
  encoded_size INTEGER NOT NULL,
  tier TEXT NOT NULL DEFAULT 'hot' CHECK (tier IN ('hot', 'cold')),
  refcount INTEGER NOT NULL DEFAULT 0,
  last_access_ms INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (namespace_id, id)
) WITHOUT ROWID;
CREATE INDEX block_unreferenced ON block(created_ms) WHERE refcount = 0;
CREATE INDEX block_by_access ON block(tier, last_access_ms);

-- Per-namespace change log. Compacted on write: a new entry for a path replaces older entries
-- for the same path, so replaying from seq 0 yields the current tree plus tombstones.
CREATE TABLE journal (
  namespace_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  tag TEXT NOT NULL CHECK (tag IN ('file', 'folder', 'deleted')),
  path TEXT NOT NULL,
  file_id TEXT NOT NULL,
  rev TEXT,
  size INTEGER NOT NULL DEFAULT 0,
  content_hash TEXT,
  modified_ms INTEGER,
  status TEXT NOT NULL DEFAULT 'uploaded',
  -- for the new side of a move: the old path
  moved_from TEXT,
  mount_namespace TEXT,
  mount_role TEXT,
  time_ms INTEGER NOT NULL,
  PRIMARY KEY (namespace_id, seq)
) WITHOUT ROWID;
CREATE INDEX journal_by_path ON journal(namespace_id, path);
CREATE INDEX journal_tombstones ON journal(time_ms) WHERE tag = 'deleted';

-- User-facing activity: who did what, where.
CREATE TABLE event (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  namespace_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  path TEXT NOT NULL,
  from_path TEXT,
  actor_id TEXT NOT NULL,
  device_id TEXT,
  time_ms INTEGER NOT NULL
);
CREATE INDEX event_by_namespace ON event(namespace_id, id);
`;

/** Schema version 1: initial schema. */
export const migration001Initial: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(SQL);
  },
};
