import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PlanNotice } from '../plan/index.js';
import { openClientState, type ClientState, type ItemId } from '../state/index.js';
import { useTempDir } from '../testkit/index.js';
import { UndoneMoves, type UndoneMove } from './undone-moves.js';

const tempDir = useTempDir('ferry-undone-moves-');
const DAY_MS = 86_400_000;

/** A folder the user moved into a share, put back at /club by the plan. */
function clubMovedBack(state: ClientState): UndoneMove {
  const itemId = state.items.create({ kind: 'folder', createdMs: 1 });
  state.items.local.put({
    itemId,
    kind: 'folder',
    path: '/club',
    inode: '7',
    sizeBytes: 0,
    mtimeMs: 1,
    scannedMs: 1,
  });
  return {
    kind: 'move_undone',
    itemId: itemId as ItemId,
    path: '/team/club',
    back: '/club',
    reason: 'a shared folder cannot be put inside another shared folder',
  };
}

describe('UndoneMoves', () => {
  it('still reports an undone move after a restart, until a day has passed', () => {
    const file = path.join(tempDir(), 'state.sqlite');
    const state = openClientState(file);
    const move = clubMovedBack(state);
    const notices: PlanNotice[] = [move, { kind: 'read_only', path: '/x' }];
    new UndoneMoves(state.settings).note(notices, 1_000);
    state.close();

    const reopened = openClientState(file);
    const moves = new UndoneMoves(reopened.settings);
    expect(moves.current(reopened.items, 2_000)).toEqual([move]);
    // The plan finds it again: the day counts from the first time.
    moves.note([move], 3_000);
    expect(moves.current(reopened.items, 1_000 + DAY_MS)).toEqual([move]);
    expect(moves.current(reopened.items, 1_001 + DAY_MS)).toEqual([]);
    expect(reopened.settings.get('undoneMoves')).toBeUndefined();
    reopened.close();
  });

  it('forgets a move once its item is moved on', () => {
    const state = openClientState(path.join(tempDir(), 'state.sqlite'));
    const move = clubMovedBack(state);
    const moves = new UndoneMoves(state.settings);
    moves.note([move], 1_000);
    expect(moves.current(state.items, 2_000)).toEqual([move]);
    const row = state.items.local.get(move.itemId)!;
    state.items.local.put({ ...row, path: '/elsewhere' });
    expect(moves.current(state.items, 3_000)).toEqual([]);
    expect(new UndoneMoves(state.settings).current(state.items, 4_000)).toEqual([]);
    state.close();
  });
});
