/**
 * Every schema migration of the local state, in order. Append only: a released migration is
 * never edited or removed, because databases in the field have already run it.
 */
import type { Migration } from '../migrate.js';
import { migration001Initial } from './001-initial.js';
import { migration002OutboxRetry } from './002-outbox-retry.js';
import { migration003FolderKind } from './003-folder-kind.js';
import { migration004RemoteIdentity } from './004-remote-identity.js';
import { migration005BlockFingerprint } from './005-block-fingerprint.js';
import { migration006CopiedAcross } from './006-copied-across.js';
import { migration007TreeVersion } from './007-tree-version.js';

/** All migrations, version 1 first; the last one's version is the current schema version. */
export const MIGRATIONS: readonly Migration[] = [
  migration001Initial,
  migration002OutboxRetry,
  migration003FolderKind,
  migration004RemoteIdentity,
  migration005BlockFingerprint,
  migration006CopiedAcross,
  migration007TreeVersion,
];

/** The schema version this code writes and reads. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;
