/**
 * Waiting until device B's folder looks as expected, cheaply, while the engines work: B's
 * `synced` events say where to look (the file, or every expectation under a moved or deleted
 * folder), and each such path is checked with one lstat; a slow sweep over what is still pending
 * catches anything no event named. A path checked because of an event counts as done at the
 * event's own time (B's clock, the same machine), so the figure does not depend on how often the
 * bench looks. Content is compared only after the clock has stopped (`verifyAgainst`).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import type { FerryChild, FerryEvent } from './ferry-child.js';

/** What one path of B's folder must be (paths are server-style: `/dir/file`). */
export type Expectation =
  | {
      readonly path: string;
      readonly sizeBytes: number;
      /** The version B had before: the new one has another inode or mtime. */
      readonly replaces?: { readonly inode: number; readonly mtimeMs: number };
    }
  | { readonly path: string; readonly absent: true };

export interface TreeWaitResult {
  readonly total: number;
  readonly done: number;
  /** When the last expectation was met (epoch ms); undefined when some were not met in time. */
  readonly doneAtMs: number | undefined;
}

/** How often the fallback sweep re-checks everything pending. */
const SWEEP_INTERVAL_MS = 2_000;
/** lstat calls in flight at once. */
const STAT_CONCURRENCY = 32;

export function localPath(folder: string, serverPath: string): string {
  return path.join(folder, ...serverPath.split('/').filter(Boolean));
}

async function isMet(folder: string, expected: Expectation): Promise<boolean> {
  const stat = await lstat(localPath(folder, expected.path)).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  });
  if ('absent' in expected) return stat === undefined;
  if (stat === undefined || !stat.isFile() || stat.size !== expected.sizeBytes) return false;
  const before = expected.replaces;
  return before === undefined || stat.ino !== before.inode || stat.mtimeMs !== before.mtimeMs;
}

function ancestorsOf(serverPath: string): string[] {
  const parts = serverPath.split('/').filter(Boolean);
  return parts.slice(0, -1).map((_, i) => `/${parts.slice(0, i + 1).join('/')}`);
}

/**
 * Resolves when every expectation holds in `folder` (B's), or at `deadlineMs` (epoch ms) with
 * what was met by then. `device` is B's running `ferry sync --json`.
 */
export async function waitForTree(options: {
  readonly folder: string;
  readonly device: FerryChild;
  readonly expectations: readonly Expectation[];
  readonly deadlineMs: number;
}): Promise<TreeWaitResult> {
  const { folder } = options;
  const pending = new Map(options.expectations.map((e) => [e.path, e]));
  // Pending expectations by every folder above them, for events that name a folder.
  const under = new Map<string, Set<string>>();
  for (const e of options.expectations) {
    for (const dir of ancestorsOf(e.path)) {
      let set = under.get(dir);
      if (set === undefined) under.set(dir, (set = new Set()));
      set.add(e.path);
    }
  }
  const total = pending.size;
  let lastMetMs = 0;
  let queue: Array<{ path: string; atMs: number | undefined }> = [];
  let wake: (() => void) | undefined;
  const enqueue = (p: string, atMs: number | undefined, subtreeAtMs: number | undefined) => {
    if (pending.has(p)) queue.push({ path: p, atMs });
    for (const child of under.get(p) ?? []) queue.push({ path: child, atMs: subtreeAtMs });
    wake?.();
  };
  const unsubscribe = options.device.onEvent((event: FerryEvent) => {
    if (event.type !== 'synced') return;
    const atMs = typeof event.time === 'number' ? event.time : undefined;
    // A moved or deleted folder takes everything below it along at that moment; a folder that
    // was only created says nothing about when the files inside it arrived.
    const carries = event.action === 'move_local' || event.action === 'delete_local';
    const subtreeAtMs = carries ? atMs : undefined;
    if (typeof event.path === 'string') enqueue(event.path, atMs, subtreeAtMs);
    if (typeof event.fromPath === 'string') enqueue(event.fromPath, atMs, subtreeAtMs);
  });
  const check = async (batch: Array<{ path: string; atMs: number | undefined }>) => {
    let next = 0;
    const worker = async () => {
      while (next < batch.length) {
        const { path: p, atMs } = batch[next++]!;
        const expected = pending.get(p);
        if (expected === undefined || !(await isMet(folder, expected))) continue;
        if (!pending.delete(p)) continue;
        const metMs = atMs ?? Date.now();
        lastMetMs = Math.max(lastMetMs, metMs);
        for (const dir of ancestorsOf(p)) under.get(dir)?.delete(p);
      }
    };
    await Promise.all(Array.from({ length: STAT_CONCURRENCY }, worker));
  };
  try {
    // Whatever already holds (e.g. B was faster than the first look) is met now.
    let nextSweepMs = 0;
    while (pending.size > 0 && Date.now() < options.deadlineMs) {
      if (Date.now() >= nextSweepMs) {
        queue.push(...[...pending.keys()].map((p) => ({ path: p, atMs: undefined })));
        nextSweepMs = Date.now() + SWEEP_INTERVAL_MS;
      }
      if (queue.length > 0) {
        const batch = queue;
        queue = [];
        await check(batch);
        continue;
      }
      const waitMs = Math.max(1, Math.min(nextSweepMs, options.deadlineMs) - Date.now());
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    unsubscribe();
  }
  return {
    total,
    done: total - pending.size,
    doneAtMs: pending.size === 0 ? lastMetMs : undefined,
  };
}

async function sha256Of(file: string): Promise<string | undefined> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
      hash.update(chunk as Buffer);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return hash.digest('hex');
}

/**
 * After the clock: every expected file of B has A's bytes (SHA-256 of both) and every expected
 * absence holds. Returns how many paths disagree.
 */
export async function verifyAgainst(options: {
  readonly folderA: string;
  readonly folderB: string;
  readonly expectations: readonly Expectation[];
}): Promise<{ checked: number; mismatches: number; firstMismatch?: string }> {
  let mismatches = 0;
  let firstMismatch: string | undefined;
  let next = 0;
  const list = options.expectations;
  const worker = async () => {
    while (next < list.length) {
      const expected = list[next++]!;
      const ok =
        'absent' in expected
          ? await isMet(options.folderB, expected)
          : await (async () => {
              const b = await sha256Of(localPath(options.folderB, expected.path));
              return (
                b !== undefined && b === (await sha256Of(localPath(options.folderA, expected.path)))
              );
            })();
      if (!ok) {
        mismatches++;
        firstMismatch ??= expected.path;
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return { checked: list.length, mismatches, ...(firstMismatch ? { firstMismatch } : {}) };
}
