import type { Migration } from '../migrate.js';

/**
 * Schema version 8: folder conversions in progress, and the blocks they pin against garbage
 * collection (a share conversion re-encodes every block of the folder before its one
 * transaction moves the files; GC must not collect those blocks meanwhile).
 */
const SQL = `
-- A folder conversion under way: 'share' turns a root folder into the new namespace target
-- (created with the conversion), 'unshare' turns shared namespace source back into a folder of
-- its owner's root (target). Deleted by its final transaction, or when abandoned.
CREATE TABLE folder_conversion (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('share', 'unshare')),
  -- where blocks are read from, and where their re-encoded copies are pinned
  source_namespace TEXT NOT NULL,
  target_namespace TEXT NOT NULL,
  started_ms INTEGER NOT NULL,
  -- last progress (a block pinned); the storage policy abandons conversions idle for long
  -- (their server crashed), which unpins their blocks so GC can collect them
  touched_ms INTEGER NOT NULL
);
CREATE INDEX folder_conversion_idle ON folder_conversion(touched_ms);

-- The blocks a conversion pinned in its target namespace: each one holds one extra reference
-- (block.refcount) until the conversion completes or is abandoned.
CREATE TABLE conversion_block (
  conversion_id TEXT NOT NULL REFERENCES folder_conversion(id),
  block_id TEXT NOT NULL,
  PRIMARY KEY (conversion_id, block_id)
) WITHOUT ROWID;
`;

/** Schema version 8: folder conversions. */
export const migration008FolderConversions: Migration = {
  version: 8,
  name: 'folder-conversions',
  up(db) {
    db.exec(SQL);
  },
};
