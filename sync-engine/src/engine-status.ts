/**
 * What the engine shows of itself: the status of the control API, built from the last round's
 * outcome, and the transfer counters behind progress and speed.
 */
import type { EngineProblem, EngineProgress } from './control/index.js';
import { NAME_REFUSED, type ItemFailure, type SyncOutcome } from './loop/folder-sync.js';
import type { Operation } from './plan/index.js';
import type { ItemTables } from './state/index.js';
import type { ScanProblem } from './scan/scan-problems.js';

const SPEED_WINDOW_MS = 5_000;

/** Bytes up and down, with a speed over the last few seconds. */
export class TransferMeter {
  bytesUp = 0;
  bytesDown = 0;
  filesDone = 0;
  private readonly samples: Array<{ atMs: number; up: number; down: number }> = [];

  add(direction: 'up' | 'down', bytes: number, atMs: number): void {
    if (direction === 'up') this.bytesUp += bytes;
    else this.bytesDown += bytes;
    this.samples.push({
      atMs,
      up: direction === 'up' ? bytes : 0,
      down: direction === 'down' ? bytes : 0,
    });
    while (this.samples.length > 0 && this.samples[0]!.atMs < atMs - SPEED_WINDOW_MS)
      this.samples.shift();
  }

  progress(nowMs: number, pending: { files: number; bytes: number }): EngineProgress {
    const recent = this.samples.filter((sample) => sample.atMs >= nowMs - SPEED_WINDOW_MS);
    const seconds = SPEED_WINDOW_MS / 1000;
    return {
      filesPending: pending.files,
      bytesPending: pending.bytes,
      filesDone: this.filesDone,
      bytesUp: this.bytesUp,
      bytesDown: this.bytesDown,
      upBytesPerSecond: Math.round(recent.reduce((sum, s) => sum + s.up, 0) / seconds),
      downBytesPerSecond: Math.round(recent.reduce((sum, s) => sum + s.down, 0) / seconds),
    };
  }
}

/** Bytes the plan's uploads and downloads still have to move (the files' sizes). */
export function pendingBytesOf(
  operations: readonly Operation[],
  items: Pick<ItemTables, 'local' | 'remote'>,
): number {
  let bytes = 0;
  for (const operation of operations) {
    if (operation.kind === 'upload') bytes += items.local.get(operation.itemId)?.sizeBytes ?? 0;
    if (operation.kind === 'download') bytes += items.remote.get(operation.itemId)?.sizeBytes ?? 0;
  }
  return bytes;
}

/** A scan report in the user's words. */
export function scanProblemOf(problem: ScanProblem, sinceMs: number): EngineProblem {
  switch (problem.kind) {
    case 'not_portable':
      return {
        code: 'not_portable',
        path: problem.path,
        message: `${problem.path} syncs, but its name is not valid on every system (${problem.reason})`,
        sinceMs,
      };
    case 'case_only_twins':
      return {
        code: 'case_only_twins',
        path: problem.paths[0],
        message: `${problem.paths.join(', ')} differ only in case: a case-insensitive system keeps one`,
        sinceMs,
      };
    case 'unsupported_entry':
      return {
        code: 'unsupported_entry',
        path: problem.path,
        message: `${problem.path} is a ${problem.entry === 'symlink' ? 'symbolic link' : 'special file'} and is not synced`,
        sinceMs,
      };
    case 'invalid_path':
      return {
        code: 'invalid_path',
        path: problem.path,
        message: `${problem.path} is not synced: ${problem.problem.replaceAll('_', ' ')}`,
        sinceMs,
      };
    case 'unicode_twins':
      return {
        code: 'unicode_twins',
        path: problem.paths[0],
        message: `${problem.paths.join(', ')} are one name in Unicode NFC: only one is synced`,
        sinceMs,
      };
    case 'unreadable':
      return {
        code: 'unreadable',
        path: problem.path,
        message: `${problem.path} cannot be read (${problem.code}); it is retried at the next scan`,
        sinceMs,
      };
  }
}

function failureMessage(failure: ItemFailure): string {
  if (failure.code !== NAME_REFUSED) {
    return `${failure.operation} ${failure.path} failed ${failure.attempts} time(s): ${failure.message}`;
  }
  const where =
    failure.fromPath === undefined
      ? 'stays on the server, not synced here'
      : `is not renamed here, kept as ${failure.fromPath}`;
  return `${failure.path} ${where}: ${failure.message}; rename it on another device to sync it here`;
}

/** Every problem of a round: scan reports, plan notices, failed operations, pauses. */
export function problemsOf(outcome: SyncOutcome, nowMs: number): EngineProblem[] {
  const problems = outcome.scanProblems.map((problem) => scanProblemOf(problem, nowMs));
  for (const notice of outcome.plan.notices) {
    if (notice.kind === 'move_undone') continue; // in outcome.undoneMoves
    problems.push(
      notice.kind === 'read_only'
        ? {
            code: 'read_only',
            path: notice.path,
            message: `${notice.path} is in a folder shared with you as viewer: kept here, not uploaded`,
            sinceMs: nowMs,
          }
        : {
            code: 'waiting',
            path: notice.path,
            message: `${notice.path}: ${notice.reason}`,
            sinceMs: nowMs,
          },
    );
  }
  for (const move of outcome.undoneMoves) {
    problems.push({
      code: 'move_undone',
      path: move.back,
      message: `${move.path} was moved back to ${move.back}: ${move.reason}`,
      sinceMs: nowMs,
    });
  }
  for (const failure of outcome.failures) {
    problems.push({
      code: failure.code,
      path: failure.path,
      message: failureMessage(failure),
      sinceMs: nowMs,
    });
  }
  if (outcome.quotaExceeded) {
    problems.push({
      code: 'quota_exceeded',
      message: 'Uploads are paused: the account is over its storage quota',
      sinceMs: nowMs,
    });
  }
  if (outcome.diskFull) {
    problems.push({
      code: 'disk_full',
      message: 'Downloads are paused: the local disk is full',
      sinceMs: nowMs,
    });
  }
  if (outcome.plan.heldDeletes.length > 0) {
    problems.push({
      code: 'mass_delete_held',
      message: `${outcome.plan.heldDeleteFiles} files deleted here are not deleted on the server until you confirm (ferry sync --allow-mass-delete)`,
      sinceMs: nowMs,
    });
  }
  return problems;
}
