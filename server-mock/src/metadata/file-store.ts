/**
 * Files, folders, versions and the journal. Each write is one transaction that updates the file
 * rows, appends the immutable version (for commits), adjusts block reference counts, appends to
 * the namespace's journal and records an activity event, so readers never see half a change.
 *
 * Every write takes an optional `access` (metadata/write-access.ts): who writes and what their
 * paths resolved to when the request began. The store resolves them again inside the write's
 * transaction and, when they no longer resolve the same with the role needed, writes nothing and
 * returns the AccessOutcome. Requests made for a user always pass it; only internal callers and
 * store tests omit it.
 */
import type {
  BlockId,
  FileBlock,
  FileId,
  NamespaceId,
  RemotePath,
  Rev,
} from 'sync-engine/protocol';
import type {
  Actor,
  EntryRecord,
  JournalRecord,
  NamespaceRecord,
  VersionRecord,
} from './records.js';
import type { JournalPosition } from '../journal/journal-position.js';
import type { AccessOutcome, WriteAccess } from './write-access.js';

export interface CommitInput {
  readonly namespace: NamespaceId;
  readonly path: RemotePath;
  readonly blocks: readonly BlockId[];
  /** Plaintext size of the whole file in bytes: the sum of its blocks' sizes (from the block rows). */
  readonly size: number;
  readonly contentHash: string;
  readonly modifiedMs: number;
  /** Based-on revision; ignored when `force` (restore). */
  readonly parentRev: Rev | null;
  readonly force?: boolean;
  /** Activity kind override (restore). */
  readonly restoredFrom?: Rev;
  /**
   * Restore: when no file lives at the path, bring back this deleted file (the one the restored
   * revision belongs to) rather than the most recently deleted one there.
   */
  readonly reviveFileId?: FileId;
  readonly actor: Actor;
  /** Most versions kept for the file; older ones are dropped in the same transaction. */
  readonly versionLimit: number;
  readonly access?: WriteAccess;
}

/** What a commit led to. Conflicts are results, not exceptions: the route decides the status. */
export type CommitOutcome =
  | {
      readonly kind: 'committed';
      readonly entry: EntryRecord;
      readonly created: boolean;
      /** The namespace's journal position after the commit (to publish on the bus). */
      readonly seq: number;
    }
  | { readonly kind: 'rev_conflict'; readonly currentRev: Rev | null }
  | { readonly kind: 'missing_blocks'; readonly missing: BlockId[] }
  | { readonly kind: 'path_conflict'; readonly message: string }
  | InvalidPathOutcome
  | AccessOutcome;

/**
 * A new path would break the path length rule in some member's view (a share seen under a
 * longer mount point, or a move lengthening the paths below it). Nothing was written.
 */
export interface InvalidPathOutcome {
  readonly kind: 'invalid_path';
  readonly message: string;
}

export type MkdirOutcome =
  | { readonly kind: 'created' | 'exists'; readonly entry: EntryRecord; readonly seq: number }
  | { readonly kind: 'path_conflict'; readonly message: string }
  | InvalidPathOutcome
  | AccessOutcome;

/** What must still hold for a delete to go, checked in its transaction (docs/protocol.md). */
export interface DeleteCondition {
  /** The entry is a file at this revision. */
  readonly rev?: Rev;
  /** Nothing at or under the path was journaled after this position of its namespace. */
  readonly unchangedSince?: JournalPosition;
}

export type DeleteOutcome =
  | { readonly kind: 'deleted'; readonly count: number; readonly seq: number }
  | { readonly kind: 'not_found' }
  /** `rev` was given and the entry is not a file at that revision (null: a folder). */
  | { readonly kind: 'rev_conflict'; readonly currentRev: Rev | null }
  /** `unchangedSince` was given and `path` (at or under the path) was journaled after it. */
  | { readonly kind: 'path_changed'; readonly path: RemotePath }
  /** `unchangedSince` cannot tell (pruned since, or ahead of the namespace): the message says. */
  | { readonly kind: 'cursor_expired'; readonly message: string }
  /** A shared folder is at or below the path (made shared after the route looked). */
  | { readonly kind: 'path_conflict'; readonly message: string }
  | AccessOutcome;

export type MoveOutcome =
  | {
      readonly kind: 'moved';
      readonly count: number;
      readonly entry: EntryRecord;
      readonly seq: number;
    }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'path_conflict'; readonly message: string }
  | InvalidPathOutcome
  | AccessOutcome;

export interface AnnounceInput {
  readonly namespace: NamespaceId;
  readonly path: RemotePath;
  readonly size: number;
  readonly modifiedMs: number;
  /** The file's block list, when the uploader knows it before sending (streaming sync). */
  readonly blocks?: readonly FileBlock[];
  readonly actor: Actor;
  readonly access?: WriteAccess;
}

/** A pending file and the block list its announce brought. */
export interface AnnouncedBlocks {
  readonly entry: EntryRecord;
  /** As announced (an existing file's row keeps its committed modified time until the commit). */
  readonly modified: number;
  readonly blocks: readonly FileBlock[];
}

/** What GET /changes asks: a user's root, their cursor's positions and the page size. */
export interface ChangeSnapshotInput {
  readonly root: NamespaceId;
  /** Journal position per namespace; a namespace absent here is read from 0. */
  readonly positions: ReadonlyMap<NamespaceId, number>;
  /** Most entries in total, over all namespaces. */
  readonly limit: number;
}

/** One consistent snapshot of a user's journals (see `readChangeSnapshot`). */
export interface ChangeSnapshot {
  /** The root's live mount folders, by path: the user's view at the snapshot. */
  readonly mounts: readonly EntryRecord[];
  /** The root first, then each mounted namespace in the order of `mounts`. */
  readonly namespaces: ReadonlyArray<{
    readonly record: NamespaceRecord;
    /** Entries after the namespace's position, oldest first: at most `room`. */
    readonly entries: readonly JournalRecord[];
    /** How many entries the page still had room for when this namespace was read. */
    readonly room: number;
  }>;
}

export interface FileStore {
  /** The live entry at `path`, or `undefined`. The root `/` is never stored: callers special-case it. */
  getEntry(namespace: NamespaceId, path: RemotePath): Promise<EntryRecord | undefined>;
  /** The live entry, or else the most recently deleted one at `path` (history of deleted files). */
  getEntryOrTombstone(namespace: NamespaceId, path: RemotePath): Promise<EntryRecord | undefined>;
  /**
   * Every file that has lived at `path` and still has its history there: the live file (when a
   * file lives at `path`) first, then each file deleted at `path`, most recently deleted first.
   * A file moved away is not among them: its history went with it.
   */
  listFilesAt(namespace: NamespaceId, path: RemotePath): Promise<EntryRecord[]>;
  /** Live children of `folder` (every descendant when `recursive`), ordered by path. */
  listEntries(
    namespace: NamespaceId,
    folder: RemotePath,
    recursive: boolean,
  ): Promise<EntryRecord[]>;
  /** Live folders of `namespace` where another namespace is mounted (top level of a root). */
  listMounts(namespace: NamespaceId): Promise<EntryRecord[]>;
  commitFile(input: CommitInput): Promise<CommitOutcome>;
  /**
   * Group commit: each input exactly as `commitFile` would (its access checked, all or nothing
   * for it), in order, all in one transaction, so a later commit sees the earlier ones. Outcomes
   * in input order. An unexpected failure writes none of them.
   */
  commitFiles(inputs: readonly CommitInput[]): Promise<CommitOutcome[]>;
  /** Marks a path `pending` (a file being uploaded); creates the file row when new. */
  announceFile(input: AnnounceInput): Promise<CommitOutcome>;
  /** The live file at `path` when it is pending with an announced block list; else undefined. */
  getAnnouncedBlocks(
    namespace: NamespaceId,
    path: RemotePath,
  ): Promise<AnnouncedBlocks | undefined>;
  /** Creates a folder and any missing ancestors; `exists` when it already is a folder. */
  createFolder(
    namespace: NamespaceId,
    path: RemotePath,
    actor: Actor,
    access?: WriteAccess,
  ): Promise<MkdirOutcome>;
  /**
   * Deletes a file, or a folder with everything below it; versions are kept. With `condition`,
   * only if it holds, in the same transaction (else nothing is written).
   */
  deleteEntry(
    namespace: NamespaceId,
    path: RemotePath,
    actor: Actor,
    access?: WriteAccess,
    condition?: DeleteCondition,
  ): Promise<DeleteOutcome>;
  /** Moves a file or a folder (with everything below); file ids, and so history, follow. */
  moveEntry(input: {
    namespace: NamespaceId;
    from: RemotePath;
    to: RemotePath;
    actor: Actor;
    /** `from` and `to`, as the user named them. */
    access?: WriteAccess;
  }): Promise<MoveOutcome>;
  /** Versions of a file, newest first. */
  listVersions(namespace: NamespaceId, fileId: string, limit: number): Promise<VersionRecord[]>;
  getVersion(namespace: NamespaceId, rev: Rev): Promise<VersionRecord | undefined>;
  /**
   * In one consistent snapshot: the mounts of `root`, and for the root and each mounted
   * namespace (in that order) its record and its entries after its position, at most `limit`
   * in total. GET /changes reads only this, so a page never mixes two states of the world.
   */
  readChangeSnapshot(input: ChangeSnapshotInput): Promise<ChangeSnapshot>;
  /** Journal entries of `namespace` with seq > `afterSeq`, oldest first. */
  readJournal(namespace: NamespaceId, afterSeq: number, limit: number): Promise<JournalRecord[]>;
  /** Drops deleted-entry tombstones older than `beforeMs`; raises each namespace's prunedSeq. */
  pruneJournal(beforeMs: number): Promise<number>;
  /** Files with more than one version (candidates for thinning), a page at a time. */
  listFilesWithHistory(afterFileId: string, limit: number): Promise<string[]>;
  /** Every version of a file as (rev, committed time), newest first: input of thinning. */
  listVersionTimes(fileId: string): Promise<Array<{ rev: Rev; committedMs: number }>>;
  /** Drops the given old versions of a file (never its current one) and their block references. */
  dropVersions(fileId: string, revs: readonly Rev[]): Promise<number>;
  /**
   * Ends announces older than `beforeMs` that got no commit: a new file disappears, an existing
   * one goes back to `uploaded`. Returns the journal positions written, to publish.
   */
  expirePendingFiles(
    beforeMs: number,
    nowMs: number,
  ): Promise<Array<{ namespace: NamespaceId; seq: number }>>;
}
