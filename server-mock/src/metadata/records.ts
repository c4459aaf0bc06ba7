/**
 * The records the metadata store reads and writes. Plain data, shaped for the routes: times are
 * epoch milliseconds, sizes plaintext bytes.
 */
import type {
  BlockId,
  DeviceId,
  FileId,
  FileStatus,
  NamespaceId,
  RemotePath,
  Rev,
  ShareId,
  ShareRole,
  UserId,
} from 'sync-engine/protocol';
import type { BlockTier } from '../blocks/block-store.js';

export interface UserRecord {
  readonly id: UserId;
  /** Lowercased. */
  readonly email: string;
  readonly name: string;
  /** scrypt hash in the self-describing format of auth/password-hashing.ts. */
  readonly passwordHash: string;
  readonly quotaBytes: number;
  readonly rootNamespace: NamespaceId;
  readonly createdMs: number;
}

export interface DeviceRecord {
  readonly id: DeviceId;
  readonly userId: UserId;
  /** Given at login; revision history and activity show it, also after the device signed out. */
  readonly name: string;
  readonly createdMs: number;
  /** Last authenticated request (written at most once a minute per device and instance). */
  readonly lastSeenMs: number;
  /** When the device was signed out; null while signed in. */
  readonly revokedMs: number | null;
}

export type NamespaceKind = 'root' | 'shared';

export interface NamespaceRecord {
  readonly id: NamespaceId;
  readonly kind: NamespaceKind;
  readonly ownerId: UserId;
  /** Newest journal sequence number (0 before the first change). */
  readonly lastSeq: number;
  /** Tombstones up to this seq were pruned: a cursor below it may have missed a delete. */
  readonly prunedSeq: number;
  /** Plaintext bytes of the blocks this namespace holds (what counts against the quota). */
  readonly usedBytes: number;
}

/** A share mounted at a folder: the folder shows the namespace's contents. */
export interface MountRecord {
  readonly namespace: NamespaceId;
  readonly role: ShareRole;
}

/** The current state of one path of a namespace (a file or a folder, live or deleted). */
export interface EntryRecord {
  readonly fileId: FileId;
  readonly namespace: NamespaceId;
  readonly path: RemotePath;
  readonly isDir: boolean;
  readonly rev: Rev | null;
  readonly size: number;
  readonly contentHash: string | null;
  readonly modifiedMs: number | null;
  readonly status: FileStatus;
  readonly deleted: boolean;
  readonly mount: MountRecord | null;
  readonly updatedMs: number;
}

/** One immutable version of a file. */
export interface VersionRecord {
  readonly rev: Rev;
  readonly fileId: FileId;
  readonly namespace: NamespaceId;
  readonly size: number;
  readonly contentHash: string;
  readonly blocks: readonly BlockId[];
  readonly modifiedMs: number;
  readonly deviceId: DeviceId | null;
  readonly deviceName: string | null;
  readonly authorId: UserId;
  readonly authorName: string;
  readonly committedMs: number;
}

export type JournalTag = 'file' | 'folder' | 'deleted';

/** One journal entry: the state of `path` after change `seq` of its namespace. */
export interface JournalRecord {
  readonly namespace: NamespaceId;
  readonly seq: number;
  readonly tag: JournalTag;
  readonly path: RemotePath;
  readonly fileId: FileId;
  readonly rev: Rev | null;
  readonly size: number;
  readonly contentHash: string | null;
  readonly modifiedMs: number | null;
  readonly status: FileStatus;
  readonly movedFrom: RemotePath | null;
  readonly mount: MountRecord | null;
  readonly timeMs: number;
}

export interface BlockRecord {
  readonly namespace: NamespaceId;
  readonly id: BlockId;
  readonly plainSize: number;
  readonly encodedSize: number;
  readonly tier: BlockTier;
  /** Number of file versions naming this block. */
  readonly refcount: number;
  readonly lastAccessMs: number;
  readonly createdMs: number;
}

export interface ShareRecord {
  readonly id: ShareId;
  readonly namespace: NamespaceId;
  readonly ownerId: UserId;
  readonly recipientId: UserId;
  readonly role: ShareRole;
  readonly createdMs: number;
}

/** Who makes a change, and when. */
export interface Actor {
  readonly userId: UserId;
  readonly deviceId: DeviceId | null;
  readonly nowMs: number;
}
