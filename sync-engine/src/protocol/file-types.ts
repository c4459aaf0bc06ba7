/**
 * Wire shapes of the file endpoints: upload, commit, download, block lists, list, revisions,
 * restore, tree operations. Times are epoch milliseconds; sizes are plaintext bytes.
 */
import type { BlockId, Cursor, DeviceId, FileId, NamespaceId, Rev, UserId } from './ids.js';

/** Upload state of a file: `pending` between an announce and its commit. */
export type FileStatus = 'pending' | 'uploaded';

/** The metadata of one file at one revision (the answer of upload, commit and restore). */
export interface FileMetadata {
  readonly type: 'file';
  readonly path: string;
  readonly fileId: FileId;
  readonly namespace: NamespaceId;
  readonly rev: Rev;
  /** Plaintext size in bytes. */
  readonly size: number;
  /** SHA-256 (hex) of the concatenated block ids: equal contents give equal hashes. */
  readonly contentHash: string;
  /** Modification time the uploading device reported, epoch milliseconds. */
  readonly modified: number;
  readonly status: FileStatus;
}

/** A folder in a listing. `mount` is set on the folder where a share is mounted. */
export interface FolderMetadata {
  readonly type: 'folder';
  readonly path: string;
  readonly fileId: FileId;
  readonly namespace: NamespaceId;
  /** The shared namespace mounted here, and the caller's role in it. */
  readonly mount?: { readonly namespace: NamespaceId; readonly role: ShareRole };
}

/** A file or a folder. */
export type EntryMetadata = FileMetadata | FolderMetadata;

/** A role in a shared folder. */
export type ShareRole = 'viewer' | 'editor';

/** POST /files/commit body: make a new version of `path` out of blocks already uploaded. */
export interface CommitRequest {
  readonly path: string;
  /** The namespace's blocks, in file order. Empty for an empty file. */
  readonly blocks: readonly BlockId[];
  /** Plaintext size in bytes; must equal the sum of the blocks' sizes. */
  readonly size: number;
  /** The file's modification time on the device, epoch milliseconds. */
  readonly modified: number;
  /** The revision this edit was based on; null/absent for a new file. */
  readonly parentRev?: Rev | null;
}

/** POST /files/announce body: say a file is coming (status `pending` until its commit). */
export interface AnnounceRequest {
  readonly path: string;
  /** Plaintext size in bytes of the file that is coming. */
  readonly size: number;
  /** The file's modification time on the device, epoch milliseconds. */
  readonly modified: number;
  /**
   * The block list that is coming, in file order (sizes add up to `size`), when the uploader
   * knows it before sending: other devices may then fetch each block as soon as it is stored
   * (GET /files/announced_blocks, GET /blocks/{namespace}/{id}?waitMs=). Streaming sync.
   */
  readonly blocks?: readonly FileBlock[];
}

/** One block of a file version: its id (SHA-256 hex of the plaintext) and plaintext size. */
export interface FileBlock {
  readonly id: BlockId;
  /** Plaintext size in bytes. */
  readonly size: number;
}

/**
 * GET /files/blocks response: the block list of one version of a file (the current one, or
 * `rev=`), so a client fetches only the blocks it lacks with GET /blocks/{namespace}/{id}.
 * The sizes add up to `size`; concatenating the blocks' plaintexts gives the file's bytes.
 */
export interface FileBlocksResponse {
  readonly path: string;
  readonly fileId: FileId;
  /** The namespace holding the blocks, whose key encrypts them: the one to GET them from. */
  readonly namespace: NamespaceId;
  readonly rev: Rev;
  /** Plaintext size in bytes. */
  readonly size: number;
  /** SHA-256 (hex) of the concatenated block ids (FileMetadata.contentHash). */
  readonly contentHash: string;
  /** Modification time the uploading device reported, epoch milliseconds. */
  readonly modified: number;
  /** In file order; a block repeated in the file is listed each time. Empty for an empty file. */
  readonly blocks: readonly FileBlock[];
}

/**
 * GET /files/announced_blocks response: the block list a pending file's announce brought. The
 * blocks may not all be stored yet: GET /blocks/{namespace}/{id}?waitMs=N waits for one. What
 * gets committed may still differ (check the commit's block list).
 */
export interface AnnouncedBlocksResponse {
  readonly path: string;
  readonly fileId: FileId;
  /** The namespace the blocks are uploaded to. */
  readonly namespace: NamespaceId;
  /** Plaintext size in bytes, as announced. */
  readonly size: number;
  /** SHA-256 (hex) of the concatenated announced block ids. */
  readonly contentHash: string;
  /** Modification time as announced, epoch milliseconds. */
  readonly modified: number;
  readonly blocks: readonly FileBlock[];
}

/** GET /files/list response. */
export interface ListResponse {
  readonly entries: readonly EntryMetadata[];
}

/** One entry of GET /files/list_revisions: grouped by file (see `files`), each newest first. */
export interface RevisionMetadata {
  readonly rev: Rev;
  /** The file this revision belongs to: one of the files that have lived at the path. */
  readonly fileId: FileId;
  /** Plaintext size in bytes. */
  readonly size: number;
  readonly contentHash: string;
  /** Modification time the uploading device reported, epoch milliseconds. */
  readonly modified: number;
  /** When the server committed it, epoch milliseconds. */
  readonly committed: number;
  readonly deviceId: DeviceId | null;
  readonly deviceName: string | null;
  readonly author: string;
  readonly authorId: UserId;
}

/** A file that has lived at a path: the one living there now, or one deleted there. */
export interface HistoryFile {
  readonly fileId: FileId;
  readonly deleted: boolean;
}

/**
 * GET /files/list_revisions response: the history of every file that has lived at the path
 * (the live file first, then the files deleted there, most recently deleted first), or of the
 * one named by the `fileId` query parameter. `limit` caps `revisions` in total.
 */
export interface ListRevisionsResponse {
  /** The first of `files`: the live file, else the most recently deleted one. */
  readonly fileId: FileId;
  readonly files: readonly HistoryFile[];
  readonly revisions: readonly RevisionMetadata[];
}

/**
 * POST /files/restore body. `rev` may belong to any file that has lived at `path`; its content
 * becomes the newest version of the file living there (when none does, the deleted file `rev`
 * belongs to lives again, its history continued).
 */
export interface RestoreRequest {
  readonly path: string;
  readonly rev: Rev;
}

/** POST /files/mkdir body. */
export interface PathRequest {
  readonly path: string;
}

/**
 * What must still hold on the server for a delete to go (docs/protocol.md "Files"), checked in
 * the delete's transaction; either, both or none.
 */
export interface DeletePrecondition {
  /** The file's current revision is this one (else 409 `rev_conflict`; a folder: also 409). */
  readonly rev?: Rev;
  /**
   * Nothing at or under the path was journaled after this cursor (else 409 `path_changed`; a
   * cursor too old or ahead of the server to tell: 410 `cursor_expired`).
   */
  readonly unchangedSince?: Cursor;
}

/** POST /files/delete body: without a precondition the path goes whatever it holds now. */
export interface DeleteRequest extends DeletePrecondition {
  readonly path: string;
}

/** POST /files/move body: moves a file or a whole folder; history follows the file ids. */
export interface MoveRequest {
  readonly from: string;
  readonly to: string;
}

/** POST /files/delete response. */
export interface DeleteResponse {
  readonly path: string;
  /** How many entries (the path and, for a folder, everything below) were deleted. */
  readonly deleted: number;
}

/** POST /files/move response. */
export interface MoveResponse {
  readonly from: string;
  readonly to: string;
  readonly moved: number;
}

/** POST /files/commit 412 body extra: the blocks to upload first. */
export interface MissingBlocksDetail {
  readonly missing: readonly BlockId[];
}

/** POST /files/commit 409 body extra: the revision that won. */
export interface RevConflictDetail {
  readonly currentRev: Rev | null;
}
