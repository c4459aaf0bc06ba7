import type { Migration } from '../migrate.js';

/**
 * Version 3: a folder is kind `'folder'`, the word of the wire protocol (`FolderMetadata.type`,
 * change entries `tag: 'folder'`), instead of `'dir'`. Issue 8: one word for one thing.
 *
 * SQLite cannot change a CHECK in place, so the tables whose CHECKs name the kind are rebuilt
 * with SQLite's 12-step procedure (https://www.sqlite.org/lang_altertable.html#otheralter):
 * create the new table, copy the rows, drop the old one, rename the new one, then recreate the
 * old table's indexes and triggers. `applyMigrations` runs this with foreign keys off (so
 * dropping `item` cascades nothing into the trees or the block lists) and runs
 * `PRAGMA foreign_key_check` before committing. DROP TABLE fires no DELETE triggers, so the
 * block lists of the rebuilt trees stay. Rows keep their rowids.
 *
 * Only the kind changes: every other column, constraint, index and trigger is as in versions 1
 * and 2 (the migration test compares the whole schema with version 2's, word for word).
 *
 * - `item`: CHECK (kind IN (…)). Rebuilt.
 * - `remote_item`, `synced_item`: "folders may have no revision". Rebuilt, with their triggers.
 *   Neither has an index of its own besides those of its PRIMARY KEY and UNIQUE (path).
 * - `local_item`: its CHECKs only name 'file', so its definition (and `local_item_inode`, and
 *   its triggers) stands; its rows' kind is updated to keep agreeing with `item`.
 * - `item_block_needs_file_row` (a trigger on `item_block`) reads the three trees by name, and
 *   ALTER TABLE … RENAME refuses to run while a trigger names a table that is missing: it is
 *   dropped first and created again once the trees are back.
 */
const SQL = `
-- Re-created at the end, once remote_item and synced_item exist again.
DROP TRIGGER item_block_needs_file_row;

-- Every item the engine tracks, in any of the three trees, under a stable id the engine assigns.
-- A rename keeps the id, so a folder rename is one move, not deletes and adds. A file and a
-- folder are never the same item: kind is fixed for an item's life.
CREATE TABLE item_new (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('file', 'folder')),
  created_ms INTEGER NOT NULL,
  -- Target of the (item_id, kind) foreign keys of the tree tables: each tree row repeats the
  -- kind, the database guarantees it matches, and the trees' CHECKs can then depend on it.
  UNIQUE (id, kind)
) STRICT;
INSERT INTO item_new (rowid, id, kind, created_ms)
  SELECT rowid, id, CASE kind WHEN 'dir' THEN 'folder' ELSE kind END, created_ms FROM item;
DROP TABLE item;
ALTER TABLE item_new RENAME TO item;

-- The local tree's table is unchanged; its rows follow their items. Changing only the kind
-- fires neither local_item trigger (they watch fingerprint and size).
UPDATE local_item SET kind = 'folder' WHERE kind = 'dir';

-- The remote tree: what the server says, as of the cursor in server_cursor.
CREATE TABLE remote_item_new (
  item_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  path TEXT NOT NULL UNIQUE CHECK (path GLOB '/?*' AND path NOT GLOB '*/'),
  -- The server's current revision (opaque); every file has one, folders may.
  rev TEXT,
  size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
  modified_ms INTEGER NOT NULL,
  -- The server's contentHash of the file as reported, opaque here; NULL when not reported.
  content_hash TEXT,
  FOREIGN KEY (item_id, kind) REFERENCES item (id, kind) ON DELETE CASCADE,
  CHECK (kind = 'folder' OR rev IS NOT NULL),
  CHECK (kind = 'file' OR size_bytes = 0)
) STRICT;
INSERT INTO remote_item_new
  (rowid, item_id, kind, path, rev, size_bytes, modified_ms, content_hash)
  SELECT rowid, item_id, CASE kind WHEN 'dir' THEN 'folder' ELSE kind END, path, rev,
    size_bytes, modified_ms, content_hash
  FROM remote_item;
-- Also drops remote_item_drop_blocks and remote_item_content_changed, re-created below.
DROP TABLE remote_item;
ALTER TABLE remote_item_new RENAME TO remote_item;

-- The synced tree: the last state both sides agreed on, the merge base of the planner. Written
-- only after an operation really finished (upload committed, download renamed into place).
CREATE TABLE synced_item_new (
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
  CHECK (kind = 'folder' OR rev IS NOT NULL),
  CHECK (kind = 'file' OR size_bytes = 0)
) STRICT;
INSERT INTO synced_item_new
  (rowid, item_id, kind, path, rev, size_bytes, modified_ms, fingerprint, synced_ms)
  SELECT rowid, item_id, CASE kind WHEN 'dir' THEN 'folder' ELSE kind END, path, rev,
    size_bytes, modified_ms, fingerprint, synced_ms
  FROM synced_item;
-- Also drops synced_item_drop_blocks and synced_item_content_changed, re-created below.
DROP TABLE synced_item;
ALTER TABLE synced_item_new RENAME TO synced_item;

-- The triggers of version 1, unchanged.

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
`;

/** Schema version 3: item kind `'folder'` instead of `'dir'`, as on the wire. */
export const migration003FolderKind: Migration = {
  version: 3,
  name: 'folder-kind',
  up(db) {
    db.exec(SQL);
  },
};
