/**
 * Versioned migrations, applied in order inside one transaction each; PRAGMA user_version holds
 * the version reached. A database newer than this code is refused rather than misread.
 */
import type Database from 'better-sqlite3';
import { SCHEMA_V1 } from './schema-v1.js';
import { SCHEMA_V2 } from './schema-v2.js';
import { SCHEMA_V3 } from './schema-v3.js';
import { SCHEMA_V4 } from './schema-v4.js';
import { SCHEMA_V7 } from './schema-v7.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Every migration, oldest first. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', sql: SCHEMA_V1 },
  { version: 2, name: 'resumable upload sessions', sql: SCHEMA_V2 },
  { version: 3, name: 'shares', sql: SCHEMA_V3 },
  { version: 4, name: 'mount index', sql: SCHEMA_V4 },
  { version: 7, name: 'folder conversions', sql: SCHEMA_V7 },
];

/** The schema version this code writes. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** Brings `db` up to `target` (default: latest). Returns the versions applied. */
export function migrateDatabase(
  db: Database.Database,
  target: number = LATEST_SCHEMA_VERSION,
): number[] {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > LATEST_SCHEMA_VERSION) {
    throw new Error(
      `database schema ${current} is newer than this server understands (${LATEST_SCHEMA_VERSION})`,
    );
  }
  const applied: number[] = [];
  for (const migration of MIGRATIONS) {
    if (migration.version <= current || migration.version > target) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
    applied.push(migration.version);
  }
  return applied;
}
