import type { Migration } from '../migrate.js';

/**
 * Schema version 9: the block list an announce brings (POST /files/announce with `blocks`), kept
 * with the pending file so that other devices can fetch its blocks while they are still being
 * uploaded (streaming sync). NULL for every file that is not pending, and for announces without
 * a block list; the commit and the announce's expiry clear it.
 */
const SQL = `
-- JSON {"modified", "blocks": [{"id", "size"}, ...]} in file order, as announced
ALTER TABLE file ADD COLUMN pending_blocks TEXT;
`;

/** Schema version 9: announced block lists. */
export const migration009AnnouncedBlocks: Migration = {
  version: 9,
  name: 'announced-blocks',
  up(db) {
    db.exec(SQL);
  },
};
