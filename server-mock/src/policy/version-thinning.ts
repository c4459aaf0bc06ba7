/**
 * Version thinning (SPEC "Storage policy": a version limit per file and thinning of old
 * versions). `selectVersionsToDelete` decides which old versions of one file to delete and is
 * pure: no I/O, no clock. `thinVersions` applies it to every file with history through the
 * narrow `VersionHistorySource` port; dropping a version releases its block references for
 * garbage collection.
 */
import type { Rev } from 'sync-engine/protocol';

/** One version of a file: its revision and when it was made (epoch ms). */
export interface VersionInfo {
  readonly rev: Rev;
  readonly modifiedMs: number;
}

/** Versions at least `olderThanMs` old keep one version per `everyMs` slot. */
export interface ThinningBucket {
  readonly olderThanMs: number;
  readonly everyMs: number;
}

/** How many versions of a file to keep, and how densely as they age. */
export interface ThinningPolicy {
  /** Most versions kept per file, the newest always among them (at least 1). */
  readonly maxVersions: number;
  /** Versions younger than this are all kept (up to `maxVersions`). */
  readonly keepAllForMs: number;
  /**
   * From the age `olderThanMs` on, keep only the newest version of each `everyMs` slot. A
   * version falls in the bucket with the largest `olderThanMs` not above its age; a version
   * older than `keepAllForMs` but younger than every bucket is kept.
   */
  readonly buckets: readonly ThinningBucket[];
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/**
 * SPEC defaults: at most 100 versions; all kept for a day, then one per hour for a week, one per
 * day for a month, one per week after.
 */
export const DEFAULT_THINNING_POLICY: ThinningPolicy = {
  maxVersions: 100,
  keepAllForMs: DAY_MS,
  buckets: [
    { olderThanMs: DAY_MS, everyMs: HOUR_MS },
    { olderThanMs: 7 * DAY_MS, everyMs: DAY_MS },
    { olderThanMs: 30 * DAY_MS, everyMs: 7 * DAY_MS },
  ],
};

/** The default policy with the server's version limit (`versionLimit`, at least 1). */
export function thinningPolicyWithLimit(versionLimit: number): ThinningPolicy {
  return { ...DEFAULT_THINNING_POLICY, maxVersions: Math.max(1, versionLimit) };
}

/**
 * The revisions to delete, oldest first. Guarantees: the newest version is never chosen; at
 * most `maxVersions` versions remain; applying the policy again to what remains, at the same
 * `nowMs`, chooses nothing. Slots are aligned to the epoch (not to `nowMs`), so a version kept
 * as its slot's newest stays kept until it ages into a coarser bucket.
 * "Newest" is the largest `modifiedMs`; ties go to the longer, then lexically larger, rev, so the
 * answer never depends on input order. Throws RangeError for an invalid policy.
 */
export function selectVersionsToDelete(
  versions: readonly VersionInfo[],
  nowMs: number,
  policy: ThinningPolicy = DEFAULT_THINNING_POLICY,
): Rev[] {
  assertValidPolicy(policy);
  const buckets = [...policy.buckets].sort((a, b) => b.olderThanMs - a.olderThanMs);
  const newestFirst = [...versions].sort(compareNewestFirst);
  const kept: VersionInfo[] = [];
  const deleted: VersionInfo[] = [];
  const slotsTaken = new Set<string>();
  for (const version of newestFirst) {
    const slot = slotOf(version, nowMs, policy.keepAllForMs, buckets);
    // Newest first, so the first version seen in a slot is the one that slot keeps.
    if (slot !== undefined && slotsTaken.has(slot)) deleted.push(version);
    else {
      if (slot !== undefined) slotsTaken.add(slot);
      kept.push(version);
    }
  }
  deleted.push(...kept.slice(policy.maxVersions));
  return deleted.sort((a, b) => compareNewestFirst(b, a)).map((version) => version.rev);
}

/** The thinning slot of a version (`bucket:slot`), or undefined when its age keeps it anyway. */
function slotOf(
  version: VersionInfo,
  nowMs: number,
  keepAllForMs: number,
  bucketsOldestFirst: readonly ThinningBucket[],
): string | undefined {
  const ageMs = nowMs - version.modifiedMs;
  if (ageMs < keepAllForMs) return undefined;
  const bucketIndex = bucketsOldestFirst.findIndex((bucket) => ageMs >= bucket.olderThanMs);
  if (bucketIndex < 0) return undefined;
  const bucket = bucketsOldestFirst[bucketIndex]!;
  return `${bucketIndex}:${Math.floor(version.modifiedMs / bucket.everyMs)}`;
}

function compareNewestFirst(a: VersionInfo, b: VersionInfo): number {
  if (a.modifiedMs !== b.modifiedMs) return b.modifiedMs - a.modifiedMs;
  if (a.rev.length !== b.rev.length) return b.rev.length - a.rev.length;
  return a.rev < b.rev ? 1 : a.rev > b.rev ? -1 : 0;
}

function assertValidPolicy(policy: ThinningPolicy): void {
  if (!Number.isInteger(policy.maxVersions) || policy.maxVersions < 1) {
    throw new RangeError('thinning policy: maxVersions must be an integer of at least 1');
  }
  if (!(policy.keepAllForMs >= 0)) {
    throw new RangeError('thinning policy: keepAllForMs must be 0 or more');
  }
  for (const bucket of policy.buckets) {
    if (!(bucket.everyMs > 0) || !(bucket.olderThanMs >= 0)) {
      throw new RangeError('thinning policy: every bucket needs everyMs > 0 and olderThanMs >= 0');
    }
  }
}

/** What thinning needs from metadata (method names match the metadata store's). */
export interface VersionHistorySource {
  /** Ids of files with more than one version after `afterFileId`, in id order, a page at a time. */
  listFilesWithHistory(afterFileId: string, limit: number): Promise<readonly string[]>;
  /** Every version of a file as (rev, commit time in epoch ms), newest first. */
  listVersionTimes(fileId: string): Promise<ReadonlyArray<{ rev: Rev; committedMs: number }>>;
  /** Drops the given old versions of a file (never its current one); returns how many. */
  dropVersions(fileId: string, revs: readonly Rev[]): Promise<number>;
}

/** Inputs of one thinning run. */
export interface ThinVersionsOptions {
  readonly history: VersionHistorySource;
  readonly nowMs: number;
  readonly policy?: ThinningPolicy;
  /** Files asked of metadata per call. Default 200. */
  readonly pageSize?: number;
}

/**
 * Thins every file with history by `policy`: one page of files at a time, each file's versions
 * chosen by `selectVersionsToDelete` and dropped in metadata.
 */
export async function thinVersions(options: ThinVersionsOptions): Promise<void> {
  const { history, nowMs, policy = DEFAULT_THINNING_POLICY } = options;
  const pageSize = options.pageSize ?? 200;
  let after = '';
  for (;;) {
    const fileIds = await history.listFilesWithHistory(after, pageSize);
    for (const fileId of fileIds) {
      const versions = await history.listVersionTimes(fileId);
      // The server's commit time orders versions truthfully; client mtimes may lie.
      const doomed = selectVersionsToDelete(
        versions.map((v) => ({ rev: v.rev, modifiedMs: v.committedMs })),
        nowMs,
        policy,
      );
      if (doomed.length > 0) await history.dropVersions(fileId, doomed);
    }
    if (fileIds.length < pageSize) return;
    after = fileIds[fileIds.length - 1] ?? after;
  }
}
