import type { Migration } from '../migrate.js';

/**
 * Version 4: the remote tree keeps what the server says about each item's identity and where its
 * blocks live: the server's file id (stable across moves, so a move in the change journal is
 * matched to the item by id, not guessed from paths), the namespace that holds it (blocks and
 * keys are addressed per namespace), and for a folder that is a share's mount point, the mounted
 * namespace and the user's role in it (a viewer's local changes are never uploaded).
 *
 * Rows written by version 3 have no file id; the engine lists the server again when it finds
 * one (docs/sync-engine.md, "Remote tree").
 */
const SQL = `
-- The server's fileId (opaque); unique among the remote tree's rows.
ALTER TABLE remote_item ADD COLUMN file_id TEXT;
-- The namespace the item lives in (its parent's, or the mounted one inside a mount).
ALTER TABLE remote_item ADD COLUMN namespace TEXT;
-- Set on a folder that is a share's mount point: the shared namespace and our role in it.
ALTER TABLE remote_item ADD COLUMN mount_namespace TEXT;
ALTER TABLE remote_item ADD COLUMN mount_role TEXT CHECK (mount_role IN ('viewer', 'editor'));

CREATE UNIQUE INDEX remote_item_file_id ON remote_item (file_id) WHERE file_id IS NOT NULL;
`;

/** Schema version 4: file id, namespace and mount of every remote item. */
export const migration004RemoteIdentity: Migration = {
  version: 4,
  name: 'remote-identity',
  up(db) {
    db.exec(SQL);
  },
};
