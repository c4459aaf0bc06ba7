/**
 * Runs the storage policy on a timer owned by startServer: journal tombstone retention, expiry
 * of stale announces, upload sessions and quota reservations, version thinning, abandoning dead
 * folder conversions, garbage collection and cold tiering (SPEC "Storage policy"). Runs never
 * overlap; `stop()` waits for a running one to end.
 */
import {
  DEFAULT_THINNING_POLICY,
  GarbageCollector,
  moveIdleBlocksToCold,
  selectVersionsToDelete,
} from '../policy/index.js';
import type { ServerContext } from '../server-context.js';
import { CONVERSION_IDLE_TIMEOUT_MS } from '../sharing/convert-blocks.js';
import { expireUploads } from '../transfer/resumable-upload.js';

export interface PolicyTimer {
  /** Runs the whole policy once now (after any run in progress). */
  runNow(): Promise<void>;
  /** Stops the timer and waits for a running pass. */
  stop(): Promise<void>;
}

const PAGE = 200;

async function thinVersions(ctx: ServerContext, nowMs: number): Promise<void> {
  const policy = { ...DEFAULT_THINNING_POLICY, maxVersions: Math.max(1, ctx.config.versionLimit) };
  let after = '';
  for (;;) {
    const fileIds = await ctx.store.listFilesWithHistory(after, PAGE);
    for (const fileId of fileIds) {
      const versions = await ctx.store.listVersionTimes(fileId);
      // The server's commit time orders versions truthfully; client mtimes may lie.
      const doomed = selectVersionsToDelete(
        versions.map((v) => ({ rev: v.rev, modifiedMs: v.committedMs })),
        nowMs,
        policy,
      );
      if (doomed.length > 0) await ctx.store.dropVersions(fileId, doomed);
    }
    if (fileIds.length < PAGE) return;
    after = fileIds[fileIds.length - 1] ?? after;
  }
}

/** One full pass of the policy. */
async function runPolicyOnce(ctx: ServerContext, gc: GarbageCollector): Promise<void> {
  const nowMs = ctx.now();
  const signal = ctx.shutdownSignal;
  await ctx.store.pruneJournal(nowMs - ctx.config.journalRetentionMs);
  const expired = await ctx.store.expirePendingFiles(nowMs - ctx.config.uploadSessionTtlMs, nowMs);
  for (const { namespace, seq } of expired) await ctx.bus.publish({ topic: namespace, seq });
  await expireUploads(ctx, nowMs);
  // Reservations of requests a crash (of another instance, say) ended: no longer counted once
  // expired, deleted here.
  await ctx.store.expireQuotaReservations(nowMs);
  await thinVersions(ctx, nowMs);
  // Before GC: the pins of share conversions whose server died go, so this run collects them.
  await ctx.store.abandonIdleFolderConversions(nowMs - CONVERSION_IDLE_TIMEOUT_MS);
  await gc.collect({ nowMs, signal });
  await moveIdleBlocksToCold({
    blockStore: ctx.blocks,
    metadata: ctx.store,
    nowMs,
    idleForMs: ctx.config.coldAfterMs,
    signal,
  });
}

/** Starts the timer (none when `policyIntervalMs` is 0); `onError` hears failed runs. */
export function startPolicyTimer(
  ctx: ServerContext,
  onError: (error: unknown) => void,
): PolicyTimer {
  const gc = new GarbageCollector({
    blockStore: ctx.blocks,
    references: ctx.store,
    graceMs: ctx.config.gcGraceMs,
    blockLock: ctx.blockLock,
  });
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let isStopped = false;

  const runNow = (): Promise<void> => {
    running = running.then(() => runPolicyOnce(ctx, gc));
    return running;
  };
  const schedule = (): void => {
    if (isStopped || ctx.config.policyIntervalMs <= 0) return;
    timer = setTimeout(() => {
      runNow()
        .catch((error: unknown) => {
          if (!ctx.shutdownSignal.aborted) onError(error);
        })
        .finally(schedule);
    }, ctx.config.policyIntervalMs);
    // The policy never keeps the process alive on its own.
    timer.unref();
  };
  schedule();

  return {
    runNow,
    async stop() {
      isStopped = true;
      clearTimeout(timer);
      await running.catch(() => undefined);
    },
  };
}
