import type { Migration } from '../migrate.js';

/**
 * Version 5: each block of a block list may carry the xxHash64 of its plaintext (16 lowercase
 * hex digits). An edited file is then chunked against its previous version's list: a chunk whose
 * length and xxHash match a known block reuses that block's id without SHA-256, compression or
 * encryption, and a download verifies a block copied from a local file by its xxHash instead of
 * SHA-256 (docs/sync-engine.md "Edits"). Rows written before have none (NULL): those blocks are
 * hashed in full, as before.
 */
const SQL = `
ALTER TABLE item_block ADD COLUMN xxhash TEXT
  CHECK (xxhash IS NULL OR (length(xxhash) = 16 AND xxhash NOT GLOB '*[^0-9a-f]*'));
`;

/** Schema version 5: an optional xxHash64 per block. */
export const migration005BlockFingerprint: Migration = {
  version: 5,
  name: 'block-fingerprint',
  up(db) {
    db.exec(SQL);
  },
};
