import type { Migration } from '../migrate.js';

/**
 * Version 6: a merge base may be marked as the old copy a move across a share's boundary left
 * behind (copy, then delete: docs/sync-engine.md "Into or out of a share"). Its item was copied
 * to its new place, so deleting it on the server completes a move, not a delete made here: the
 * mass-delete guard does not count it. Rows written before are not marked (NULL).
 */
const SQL = `
ALTER TABLE synced_item ADD COLUMN copied_across INTEGER CHECK (copied_across IN (0, 1));
`;

/** Schema version 6: the old copies of moves across a share's boundary. */
export const migration006CopiedAcross: Migration = {
  version: 6,
  name: 'copied-across',
  up(db) {
    db.exec(SQL);
  },
};
