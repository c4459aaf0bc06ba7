import type { Migration } from '../migrate.js';

/**
 * Version 1: the three trees of SPEC "Client engine design" (remote, local cache, synced), the
 * block lists, the server cursor, the outbox of pending local changes, conflicts and settings.
 *
 * Conventions: paths are absolute inside the sync folder, `/`-separated, NFC, no trailing `/`
 * (the folder itself is not an item); times are epoch milliseconds; sizes are bytes. Tables are
 * STRICT so a wrong JavaScript type fails loudly instead of being stored as text.
 */
const SQL = `
-- Every item the engine tracks, in any of the three trees, under a stable id the engine assigns.
-- A rename keeps the id, so a folder rename is one move, not deletes and adds. A file and a
-- directory are never the same item: kind is fixed for an item's life.
CREATE TABLE item (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('file', 'dir')),
  created_ms INTEGER NOT NULL,
  -- Target of the (item_id, kind) foreign keys of the tree tables: each tree row repeats the
  -- kind, the database guarantees it matches, and the trees' CHECKs can then depend on it.
  UNIQUE (id, kind)
) STRICT;

-- The local tree's cache: what the scanner last saw on disk for an item, so an unchanged file
-- (same inode, size and mtime) is not read and hashed again. The disk is the truth; a row here
-- is a memo of it. Paths are unique within the tree.
CREATE TABLE local_item (
  item_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  path TEXT NOT NULL UNIQUE CHECK (path GLOB '/?*' AND path NOT GLOB '*/'),
  -- Decimal string: 64-bit inode numbers exceed JavaScript's safe integers, and Windows file ids
  -- can be 128-bit. Lets the scanner recognise a renamed file as a move of the same item.
  inode TEXT NOT NULL,
  size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
  -- fs.Stats.mtimeMs as read, fraction included, so an untouched file compares equal next scan.
  mtime_ms REAL NOT NULL,
  -- xxHash64 of the whole content, 16 lowercase hex digits; present exactly for files.
  fingerprint TEXT CHECK (length(fingerprint) = 16 AND fingerprint NOT GLOB '*[^0-9a-f]*'),
  -- When a scan last confirmed this row; rows a full rescan did not confirm are gone from disk.
  scanned_ms INTEGER NOT NULL,
  FOREIGN KEY (item_id, kind) REFERENCES item (id, kind) ON DELETE CASCADE,
  CHECK ((kind = 'file') = (fingerprint IS NOT NULL)),
  CHECK (kind = 'file' OR size_bytes = 0)
) STRICT;
-- Rename detection: a new path with a known inode is a move of that item.
CREATE INDEX local_item_inode ON local_item (inode);

-- The remote tree: what the server says, as of the cursor in server_cursor.
CREATE TABLE remote_item (
  item_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  path TEXT NOT NULL UNIQUE CHECK (path GLOB '/?*' AND path NOT GLOB '*/'),
  -- The server's current revision (opaque); every file has one, directories may.
  rev TEXT,
  size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
  modified_ms INTEGER NOT NULL,
  -- The server's contentHash of the file as reported, opaque here; NULL when not reported.
  content_hash TEXT,
  FOREIGN KEY (item_id, kind) REFERENCES item (id, kind) ON DELETE CASCADE,
  CHECK (kind = 'dir' OR rev IS NOT NULL),
  CHECK (kind = 'file' OR size_bytes = 0)
) STRICT;

-- The synced tree: the last state both sides agreed on, the merge base of the planner. Written
-- only after an operation really finished (upload committed, download renamed into place).
CREATE TABLE synced_item (
  item_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  path TEXT NOT NULL UNIQUE CHECK (path GLOB '/?*' AND path NOT GLOB '*/'),
  -- The last synced revision: what the remote had when both agreed, and the parentRev of the
  -- next commit of this item. Every file has one.
  rev TEXT,
  size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
  modified_ms INTEGER NOT NULL,
  -- xxHash64 of the agreed content: a local fingerprint that differs means a local edit.
  fingerprint TEXT CHECK (length(fingerprint) = 16 AND fingerprint NOT GLOB '*[^0-9a-f]*'),
  synced_ms INTEGER NOT NULL,
  FOREIGN KEY (item_id, kind) REFERENCES item (id, kind) ON DELETE CASCADE,
  CHECK ((kind = 'file') = (fingerprint IS NOT NULL)),
  CHECK (kind = 'dir' OR rev IS NOT NULL),
  CHECK (kind = 'file' OR size_bytes = 0)
) STRICT;

-- Block lists, normalised: one row per block of a file's content in one tree. An empty file has
-- no rows. Positions run 0..n-1 and offsets are contiguous from 0 (checked by the writer).
CREATE TABLE item_block (
  item_id TEXT NOT NULL REFERENCES item (id) ON DELETE CASCADE,
  -- Which tree's content this list describes: local (on disk now), remote or synced.
  tree TEXT NOT NULL CHECK (tree IN ('local', 'remote', 'synced')),
  position INTEGER NOT NULL CHECK (position >= 0),
  offset_bytes INTEGER NOT NULL CHECK (offset_bytes >= 0),
  size_bytes INTEGER NOT NULL CHECK (size_bytes > 0),
  -- SHA-256 of the plaintext block, 64 lowercase hex digits (protocol BlockId).
  block_id TEXT NOT NULL CHECK (length(block_id) = 64 AND block_id NOT GLOB '*[^0-9a-f]*'),
  PRIMARY KEY (item_id, tree, position)
) STRICT, WITHOUT ROWID;
-- Delta sync: find a block already on disk instead of downloading it.
CREATE INDEX item_block_block_id ON item_block (block_id);

-- A block list belongs to an existing file row of its tree.
CREATE TRIGGER item_block_needs_file_row BEFORE INSERT ON item_block
WHEN NOT EXISTS (
  SELECT 1 FROM local_item WHERE NEW.tree = 'local' AND item_id = NEW.item_id AND kind = 'file'
  UNION ALL
  SELECT 1 FROM remote_item WHERE NEW.tree = 'remote' AND item_id = NEW.item_id AND kind = 'file'
  UNION ALL
  SELECT 1 FROM synced_item WHERE NEW.tree = 'synced' AND item_id = NEW.item_id AND kind = 'file'
)
BEGIN
  SELECT RAISE(ABORT, 'a block list needs a file row in its tree');
END;

-- A block list never outlives, nor disagrees with, the content it describes: it goes when its
-- row goes and when the row's content changes. Write the row first, then its block list.
CREATE TRIGGER local_item_drop_blocks AFTER DELETE ON local_item BEGIN
  DELETE FROM item_block WHERE item_id = OLD.item_id AND tree = 'local';
END;
CREATE TRIGGER local_item_content_changed AFTER UPDATE ON local_item
WHEN OLD.fingerprint IS NOT NEW.fingerprint OR OLD.size_bytes IS NOT NEW.size_bytes BEGIN
  DELETE FROM item_block WHERE item_id = OLD.item_id AND tree = 'local';
END;
CREATE TRIGGER remote_item_drop_blocks AFTER DELETE ON remote_item BEGIN
  DELETE FROM item_block WHERE item_id = OLD.item_id AND tree = 'remote';
END;
CREATE TRIGGER remote_item_content_changed AFTER UPDATE ON remote_item
WHEN OLD.rev IS NOT NEW.rev OR OLD.size_bytes IS NOT NEW.size_bytes BEGIN
  DELETE FROM item_block WHERE item_id = OLD.item_id AND tree = 'remote';
END;
CREATE TRIGGER synced_item_drop_blocks AFTER DELETE ON synced_item BEGIN
  DELETE FROM item_block WHERE item_id = OLD.item_id AND tree = 'synced';
END;
CREATE TRIGGER synced_item_content_changed AFTER UPDATE ON synced_item
WHEN OLD.rev IS NOT NEW.rev OR OLD.fingerprint IS NOT NEW.fingerprint BEGIN
  DELETE FROM item_block WHERE item_id = OLD.item_id AND tree = 'synced';
END;

-- Where the device is in the server's journal, per server and account: after a restart the
-- engine asks for changes since this cursor instead of listing everything again.
CREATE TABLE server_cursor (
  server_url TEXT NOT NULL,
  user_id TEXT NOT NULL,
  -- Opaque to the client (protocol Cursor).
  cursor TEXT NOT NULL,
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY (server_url, user_id)
) STRICT;

-- Pending local changes, durable across crashes, in the order they were detected. Rows leave
-- only when the change is done on the server.
CREATE TABLE outbox (
  -- AUTOINCREMENT: a sequence number is never reused, even after the newest row is removed, so
  -- order by seq is the order of detection across restarts.
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('upload', 'mkdir', 'delete', 'move')),
  -- No foreign key on purpose: a pending delete must survive the removal of its item's rows.
  item_id TEXT,
  -- The path the change applies to; for a move, the destination.
  path TEXT NOT NULL,
  -- The source of a move; present exactly for moves.
  from_path TEXT,
  -- The revision the change was based on (the commit's parentRev); NULL for a new item.
  base_rev TEXT,
  enqueued_ms INTEGER NOT NULL,
  CHECK ((kind = 'move') = (from_path IS NOT NULL))
) STRICT;

-- Conflicts detected between local and remote changes (SPEC "Conflicts"), kept after
-- resolution as a record of what happened; the tray shows the unresolved ones.
CREATE TABLE conflict (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  -- No foreign key: the record outlives the item (keep theirs deletes the local copy).
  item_id TEXT,
  -- edit_edit: both edited; edit_delete: one edited, the other deleted (the edit wins);
  -- rename_rename: both renamed (the first wins, ours becomes a move of the local copy).
  reason TEXT NOT NULL CHECK (reason IN ('edit_edit', 'edit_delete', 'rename_rename')),
  -- The path that holds the server's version.
  path TEXT NOT NULL,
  -- Where our version was saved ("name (conflicted copy from DEVICE …).ext"); NULL when no copy
  -- was needed (the local side was a delete).
  conflicted_copy_path TEXT,
  -- The revision our local change was based on, and the one the server had moved on to.
  local_rev TEXT,
  remote_rev TEXT,
  detected_ms INTEGER NOT NULL,
  resolved_ms INTEGER,
  resolution TEXT CHECK (resolution IN ('keep_mine', 'keep_theirs', 'keep_both')),
  CHECK ((resolved_ms IS NULL) = (resolution IS NULL))
) STRICT;
-- The tray and "ferry conflicts" list the unresolved ones, oldest first.
CREATE INDEX conflict_unresolved ON conflict (detected_ms) WHERE resolved_ms IS NULL;

-- User and engine settings (pause state, bandwidth limits, selective sync…), one JSON value per key.
CREATE TABLE setting (
  key TEXT PRIMARY KEY,
  value_json TEXT NOT NULL CHECK (json_valid(value_json))
) STRICT;
`;

/** Schema version 1: every table of the local state. */
export const migration001Initial: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(SQL);
  },
};
