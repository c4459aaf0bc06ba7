/**
 * Wire shapes of the journal: GET /changes/latest_cursor, GET /changes, long-poll, activity.
 * Cursors are opaque to clients; their encoding is described in docs/protocol.md.
 */
import type { ActivityCursor, Cursor, NamespaceId, UserId } from './ids.js';
import type { FileMetadata, FolderMetadata } from './file-types.js';

/**
 * One change, as seen by the user asking: the new state of `path` (paths are in the user's
 * view, shared folders appear under their mount). A move is a `deleted` entry at the old path
 * and an entry with the same `fileId` at the new one (with `movedFrom`).
 */
export type ChangeEntry =
  | (Omit<FileMetadata, 'type'> & {
      readonly tag: 'file';
      readonly movedFrom?: string;
    })
  | (Omit<FolderMetadata, 'type'> & {
      readonly tag: 'folder';
      readonly movedFrom?: string;
    })
  | (Pick<FolderMetadata, 'path' | 'fileId' | 'namespace'> & {
      readonly tag: 'deleted';
    });

/** GET /changes/latest_cursor response. */
export interface LatestCursorResponse {
  readonly cursor: Cursor;
}

/** GET /changes response. Call again with `cursor` while `hasMore`. */
export interface ChangesResponse {
  readonly entries: readonly ChangeEntry[];
  readonly cursor: Cursor;
  readonly hasMore: boolean;
}

/** GET /notifications/longpoll response. */
export interface LongPollResponse {
  /** True when the user's journal moved past the cursor: call GET /changes. */
  readonly changes: boolean;
  /** Seconds (not milliseconds) the client should wait before the next long-poll, when asked. */
  readonly backoff?: number;
}

/** What an activity event reports. */
export type ActivityKind =
  | 'file_added'
  | 'file_edited'
  | 'file_deleted'
  | 'file_moved'
  | 'file_restored'
  | 'folder_created'
  | 'folder_shared'
  | 'share_changed'
  | 'share_revoked';

/** One user-facing event: who did what to which path, when. */
export interface ActivityEvent {
  /** The event's position in the activity feed (increasing). */
  readonly id: number;
  readonly kind: ActivityKind;
  readonly path: string;
  /** For moves, the old path. */
  readonly fromPath?: string;
  readonly namespace: NamespaceId;
  /** The actor's display name. */
  readonly actor: string;
  readonly actorId: UserId;
  readonly deviceName: string | null;
  /** When it happened, epoch milliseconds. */
  readonly time: number;
}

/** GET /activity response: events after the cursor, oldest first. */
export interface ActivityResponse {
  readonly events: readonly ActivityEvent[];
  /** Pass back as `cursor` for the events after these. */
  readonly cursor: ActivityCursor;
  readonly hasMore: boolean;
}
