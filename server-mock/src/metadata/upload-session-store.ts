/**
 * Resumable upload sessions (SPEC "HTTP API": uploadType=resumable). The bytes received so far
 * sit in a staging file; the row records how many are durable, so a session survives a restart.
 */
import type {
  DeviceId,
  NamespaceId,
  RemotePath,
  Rev,
  UserId,
} from '../../../sync-engine/src/protocol/index.js';

export interface UploadSessionRecord {
  readonly id: string;
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  readonly namespace: NamespaceId;
  /** Path inside the namespace. */
  readonly path: RemotePath;
  /** Path as the user named it. */
  readonly userPath: RemotePath;
  readonly totalBytes: number;
  /** Bytes durably in the staging file. */
  readonly receivedBytes: number;
  readonly parentRev: Rev | null;
  readonly modifiedMs: number;
  readonly createdMs: number;
  readonly expiresMs: number;
}

export interface UploadSessionStore {
  createUploadSession(session: UploadSessionRecord): Promise<void>;
  getUploadSession(id: string): Promise<UploadSessionRecord | undefined>;
  setUploadReceived(id: string, receivedBytes: number): Promise<void>;
  deleteUploadSession(id: string): Promise<void>;
  /** Total size of the open sessions into namespaces `userId` owns (reserved quota). */
  reservedUploadBytesOf(userId: UserId): Promise<number>;
  /** Sessions whose expiry is before `nowMs`. */
  listExpiredUploadSessions(nowMs: number, limit: number): Promise<UploadSessionRecord[]>;
}
