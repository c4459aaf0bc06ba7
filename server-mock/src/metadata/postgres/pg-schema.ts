/**
 * The PostgreSQL schema: the tables of the SQLite store (sqlite/migrations/) at their latest
 * version, in PostgreSQL's types. Integers are BIGINT (sizes and epoch milliseconds exceed 2^31;
 * the pool reads them back as numbers, pg-context.ts), binary columns BYTEA, flags stay 0/1
 * integers as the statements compare them so, and paths are compared byte by byte (`COLLATE "C"`)
 * because subtree queries select the range [folder/, folder0). Versioned like SQLite's: a
 * `ferry_schema` row holds the version; instances migrate under an advisory lock.
 */

export interface PgMigration {
  readonly version: number;
  readonly sql: string;
}

const V1 = `
CREATE TABLE "user" (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  quota_bytes BIGINT NOT NULL,
  root_namespace TEXT NOT NULL,
  created_ms BIGINT NOT NULL
);
CREATE TABLE device (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES "user"(id),
  name TEXT NOT NULL,
  token_hash BYTEA NOT NULL UNIQUE,
  push_id TEXT,
  created_ms BIGINT NOT NULL,
  last_seen_ms BIGINT NOT NULL,
  revoked_ms BIGINT
);
CREATE INDEX device_by_user ON device(user_id);
CREATE TABLE namespace (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('root', 'shared')),
  owner_id TEXT NOT NULL REFERENCES "user"(id),
  last_seq BIGINT NOT NULL DEFAULT 0,
  pruned_seq BIGINT NOT NULL DEFAULT 0,
  used_bytes BIGINT NOT NULL DEFAULT 0,
  created_ms BIGINT NOT NULL
);
CREATE INDEX namespace_by_owner ON namespace(owner_id);
CREATE TABLE namespace_key (
  namespace_id TEXT PRIMARY KEY REFERENCES namespace(id),
  wrapped_key BYTEA NOT NULL,
  created_ms BIGINT NOT NULL
);
CREATE TABLE file (
  id TEXT PRIMARY KEY,
  namespace_id TEXT NOT NULL REFERENCES namespace(id),
  path TEXT COLLATE "C" NOT NULL,
  is_dir INTEGER NOT NULL,
  rev TEXT,
  size BIGINT NOT NULL DEFAULT 0,
  content_hash TEXT,
  modified_ms BIGINT,
  status TEXT NOT NULL DEFAULT 'uploaded' CHECK (status IN ('pending', 'uploaded')),
  deleted INTEGER NOT NULL DEFAULT 0,
  mount_namespace TEXT,
  mount_role TEXT,
  updated_ms BIGINT NOT NULL,
  pending_blocks TEXT
);
CREATE UNIQUE INDEX file_live_path ON file(namespace_id, path) WHERE deleted = 0;
CREATE INDEX file_by_path ON file(namespace_id, path, updated_ms);
CREATE INDEX file_mounts ON file(namespace_id, path) WHERE mount_namespace IS NOT NULL AND deleted = 0;
CREATE INDEX file_by_mount ON file(mount_namespace) WHERE mount_namespace IS NOT NULL AND deleted = 0;
CREATE TABLE file_version (
  rev TEXT PRIMARY KEY,
  file_id TEXT NOT NULL REFERENCES file(id),
  namespace_id TEXT NOT NULL REFERENCES namespace(id),
  size BIGINT NOT NULL,
  content_hash TEXT NOT NULL,
  blocks TEXT NOT NULL,
  modified_ms BIGINT NOT NULL,
  device_id TEXT,
  author_id TEXT NOT NULL REFERENCES "user"(id),
  committed_ms BIGINT NOT NULL,
  ordinal BIGINT NOT NULL
);
CREATE INDEX file_version_by_file ON file_version(file_id, ordinal);
CREATE TABLE block (
  namespace_id TEXT NOT NULL,
  id TEXT NOT NULL,
  plain_size BIGINT NOT NULL,
  encoded_size BIGINT NOT NULL,
  tier TEXT NOT NULL DEFAULT 'hot' CHECK (tier IN ('hot', 'cold')),
  refcount BIGINT NOT NULL DEFAULT 0,
  last_access_ms BIGINT NOT NULL,
  created_ms BIGINT NOT NULL,
  PRIMARY KEY (namespace_id, id)
);
CREATE INDEX block_unreferenced ON block(created_ms) WHERE refcount = 0;
CREATE INDEX block_by_access ON block(tier, last_access_ms);
CREATE TABLE journal (
  namespace_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  tag TEXT NOT NULL CHECK (tag IN ('file', 'folder', 'deleted')),
  path TEXT COLLATE "C" NOT NULL,
  file_id TEXT NOT NULL,
  rev TEXT,
  size BIGINT NOT NULL DEFAULT 0,
  content_hash TEXT,
  modified_ms BIGINT,
  status TEXT NOT NULL DEFAULT 'uploaded',
  moved_from TEXT,
  mount_namespace TEXT,
  mount_role TEXT,
  time_ms BIGINT NOT NULL,
  PRIMARY KEY (namespace_id, seq)
);
CREATE INDEX journal_by_path ON journal(namespace_id, path);
CREATE INDEX journal_tombstones ON journal(time_ms) WHERE tag = 'deleted';
CREATE TABLE event (
  id BIGSERIAL PRIMARY KEY,
  namespace_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  path TEXT NOT NULL,
  from_path TEXT,
  actor_id TEXT NOT NULL,
  device_id TEXT,
  time_ms BIGINT NOT NULL
);
CREATE INDEX event_by_namespace ON event(namespace_id, id);
CREATE TABLE upload_session (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES "user"(id),
  device_id TEXT NOT NULL,
  namespace_id TEXT NOT NULL REFERENCES namespace(id),
  path TEXT NOT NULL,
  user_path TEXT NOT NULL,
  total_bytes BIGINT NOT NULL,
  received_bytes BIGINT NOT NULL DEFAULT 0,
  parent_rev TEXT,
  modified_ms BIGINT NOT NULL,
  created_ms BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL
);
CREATE INDEX upload_session_expiry ON upload_session(expires_ms);
CREATE TABLE share (
  id TEXT PRIMARY KEY,
  namespace_id TEXT NOT NULL REFERENCES namespace(id),
  owner_id TEXT NOT NULL REFERENCES "user"(id),
  recipient_id TEXT NOT NULL REFERENCES "user"(id),
  role TEXT NOT NULL CHECK (role IN ('viewer', 'editor')),
  created_ms BIGINT NOT NULL,
  UNIQUE (namespace_id, recipient_id)
);
CREATE INDEX share_by_recipient ON share(recipient_id);
CREATE INDEX share_by_owner ON share(owner_id);
CREATE TABLE quota_reservation (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL REFERENCES "user"(id),
  namespace_id TEXT NOT NULL REFERENCES namespace(id),
  bytes BIGINT NOT NULL CHECK (bytes >= 0),
  expires_ms BIGINT NOT NULL
);
CREATE INDEX quota_reservation_by_owner ON quota_reservation(owner_id, expires_ms);
CREATE INDEX quota_reservation_expiry ON quota_reservation(expires_ms);
CREATE TABLE folder_conversion (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('share', 'unshare')),
  source_namespace TEXT NOT NULL,
  target_namespace TEXT NOT NULL,
  started_ms BIGINT NOT NULL,
  touched_ms BIGINT NOT NULL
);
CREATE INDEX folder_conversion_idle ON folder_conversion(touched_ms);
CREATE TABLE conversion_block (
  conversion_id TEXT NOT NULL REFERENCES folder_conversion(id),
  block_id TEXT NOT NULL,
  PRIMARY KEY (conversion_id, block_id)
);
`;

/** Every migration, oldest first. */
export const PG_MIGRATIONS: readonly PgMigration[] = [{ version: 1, sql: V1 }];
