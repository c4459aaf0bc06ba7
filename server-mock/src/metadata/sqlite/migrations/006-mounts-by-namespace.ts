import type { Migration } from '../migrate.js';

/**
 * Schema version 6: mount rows by the namespace they mount.
 */
const SQL = `
-- Every member's mount point of a shared namespace (the owner's and each recipient's). A write
-- inside a shared folder checks that its path still fits the 4096-byte path limit under the
-- longest of them (path-limits.ts); without this index that lookup scanned every file row.
-- Partial, so it holds only the few mount rows and costs nothing on ordinary file writes.
CREATE INDEX file_by_mount ON file(mount_namespace)
  WHERE mount_namespace IS NOT NULL AND deleted = 0;
`;

/** Schema version 6: mount rows by the namespace they mount. */
export const migration006MountsByNamespace: Migration = {
  version: 6,
  name: 'mounts-by-namespace',
  up(db) {
    db.exec(SQL);
  },
};
