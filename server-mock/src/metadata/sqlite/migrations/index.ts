/**
 * Every schema migration of the server database, in order. Append only: a released migration is
 * never edited or removed, because databases in the field have already run it.
 */
import type Database from 'better-sqlite3';
import { applyMigrations, type Migration } from '../migrate.js';
import { migration001Initial } from './001-initial.js';
import { migration002UploadSessions } from './002-upload-sessions.js';
import { migration003Shares } from './003-shares.js';
import { migration004MountIndex } from './004-mount-index.js';
import { migration005DeviceSignOut } from './005-device-sign-out.js';
import { migration006MountsByNamespace } from './006-mounts-by-namespace.js';
import { migration007QuotaReservations } from './007-quota-reservations.js';
import { migration008FolderConversions } from './008-folder-conversions.js';
import { migration009AnnouncedBlocks } from './009-announced-blocks.js';

/** All migrations, version 1 first; the last one's version is the current schema version. */
export const MIGRATIONS: readonly Migration[] = [
  migration001Initial,
  migration002UploadSessions,
  migration003Shares,
  migration004MountIndex,
  migration005DeviceSignOut,
  migration006MountsByNamespace,
  migration007QuotaReservations,
  migration008FolderConversions,
  migration009AnnouncedBlocks,
];

/** The schema version this code writes and reads. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

/** Brings `db` up to version `target` (default: the latest). Returns the versions applied. */
export function migrateDatabase(
  db: Database.Database,
  target: number = LATEST_SCHEMA_VERSION,
): number[] {
  return applyMigrations(db, MIGRATIONS.slice(0, target));
}
