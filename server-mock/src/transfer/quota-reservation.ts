/**
 * One upload's hold on its namespace owner's quota (metadata/quota-store.ts): grown before any
 * new block's bytes are written, consumed as the blocks are recorded, released when the upload
 * ends. Growing it is the atomic quota check, so parallel uploads never overcommit; a refusal
 * comes before the bytes are stored.
 */
import type { NamespaceId, UserId } from 'sync-engine/protocol';
import type { ServerConfig } from '../config.js';
import { assertNever, ServerError } from '../errors.js';
import type { MetadataStore } from '../metadata/metadata-store.js';
import type { QuotaRefusal } from '../metadata/quota-store.js';
import { createId } from '../new-ids.js';

/** What a reservation uses of the server (a ServerContext is one). */
export interface QuotaReservationDeps {
  readonly store: Pick<MetadataStore, 'reserveQuota' | 'releaseQuota'>;
  /** A reservation left behind by a crash expires after the upload session TTL. */
  readonly config: Pick<ServerConfig, 'uploadSessionTtlMs'>;
  readonly now: () => number;
}

/** The 507 for a refused reservation, with the owner's figures. */
export function quotaExceededError(refusal: QuotaRefusal): ServerError {
  return new ServerError(
    'quota_exceeded',
    `storage quota exceeded: ${refusal.usedBytes} of ${refusal.quotaBytes} bytes used, ` +
      `${refusal.reservedBytes} reserved by uploads in progress, ${refusal.neededBytes} more needed`,
  );
}

export class QuotaReservation {
  private constructor(
    private readonly deps: QuotaReservationDeps,
    readonly id: string,
    private readonly writerId: UserId,
    /** What the upload writes, for messages (a user path, or a namespace). */
    private readonly label: string,
  ) {}

  /** A new reservation (nothing held until `ensure`). */
  static create(
    deps: QuotaReservationDeps,
    options: { writerId: UserId; label: string },
  ): QuotaReservation {
    return new QuotaReservation(deps, createId('reservation'), options.writerId, options.label);
  }

  /** The reservation a resumable session made when it started (same id as the session). */
  static ofSession(
    deps: QuotaReservationDeps,
    session: { id: string; userId: UserId; userPath: string },
  ): QuotaReservation {
    return new QuotaReservation(deps, session.id, session.userId, session.userPath);
  }

  /**
   * Makes the reservation hold at least `bytes` for `namespace`'s owner. Throws quota_exceeded
   * (507) when that does not fit, forbidden when the writer may no longer write there.
   */
  async ensure(namespace: NamespaceId, bytes: number): Promise<void> {
    const nowMs = this.deps.now();
    const outcome = await this.deps.store.reserveQuota({
      id: this.id,
      namespace,
      bytes,
      writerId: this.writerId,
      nowMs,
      expiresMs: nowMs + this.deps.config.uploadSessionTtlMs,
    });
    switch (outcome.kind) {
      case 'reserved':
        return;
      case 'quota_exceeded':
        throw quotaExceededError(outcome);
      case 'no_write_access':
        throw new ServerError(
          'forbidden',
          `you can no longer write to ${this.label}; nothing was stored`,
        );
      default:
        assertNever(outcome);
    }
  }

  /** Gives back whatever is still held. */
  async release(): Promise<void> {
    await this.deps.store.releaseQuota(this.id);
  }
}
