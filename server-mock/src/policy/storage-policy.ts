/**
 * One pass of the storage policy (SPEC "Storage policy"), in its order: journal tombstone
 * retention, expiry of stale announces, upload sessions and quota reservations, version
 * thinning, abandoning dead folder conversions, garbage collection and cold tiering. Each step
 * lives in its own module; this one only orders them. The policy timer decides when it runs.
 */
import type { ServerContext } from '../server-context.js';
import { CONVERSION_IDLE_TIMEOUT_MS } from '../sharing/convert-blocks.js';
import { expireUploads } from '../transfer/resumable-upload.js';
import { moveIdleBlocksToCold } from './cold-tiering.js';
import { GarbageCollector } from './garbage-collection.js';
import { thinningPolicyWithLimit, thinVersions } from './version-thinning.js';

/** What a pass uses of the server. */
export type StoragePolicyDeps = Pick<
  ServerContext,
  'config' | 'store' | 'blocks' | 'bus' | 'blockLock' | 'now' | 'shutdownSignal'
>;

/** The storage policy of one server; keep one instance so GC's orphan sightings persist. */
export class StoragePolicy {
  private readonly gc: GarbageCollector;

  constructor(private readonly ctx: StoragePolicyDeps) {
    this.gc = new GarbageCollector({
      blockStore: ctx.blocks,
      references: ctx.store,
      graceMs: ctx.config.gcGraceMs,
      blockLock: ctx.blockLock,
    });
  }

  /** One full pass; stops between blocks when the server shuts down. */
  async runOnce(): Promise<void> {
    const { ctx } = this;
    const nowMs = ctx.now();
    const signal = ctx.shutdownSignal;
    await ctx.store.pruneJournal(nowMs - ctx.config.journalRetentionMs);
    await ctx.store.expirePendingFiles(nowMs - ctx.config.uploadSessionTtlMs, nowMs);
    await expireUploads(ctx, nowMs);
    // Reservations of requests a crash (of another instance, say) ended: no longer counted once
    // expired, deleted here.
    await ctx.store.expireQuotaReservations(nowMs);
    await thinVersions({
      history: ctx.store,
      nowMs,
      policy: thinningPolicyWithLimit(ctx.config.versionLimit),
    });
    // Before GC: the pins of share conversions whose server died go, so this run collects them.
    await ctx.store.abandonIdleFolderConversions(nowMs - CONVERSION_IDLE_TIMEOUT_MS);
    await this.gc.collect({ nowMs, signal });
    await moveIdleBlocksToCold({
      blockStore: ctx.blocks,
      metadata: ctx.store,
      nowMs,
      idleForMs: ctx.config.coldAfterMs,
      signal,
    });
  }
}
