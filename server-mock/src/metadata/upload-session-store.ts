/**
 * Resumable upload sessions (SPEC "HTTP API": uploadType=resumable). The bytes received so far
 * sit in a staging file; the row records how many are durable, so a session survives a restart.
 */
import type { DeviceId, NamespaceId, RemotePath, Rev, UserId } from 'sync-engine/protocol';
import type { ReserveQuotaOutcome } from './quota-store.js';

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

/** A session is created with its quota reservation, or not at all. */
export type CreateUploadSessionOutcome =
  { readonly kind: 'created' } | Exclude<ReserveQuotaOutcome, { readonly kind: 'reserved' }>;

export interface UploadSessionStore {
  /**
   * Creates the session and, in the same transaction, reserves its `totalBytes` of the
   * namespace owner's quota under the session's id (QuotaStore), after checking that they fit
   * and that the user may write there. The session's blocks consume that reservation when the
   * upload finishes.
   */
  createUploadSession(session: UploadSessionRecord): Promise<CreateUploadSessionOutcome>;
  getUploadSession(id: string): Promise<UploadSessionRecord | undefined>;
  setUploadReceived(id: string, receivedBytes: number): Promise<void>;
  /** Deletes the session and what is left of its quota reservation. */
  deleteUploadSession(id: string): Promise<void>;
  /** Sessions whose expiry is before `nowMs`. */
  listExpiredUploadSessions(nowMs: number, limit: number): Promise<UploadSessionRecord[]>;
}
