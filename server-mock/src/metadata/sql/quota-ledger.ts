/**
 * SQLite implementation of QuotaStore (metadata/quota-store.ts), plus the synchronous pieces
 * other table groups call inside their own transactions: a resumable session reserves its size
 * in the transaction that creates it, and recording a block consumes the reservation it was
 * reserved under in the transaction that records it.
 */
import type { NamespaceId, UserId } from 'sync-engine/protocol';
import type { QuotaStore, ReserveQuotaInput, ReserveQuotaOutcome } from '../quota-store.js';
import { NO_EXCLUSION, type SqlContext } from './sql-context.js';
import type { WriteAccessGuard } from './write-access-guard.js';

/** Reservations without a session: their requests ended with the server that held them. */
export const RELEASE_ABANDONED_SQL =
  'DELETE FROM quota_reservation WHERE id NOT IN (SELECT id FROM upload_session)';

export class QuotaLedger {
  constructor(
    private readonly ctx: SqlContext,
    private readonly guard: WriteAccessGuard,
  ) {}

  /** QuotaStore.reserveQuota; the caller holds the (IMMEDIATE) transaction. */
  async reserve(input: ReserveQuotaInput): Promise<ReserveQuotaOutcome> {
    if (!(await this.guard.canWrite(input.writerId, input.namespace)))
      return { kind: 'no_write_access' };
    const owner = (await this.ctx
      .stmt(
        'SELECT n.owner_id, u.quota_bytes FROM namespace n JOIN user u ON u.id = n.owner_id WHERE n.id = ?',
      )
      .get(input.namespace)) as { owner_id: UserId; quota_bytes: number } | undefined;
    if (!owner) throw new Error(`no namespace ${input.namespace}`);
    const row = (await this.ctx
      .stmt('SELECT owner_id, bytes, expires_ms FROM quota_reservation WHERE id = ?')
      .get(input.id)) as { owner_id: UserId; bytes: number; expires_ms: number } | undefined;
    // What the reservation holds now, as counted below (an expired one counts for nothing).
    const held =
      row && row.owner_id === owner.owner_id && row.expires_ms >= input.nowMs ? row.bytes : 0;
    if (held < input.bytes) {
      const used = await this.usedOf(owner.owner_id);
      const reserved = await this.reservedOf(owner.owner_id, input.nowMs);
      const needed = input.bytes - held;
      if (used + reserved + needed > owner.quota_bytes) {
        return {
          kind: 'quota_exceeded',
          usedBytes: used,
          reservedBytes: reserved - held,
          quotaBytes: owner.quota_bytes,
          neededBytes: needed,
        };
      }
    }
    await this.ctx
      .stmt(
        `INSERT INTO quota_reservation (id, owner_id, namespace_id, bytes, expires_ms)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET owner_id = excluded.owner_id,
           namespace_id = excluded.namespace_id, bytes = excluded.bytes,
           expires_ms = excluded.expires_ms`,
      )
      .run(input.id, owner.owner_id, input.namespace, Math.max(held, input.bytes), input.expiresMs);
    return { kind: 'reserved' };
  }

  /** Moves up to `bytes` of reservation `id` into use (a block of `namespace` was recorded). */
  async consume(id: string, namespace: NamespaceId, bytes: number): Promise<void> {
    await this.ctx
      .stmt(
        `UPDATE quota_reservation SET bytes = MAX(0, bytes - ?)
         WHERE id = ? AND owner_id = (SELECT owner_id FROM namespace WHERE id = ?)`,
      )
      .run(bytes, id, namespace);
  }

  async release(id: string): Promise<void> {
    await this.ctx.stmt('DELETE FROM quota_reservation WHERE id = ?').run(id);
  }

  async reservedOf(ownerId: UserId, nowMs: number): Promise<number> {
    const row = (await this.ctx
      .stmt(
        `SELECT COALESCE(SUM(bytes), 0) AS reserved FROM quota_reservation
         WHERE owner_id = ? AND expires_ms >= ?`,
      )
      .get(ownerId, nowMs)) as { reserved: number };
    return row.reserved;
  }

  /**
   * Drops every reservation but resumable sessions' (which survive restarts with their
   * sessions). Only at open: the embedded store serves one server process, so any other
   * reservation found then belongs to a request that a crash ended.
   */
  async releaseAbandoned(): Promise<number> {
    return this.ctx.write(async () => (await this.ctx.stmt(RELEASE_ABANDONED_SQL).run()).changes);
  }

  private async usedOf(ownerId: UserId): Promise<number> {
    const row = (await this.ctx
      .stmt('SELECT COALESCE(SUM(used_bytes), 0) AS used FROM namespace WHERE owner_id = ?')
      .get(ownerId)) as { used: number };
    return row.used;
  }
}

/** The QuotaStore methods over `ledger`. */
export function createQuotaTables(ctx: SqlContext, ledger: QuotaLedger): QuotaStore {
  return {
    async reserveQuota(input) {
      return ctx.write(async () => await ledger.reserve(input), {
        namespaces: [input.namespace],
      });
    },
    async releaseQuota(id) {
      await ctx.write(async () => await ledger.release(id), NO_EXCLUSION);
    },
    async reservedBytesOf(userId, nowMs) {
      return await ledger.reservedOf(userId, nowMs);
    },
    async expireQuotaReservations(nowMs) {
      return ctx.write(
        async () =>
          (await ctx.stmt('DELETE FROM quota_reservation WHERE expires_ms < ?').run(nowMs)).changes,
      );
    },
  };
}
