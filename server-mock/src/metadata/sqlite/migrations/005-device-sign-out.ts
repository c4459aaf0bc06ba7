import type { Migration } from '../migrate.js';

/**
 * Schema version 5: device sign-out (POST /auth/logout, DELETE /devices/{id}).
 */
const SQL = `
-- When the device was signed out (epoch ms); NULL while it is signed in. A signed-out device keeps
-- its row, so the versions and events it made still name it (file_version.device_id and
-- event.device_id are looked up with a LEFT JOIN); its token hash no longer authenticates.
ALTER TABLE device ADD COLUMN revoked_ms INTEGER;
`;

/** Schema version 5: device sign-out. */
export const migration005DeviceSignOut: Migration = {
  version: 5,
  name: 'device-sign-out',
  up(db) {
    db.exec(SQL);
  },
};
