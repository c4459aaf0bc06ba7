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
} from '../../../../sync-engine/src/protocol/index.js';
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

const str = (v: unknown) => v as string;
const num = (v: unknown) => v as number;
const strOrNull = (v: unknown) => (v === null || v === undefined ? null : (v as string));
const numOrNull = (v: unknown) => (v === null || v === undefined ? null : (v as number));

function mountOf(row: Row): MountRecord | null {
  const namespace = strOrNull(row.mount_namespace);
  return namespace === null
    ? null
    : { namespace: namespace as NamespaceId, role: str(row.mount_role) as ShareRole };
}

export function userFromRow(row: Row): UserRecord {
  return {
    id: str(row.id) as UserId,
    email: str(row.email),
    name: str(row.name),
    passwordHash: str(row.password_hash),
    quotaBytes: num(row.quota_bytes),
    rootNamespace: str(row.root_namespace) as NamespaceId,
    createdMs: num(row.created_ms),
  };
}

export function deviceFromRow(row: Row): DeviceRecord {
  return {
    id: str(row.id) as DeviceId,
    userId: str(row.user_id) as UserId,
    name: str(row.name),
    createdMs: num(row.created_ms),
    lastSeenMs: num(row.last_seen_ms),
    revokedMs: numOrNull(row.revoked_ms),
  };
}

export function namespaceFromRow(row: Row): NamespaceRecord {
  return {
    id: str(row.id) as NamespaceId,
    kind: str(row.kind) as NamespaceKind,
    ownerId: str(row.owner_id) as UserId,
    lastSeq: num(row.last_seq),
    prunedSeq: num(row.pruned_seq),
    usedBytes: num(row.used_bytes),
  };
}

export function entryFromRow(row: Row): EntryRecord {
  return {
    fileId: str(row.id) as FileId,
    namespace: str(row.namespace_id) as NamespaceId,
    path: str(row.path) as RemotePath,
    isDir: num(row.is_dir) === 1,
    rev: strOrNull(row.rev) as Rev | null,
    size: num(row.size),
    contentHash: strOrNull(row.content_hash),
    modifiedMs: numOrNull(row.modified_ms),
    status: str(row.status) as FileStatus,
    deleted: num(row.deleted) === 1,
    mount: mountOf(row),
    updatedMs: num(row.updated_ms),
  };
}

/** Expects the version row joined with author name (author_name) and device name (device_name). */
export function versionFromRow(row: Row): VersionRecord {
  return {
    rev: str(row.rev) as Rev,
    fileId: str(row.file_id) as FileId,
    namespace: str(row.namespace_id) as NamespaceId,
    size: num(row.size),
    contentHash: str(row.content_hash),
    blocks: JSON.parse(str(row.blocks)) as BlockId[],
    modifiedMs: num(row.modified_ms),
    deviceId: strOrNull(row.device_id) as DeviceId | null,
    deviceName: strOrNull(row.device_name),
    authorId: str(row.author_id) as UserId,
    authorName: str(row.author_name ?? ''),
    committedMs: num(row.committed_ms),
  };
}

export function journalFromRow(row: Row): JournalRecord {
  return {
    namespace: str(row.namespace_id) as NamespaceId,
    seq: num(row.seq),
    tag: str(row.tag) as JournalTag,
    path: str(row.path) as RemotePath,
    fileId: str(row.file_id) as FileId,
    rev: strOrNull(row.rev) as Rev | null,
    size: num(row.size),
    contentHash: strOrNull(row.content_hash),
    modifiedMs: numOrNull(row.modified_ms),
    status: str(row.status) as FileStatus,
    movedFrom: strOrNull(row.moved_from) as RemotePath | null,
    mount: mountOf(row),
    timeMs: num(row.time_ms),
  };
}

export function blockFromRow(row: Row): BlockRecord {
  return {
    namespace: str(row.namespace_id) as NamespaceId,
    id: str(row.id) as BlockId,
    plainSize: num(row.plain_size),
    encodedSize: num(row.encoded_size),
    tier: str(row.tier) as BlockTier,
    refcount: num(row.refcount),
    lastAccessMs: num(row.last_access_ms),
    createdMs: num(row.created_ms),
  };
}
