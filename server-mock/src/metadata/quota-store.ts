/**
 * Quota reservations (SPEC: over quota → 507; issue 7, item 2). Checking usage and writing later
 * lets parallel uploads each see room that only one of them can have. So every byte an upload
 * will add is reserved first, in one transaction that checks
 *   used + open reservations (resumable sessions included) + the new bytes <= quota
 * for the namespace's owner and inserts the reservation; recording a block then turns reserved
 * bytes into used ones (recordBlock), and the upload releases what is left when it ends. A
 * reservation a crash left behind expires (uploadSessionTtlMs after its last growth), is no
 * longer counted once expired, and is deleted by the storage policy.
 */
import type { NamespaceId, UserId } from 'sync-engine/protocol';

export interface ReserveQuotaInput {
  /** The reservation: a fresh id per upload or block PUT, a session's id for its session. */
  readonly id: string;
  /** Where the bytes will be stored; its owner's quota is charged. */
  readonly namespace: NamespaceId;
  /** The reservation must hold at least this many bytes afterwards. */
  readonly bytes: number;
  /** The uploading user: refused (`no_write_access`) unless they may write in `namespace`. */
  readonly writerId: UserId;
  readonly nowMs: number;
  readonly expiresMs: number;
}

/** The owner's figures when a reservation does not fit. */
export interface QuotaRefusal {
  readonly kind: 'quota_exceeded';
  readonly usedBytes: number;
  /** Held by other uploads in progress (open reservations and resumable sessions). */
  readonly reservedBytes: number;
  readonly quotaBytes: number;
  /** What the reservation needed on top of what it held. */
  readonly neededBytes: number;
}

export type ReserveQuotaOutcome =
  { readonly kind: 'reserved' } | QuotaRefusal | { readonly kind: 'no_write_access' };

export interface QuotaStore {
  /**
   * Makes reservation `id` hold at least `bytes` for the owner of `namespace`: checked and
   * written in one transaction, so parallel reservations never overcommit the quota. Growing a
   * reservation checks only the growth; one that already holds enough just has its expiry moved.
   */
  reserveQuota(input: ReserveQuotaInput): Promise<ReserveQuotaOutcome>;
  /** Drops a reservation (what it still held is free again); no-op when absent. */
  releaseQuota(id: string): Promise<void>;
  /** Bytes `userId`'s open (unexpired) reservations hold, resumable sessions included. */
  reservedBytesOf(userId: UserId, nowMs: number): Promise<number>;
  /** Deletes reservations that expired before `nowMs` (run by the storage policy). */
  expireQuotaReservations(nowMs: number): Promise<number>;
}
