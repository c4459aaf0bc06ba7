/**
 * The checks every kill test makes on a `ferry sync` run and on the server's block counters.
 */
import { expect } from 'vitest';
import type { BlockId } from 'sync-engine/protocol';
import type { ServerCounters } from './server-child.fixture.js';
import type { SyncRun } from './sync-child.fixture.js';

/** The run exited 0 after agreeing with the server, and reported no conflict. */
export function expectInSync(run: SyncRun): void {
  const conflicts = run.events.filter((event) => event.type === 'conflict');
  expect({ code: run.code, signal: run.signal, conflicts, stderr: run.stderr }).toEqual({
    code: 0,
    signal: null,
    conflicts: [],
    stderr: '',
  });
  expect(run.events.at(-1)).toEqual({ type: 'done', agreed: true });
}

/** The run died by SIGKILL: `where` (a crash point, or the test's own kill) was reached. */
export function expectKilled(run: SyncRun, where: string): void {
  expect(
    { code: run.code, signal: run.signal },
    `ferry sync should have been killed at ${where}; stderr: ${run.stderr}`,
  ).toEqual({
    code: null,
    signal: 'SIGKILL',
  });
}

/**
 * What the server stored between two readings of its counters. `puts` counts the blocks the
 * server received (single PUTs and the frames of upload batches): over a run that was not
 * killed, `puts > stored` means some block was sent that the server already had.
 */
export function storedBetween(before: ServerCounters, after: ServerCounters) {
  return {
    puts: after.blockPuts - before.blockPuts,
    stored: after.blocksStored - before.blocksStored,
    bytes: after.blockBytesStored - before.blockBytesStored,
  };
}

/** The ids in any of `after` that are in none of `before`. */
export function newIds(
  before: readonly { ids: Set<BlockId> }[],
  after: readonly { ids: Set<BlockId> }[],
): Set<BlockId> {
  const known = new Set(before.flatMap((list) => [...list.ids]));
  return new Set(after.flatMap((list) => [...list.ids]).filter((id) => !known.has(id)));
}
