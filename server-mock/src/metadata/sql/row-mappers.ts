/**
 * Turns database rows into records. Column names are snake_case in SQL, camelCase in records.
 */
import type {
  BlockId,
  DeviceId,
  FileId,
  FileStatus,
  NamespaceId,
  RemotePath,
  Rev,
  ShareRole,
  UserId,
} from 'sync-engine/protocol';
import type { BlockTier } from '../../blocks/block-store.js';
import type {
  BlockRecord,
  DeviceRecord,
  EntryRecord,
  JournalRecord,
  JournalTag,
  MountRecord,
  NamespaceKind,
  NamespaceRecord,
  UserRecord,
  VersionRecord,
} from '../records.js';

/** A row as better-sqlite3 returns it. */
export type Row = Record<string, unknown>;

/**
 * Column readers that check what SQLite returned: a schema drift (a column renamed, a type
 * changed) fails at the first row read instead of spreading `undefined` through records.
 */
function asText(value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`expected a text column, got ${typeof value}`);
  return value;
}
function asNumber(value: unknown): number {
  if (typeof value !== 'number') {
    throw new TypeError(`expected a numeric column, got ${typeof value}`);
  }
  return value;
}
const asTextOrNull = (value: unknown) => (value === null ? null : asText(value));
const asNumberOrNull = (value: unknown) => (value === null ? null : asNumber(value));

function mountOf(row: Row): MountRecord | null {
  const namespace = asTextOrNull(row.mount_namespace);
  return namespace === null
    ? null
    : { namespace: namespace as NamespaceId, role: asText(row.mount_role) as ShareRole };
}

export function userFromRow(row: Row): UserRecord {
  return {
    id: asText(row.id) as UserId,
    email: asText(row.email),
    name: asText(row.name),
    passwordHash: asText(row.password_hash),
    quotaBytes: asNumber(row.quota_bytes),
    rootNamespace: asText(row.root_namespace) as NamespaceId,
    createdMs: asNumber(row.created_ms),
  };
}

export function deviceFromRow(row: Row): DeviceRecord {
  return {
    id: asText(row.id) as DeviceId,
    userId: asText(row.user_id) as UserId,
    name: asText(row.name),
    createdMs: asNumber(row.created_ms),
    lastSeenMs: asNumber(row.last_seen_ms),
    revokedMs: asNumberOrNull(row.revoked_ms),
  };
}

export function namespaceFromRow(row: Row): NamespaceRecord {
  return {
    id: asText(row.id) as NamespaceId,
    kind: asText(row.kind) as NamespaceKind,
    ownerId: asText(row.owner_id) as UserId,
    lastSeq: asNumber(row.last_seq),
    prunedSeq: asNumber(row.pruned_seq),
    usedBytes: asNumber(row.used_bytes),
  };
}

export function entryFromRow(row: Row): EntryRecord {
  return {
    fileId: asText(row.id) as FileId,
    namespace: asText(row.namespace_id) as NamespaceId,
    path: asText(row.path) as RemotePath,
    isDir: asNumber(row.is_dir) === 1,
    rev: asTextOrNull(row.rev) as Rev | null,
    size: asNumber(row.size),
    contentHash: asTextOrNull(row.content_hash),
    modifiedMs: asNumberOrNull(row.modified_ms),
    status: asText(row.status) as FileStatus,
    deleted: asNumber(row.deleted) === 1,
    mount: mountOf(row),
    updatedMs: asNumber(row.updated_ms),
  };
}

/** Expects the version row joined with author name (author_name) and device name (device_name). */
export function versionFromRow(row: Row): VersionRecord {
  return {
    rev: asText(row.rev) as Rev,
    fileId: asText(row.file_id) as FileId,
    namespace: asText(row.namespace_id) as NamespaceId,
    size: asNumber(row.size),
    contentHash: asText(row.content_hash),
    blocks: JSON.parse(asText(row.blocks)) as BlockId[],
    modifiedMs: asNumber(row.modified_ms),
    deviceId: asTextOrNull(row.device_id) as DeviceId | null,
    deviceName: asTextOrNull(row.device_name),
    authorId: asText(row.author_id) as UserId,
    authorName: asText(row.author_name ?? ''),
    committedMs: asNumber(row.committed_ms),
  };
}

export function journalFromRow(row: Row): JournalRecord {
  return {
    namespace: asText(row.namespace_id) as NamespaceId,
    seq: asNumber(row.seq),
    tag: asText(row.tag) as JournalTag,
    path: asText(row.path) as RemotePath,
    fileId: asText(row.file_id) as FileId,
    rev: asTextOrNull(row.rev) as Rev | null,
    size: asNumber(row.size),
    contentHash: asTextOrNull(row.content_hash),
    modifiedMs: asNumberOrNull(row.modified_ms),
    status: asText(row.status) as FileStatus,
    movedFrom: asTextOrNull(row.moved_from) as RemotePath | null,
    mount: mountOf(row),
    timeMs: asNumber(row.time_ms),
  };
}

export function blockFromRow(row: Row): BlockRecord {
  return {
    namespace: asText(row.namespace_id) as NamespaceId,
    id: asText(row.id) as BlockId,
    plainSize: asNumber(row.plain_size),
    encodedSize: asNumber(row.encoded_size),
    tier: asText(row.tier) as BlockTier,
    refcount: asNumber(row.refcount),
    lastAccessMs: asNumber(row.last_access_ms),
    createdMs: asNumber(row.created_ms),
  };
}
