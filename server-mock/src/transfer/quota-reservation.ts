/**
 * One upload's hold on its namespace owner's quota (metadata/quota-store.ts): grown before any
 * new block's bytes are written, consumed as the blocks are recorded, released when the upload
 * ends. Growing it is the atomic quota check, so parallel uploads never overcommit; a refusal
 * comes before the bytes are stored.
 *
 * A request's own reservation (not a resumable session's) is a lease: it expires
 * REQUEST_LEASE_MS after it was last renewed, and is renewed while the request runs. On one
 * server, a crash's leftovers are dropped at the next start; with several instances sharing a
 * database none can tell another's requests from a crashed one's, so a crashed instance's
 * reservations lapse within the lease instead of holding the owner's quota for a session TTL.
 */
import type { NamespaceId, UserId } from 'sync-engine/protocol';
import type { ServerConfig } from '../config.js';
import { assertNever, ServerError } from '../errors.js';
import type { MetadataStore } from '../metadata/metadata-store.js';
import type { QuotaRefusal } from '../metadata/quota-store.js';
import { createId } from '../new-ids.js';
import { evenIfAbandoned } from '../request-signal.js';

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

/** How long a request's reservation outlives the last renewal (renewed every third of it). */
export const REQUEST_LEASE_MS = 2 * 60_000;

export class QuotaReservation {
  private renewal: NodeJS.Timeout | undefined;
  /** The namespace the reservation holds bytes for, once it holds any. */
  private heldIn: NamespaceId | undefined;

  private constructor(
    private readonly deps: QuotaReservationDeps,
    readonly id: string,
    private readonly writerId: UserId,
    /** What the upload writes, for messages (a user path, or a namespace). */
    private readonly label: string,
    /** Set for a request's reservation: it is a lease, renewed while the request runs. */
    private readonly leaseMs?: number,
  ) {}

  /** A new reservation (nothing held until `ensure`). */
  static create(
    deps: QuotaReservationDeps,
    options: { writerId: UserId; label: string },
  ): QuotaReservation {
    return new QuotaReservation(
      deps,
      createId('reservation'),
      options.writerId,
      options.label,
      REQUEST_LEASE_MS,
    );
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
    const outcome = await this.reserve(namespace, bytes);
    switch (outcome.kind) {
      case 'reserved':
        this.heldIn = namespace;
        this.renewWhileHeld();
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
    clearInterval(this.renewal);
    this.renewal = undefined;
    this.heldIn = undefined;
    // Also when the client left (request-signal.ts): what it held goes back now.
    await evenIfAbandoned(() => this.deps.store.releaseQuota(this.id));
  }

  private async reserve(namespace: NamespaceId, bytes: number) {
    const nowMs = this.deps.now();
    return await this.deps.store.reserveQuota({
      id: this.id,
      namespace,
      bytes,
      writerId: this.writerId,
      nowMs,
      expiresMs: nowMs + (this.leaseMs ?? this.deps.config.uploadSessionTtlMs),
    });
  }

  /** A lease is renewed every third of its length until release (a failed renewal waits for the next). */
  private renewWhileHeld(): void {
    if (this.leaseMs === undefined || this.renewal !== undefined) return;
    this.renewal = setInterval(() => {
      if (this.heldIn === undefined) return;
      // Asking for nothing more only moves the expiry (what was consumed stays consumed).
      this.reserve(this.heldIn, 0).catch(() => undefined);
    }, this.leaseMs / 3);
    this.renewal.unref();
  }
}
