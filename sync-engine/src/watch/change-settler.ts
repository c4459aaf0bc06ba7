/**
 * Turns a stream of "this path changed" notices into settled batches: a burst is debounced into
 * one check, and a file that is still being written (its size or mtime moved since the last
 * check, or its mtime is recent) is held and re-checked until it has been still for `stableMs`,
 * so the scheduler never rescans a half-written file (SPEC "Functional requirements" 1). All
 * waiting goes through the Clock; the settler owns no timer of its own.
 */
import type { Clock, EntryStat } from '../ports.js';

/** A batch is checked after `debounceMs` of quiet, but never later than this many debounces. */
const MAX_DEBOUNCES_PER_BATCH = 10;
/** How many stats of one check run at once (a 10,000-file copy must not queue 10,000). */
const STAT_CONCURRENCY = 32;

export interface ChangeSettlerOptions {
  readonly clock: Clock;
  /** Stats a disk path (`/`-rooted, as the file system spells it); undefined when it is gone. */
  readonly stat: (diskPath: string) => Promise<EntryStat | undefined>;
  /** Settled paths (NFC), deduplicated and sorted; never called with an empty list. */
  readonly onBatch: (paths: string[]) => void;
  /** What `onBatch` threw, or why the loop stopped (a failing clock); a next notice restarts. */
  readonly onError: (error: Error) => void;
  readonly debounceMs: number;
  readonly stableMs: number;
}

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

/** Collects dirty paths and emits them once settled; `close()` stops it for good. */
export interface ChangeSettler {
  /** `path` is the NFC tree path that is emitted, `diskPath` the spelling that is stat'ed. */
  markDirty(path: string, diskPath: string): void;
  /** Idempotent; resolves once the loop has stopped. No callback fires after the call. */
  close(): Promise<void>;
}

/** A file held back because it was still changing, and what it looked like then. */
interface HeldFile {
  readonly diskPath: string;
  readonly sizeBytes: number;
  readonly mtimeMs: number;
  /** When (clock time) a check last saw its size or mtime move; undefined if never. */
  readonly changedMs: number | undefined;
  readonly recheckAtMs: number;
}

/** Creates a settler; see the module comment for the rules. */
export function createChangeSettler(options: ChangeSettlerOptions): ChangeSettler {
  const { clock, debounceMs, stableMs } = options;
  const maxDelayMs = debounceMs * MAX_DEBOUNCES_PER_BATCH;
  /** Paths with events since the last check: NFC path → disk path. */
  const dirty = new Map<string, string>();
  let firstEventMs = 0;
  let lastEventMs = 0;
  const held = new Map<string, HeldFile>();
  let isClosed = false;
  let isRunning = false;
  let loopDone: Promise<void> = Promise.resolve();
  let sleeper: { readonly wakeAtMs: number; readonly controller: AbortController } | undefined;

  const debounceDueMs = () => Math.min(lastEventMs + debounceMs, firstEventMs + maxDelayMs);
  const nextWakeMs = (): number => {
    let wakeMs = dirty.size > 0 ? debounceDueMs() : Infinity;
    for (const file of held.values()) wakeMs = Math.min(wakeMs, file.recheckAtMs);
    return wakeMs;
  };

  /** Undefined to emit, else when to re-check: the rules of the module comment. */
  function holdFor(stat: EntryStat | undefined, before: HeldFile | undefined, nowMs: number) {
    // Gone, a folder, a symlink: nothing to wait for, the rescan sees it as it is.
    if (stat === undefined || stat.kind !== 'file') return undefined;
    const hasChanged =
      before !== undefined &&
      (before.sizeBytes !== stat.sizeBytes || before.mtimeMs !== stat.mtimeMs);
    const changedMs = hasChanged ? nowMs : before?.changedMs;
    // abs(): an mtime far in the future (another machine's clock) must not hold a file forever.
    const isRecent =
      Math.abs(nowMs - stat.mtimeMs) < stableMs ||
      (changedMs !== undefined && nowMs - changedMs < stableMs);
    if (!isRecent) return undefined;
    // An unchanged file checked early (a stray event) keeps its turn, so events elsewhere in the
    // folder cannot postpone it; everything held by one check is re-checked together.
    const keepsTurn = before !== undefined && !hasChanged && before.recheckAtMs > nowMs;
    return { changedMs, recheckAtMs: keepsTurn ? before.recheckAtMs : nowMs + stableMs };
  }

  /** The held file to keep, or undefined when `path` has settled. */
  async function check(path: string, diskPath: string, nowMs: number) {
    let stat: EntryStat | undefined;
    try {
      stat = await options.stat(diskPath);
    } catch {
      // Unreadable (EACCES, EIO…): emit it, the rescan reports it as a problem.
      return undefined;
    }
    const hold = holdFor(stat, held.get(path), nowMs);
    if (hold === undefined || stat === undefined) return undefined;
    const file: HeldFile = { diskPath, sizeBytes: stat.sizeBytes, mtimeMs: stat.mtimeMs, ...hold };
    return file;
  }

  /** Checks what is due now: the dirty batch once debounced, and held files whose turn came. */
  async function checkDue(nowMs: number): Promise<void> {
    const batch = new Map<string, string>();
    for (const [path, file] of held) if (file.recheckAtMs <= nowMs) batch.set(path, file.diskPath);
    if (dirty.size > 0 && debounceDueMs() <= nowMs) {
      for (const [path, diskPath] of dirty) batch.set(path, diskPath);
      dirty.clear();
    }
    const settled: string[] = [];
    const entries = [...batch];
    for (let start = 0; start < entries.length; start += STAT_CONCURRENCY) {
      const slice = entries.slice(start, start + STAT_CONCURRENCY);
      const kept = await Promise.all(slice.map(([path, disk]) => check(path, disk, nowMs)));
      if (isClosed) return;
      kept.forEach((file, index) => {
        const path = slice[index]![0];
        if (file === undefined) {
          held.delete(path);
          settled.push(path);
        } else {
          held.set(path, file);
        }
      });
    }
    if (settled.length === 0) return;
    try {
      options.onBatch(settled.sort());
    } catch (error) {
      // The caller's bug, reported; held files and later notices still need the loop.
      options.onError(asError(error));
    }
  }

  async function sleepUntil(wakeAtMs: number, nowMs: number): Promise<void> {
    const controller = new AbortController();
    sleeper = { wakeAtMs, controller };
    try {
      await clock.sleep(wakeAtMs - nowMs, controller.signal);
    } catch (error) {
      // Woken early on purpose (an earlier deadline, or close): re-plan. Anything else is real.
      if (!controller.signal.aborted) throw error;
    } finally {
      sleeper = undefined;
    }
  }

  async function run(): Promise<void> {
    try {
      while (!isClosed && (dirty.size > 0 || held.size > 0)) {
        const nowMs = clock.nowMs();
        const wakeAtMs = nextWakeMs();
        if (wakeAtMs > nowMs) await sleepUntil(wakeAtMs, nowMs);
        else await checkDue(nowMs);
      }
    } finally {
      // Synchronously with the loop's last check, so a notice arriving next restarts it.
      isRunning = false;
    }
  }

  return {
    markDirty(path, diskPath) {
      if (isClosed) return;
      const nowMs = clock.nowMs();
      if (dirty.size === 0) firstEventMs = nowMs;
      lastEventMs = nowMs;
      dirty.set(path, diskPath);
      if (!isRunning) {
        isRunning = true;
        loopDone = run().catch((error: unknown) => {
          if (!isClosed) options.onError(asError(error));
        });
      } else if (sleeper !== undefined && nextWakeMs() < sleeper.wakeAtMs) {
        sleeper.controller.abort();
      }
    },
    close() {
      isClosed = true;
      sleeper?.controller.abort();
      return loopDone;
    },
  };
}
