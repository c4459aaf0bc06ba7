/**
 * What the cases of the sync benchmark share: their context (the bed, the scale, the limits,
 * what earlier cases left in the folders), and the two ways a change is brought in: timed (the
 * clock runs from the rename, or edit, until B has everything) and untimed (a case's
 * precondition, waited for up to the settle limit).
 */
import { lstat, rename } from 'node:fs/promises';
import path from 'node:path';
import { measureCase, type Measurement } from './case-measure.js';
import type { TreeFile } from './bench-files.js';
import type { SyncBed } from './sync-bed.js';
import {
  localPath,
  verifyAgainst,
  waitForTree,
  type Expectation,
  type TreeWaitResult,
} from './tree-wait.js';

/** Files the cases left in the folders, in sync on both devices (server-style paths). */
export interface BenchState {
  bigFile?: { readonly path: string; readonly sizeBytes: number };
  smallTree?: { readonly root: string; readonly files: readonly TreeFile[] } | undefined;
  /** The small-file tree is in A's folder but its case timed out before B had all of it. */
  smallTreePending?: { readonly root: string; readonly files: readonly TreeFile[] } | undefined;
  bigTree?: BigTree;
}

/** The start-up and idle cases' tree, as far as its preparation got. */
export interface BigTree {
  readonly root: string;
  readonly files: readonly TreeFile[];
  /** How long it took to sync it untimed, and whether the preparation limit cut it short. */
  readonly prepSeconds: number;
  readonly cutShort: boolean;
}

export interface CaseContext {
  readonly bed: SyncBed;
  /** Size factor (1: the sizes). */
  readonly scale: number;
  /** This case's limit for its timed part. */
  readonly timeoutMs: number;
  /** Limit for an untimed precondition (syncing what a case needs first). */
  readonly settleMs: number;
  readonly idleSeconds: number;
  /** Limit for preparing the 100,000-file tree (it is cut where it stands at that point). */
  readonly prepSeconds: number;
  readonly state: BenchState;
  /** A unique name for staged data. */
  stagingPath(name: string): string;
}

/** A case's JSON line (without its name). */
export type CaseFigures = Record<string, unknown>;

/** A precondition could not be reached: the case reports this instead of figures. */
export class CaseSkipped extends Error {}

export const MiB = 1024 * 1024;

/** `bytes` scaled, at least 1 MiB. */
export function scaledBytes(ctx: CaseContext, bytes: number): number {
  return Math.max(MiB, Math.round((bytes * ctx.scale) / 4096) * 4096);
}

export function treeExpectations(root: string, files: readonly TreeFile[]): Expectation[] {
  return files.map((f) => ({ path: `${root}${f.relPath}`, sizeBytes: f.sizeBytes }));
}

/** Absent expectations for the files and every folder of a tree (the root included). */
export function goneExpectations(root: string, files: readonly TreeFile[]): Expectation[] {
  const folders = new Set<string>([root]);
  for (const f of files) folders.add(`${root}${path.posix.dirname(f.relPath)}`);
  return [...folders, ...files.map((f) => `${root}${f.relPath}`)].map((p) => ({
    path: p,
    absent: true,
  }));
}

/** What B has at `serverPath` now, for an expectation that a new version replaces it. */
export async function currentVersionOnB(ctx: CaseContext, serverPath: string) {
  const stat = await lstat(localPath(ctx.bed.b.folder, serverPath));
  return { inode: stat.ino, mtimeMs: stat.mtimeMs };
}

/** Waits for B, from now until `deadlineMs`. */
export function waitForB(
  ctx: CaseContext,
  expectations: readonly Expectation[],
  deadlineMs: number,
): Promise<TreeWaitResult> {
  return waitForTree({
    folder: ctx.bed.b.folder,
    device: ctx.bed.b.sync,
    expectations,
    deadlineMs,
  });
}

export interface TimedOutcome {
  readonly measurement: Measurement;
  readonly wait: TreeWaitResult;
  readonly startMs: number;
}

/**
 * The timed part: `change()` (a rename into A's folder, or an edit in place) with the clock
 * started right before it, stopped when B meets every expectation or at the case's timeout.
 */
export async function timedChange(
  ctx: CaseContext,
  change: () => Promise<void>,
  expectations: readonly Expectation[],
): Promise<TimedOutcome> {
  let wait: TreeWaitResult | undefined;
  const { measurement, startMs } = await measureCase(ctx.bed, async (start) => {
    const startMs = start();
    if (process.env.FERRY_BENCH_TRACE === '1') {
      process.stderr.write(`trace ${performance.now().toFixed(0)} timed change starts\n`);
    }
    await change();
    wait = await waitForB(ctx, expectations, startMs + ctx.timeoutMs);
    return { endMs: wait.doneAtMs };
  });
  return { measurement, wait: wait!, startMs };
}

/** Verifies B against A after the clock, and the figures every case prints. */
export async function commonFigures(
  ctx: CaseContext,
  outcome: TimedOutcome,
  expectations: readonly Expectation[],
): Promise<CaseFigures> {
  const verified = await verifyAgainst({
    folderA: ctx.bed.a.folder,
    folderB: ctx.bed.b.folder,
    expectations,
  });
  return {
    ...outcome.measurement,
    files: outcome.wait.total,
    filesDone: outcome.wait.done,
    verified: verified.mismatches === 0,
    ...(verified.mismatches > 0
      ? { mismatches: verified.mismatches, firstMismatch: verified.firstMismatch }
      : {}),
  };
}

/**
 * An untimed precondition: moves `staged` into A's folder at `serverPath`, waits until B meets
 * `expectations` and both devices are idle. Throws CaseSkipped past the settle limit.
 */
export async function bringIn(
  ctx: CaseContext,
  staged: string,
  serverPath: string,
  expectations: readonly Expectation[],
  what: string,
): Promise<void> {
  await rename(staged, localPath(ctx.bed.a.folder, serverPath));
  await awaitSynced(ctx, expectations, what);
}

/** Waits (untimed) until B meets `expectations` and both devices are idle, or CaseSkipped. */
export async function awaitSynced(
  ctx: CaseContext,
  expectations: readonly Expectation[],
  what: string,
): Promise<void> {
  const wait = await waitForB(ctx, expectations, Date.now() + ctx.settleMs);
  if (wait.doneAtMs === undefined) {
    throw new CaseSkipped(
      `${what}: B had ${wait.done} of ${wait.total} after ${ctx.settleMs / 1000} s`,
    );
  }
  if (!(await ctx.bed.settle({ timeoutMs: ctx.settleMs }))) {
    throw new CaseSkipped(`${what}: A and B did not settle`);
  }
}
