import type { Migration } from '../migrate.js';

/**
 * Schema version 4: an index for the mount lookup done on every authenticated request.
 */
const SQL = `
-- Mount rows of a namespace (folders shared into it, or shared out of it). UserView reads them
-- on every request; without this index the lookup walked every live file of the namespace
-- (file_live_path prefix + row filter: ~1.8 ms at 3,000 files). Partial, so it holds only the
-- few mount rows and costs nothing on ordinary file writes.
CREATE INDEX file_mounts ON file(namespace_id, path)
  WHERE mount_namespace IS NOT NULL AND deleted = 0;
`;

/** Schema version 4: mount index. */
export const migration004MountIndex: Migration = {
  version: 4,
  name: 'mount-index',
  up(db) {
    db.exec(SQL);
  },
};
