import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Rev } from '../protocol/index.js';
import { ClientStateError } from './client-state-error.js';
import { openClientState, type ClientState } from './client-state.js';
import type { ConflictResolution } from './conflict-table.js';
import type { ItemId } from './item-id.js';
import { useTempDir } from '../testkit/index.js';

describe('ConflictTable', () => {
  const tempDir = useTempDir('conflicts');
  let state: ClientState;
  beforeEach(() => {
    state = openClientState(join(tempDir(), 'state.sqlite'));
  });
  afterEach(() => state.close());

  it('records conflicts, lists the unresolved ones oldest first, keeps resolved ones', () => {
    const later = state.conflicts.record({
      itemId: 'item-9' as ItemId,
      reason: 'edit_edit',
      path: '/report.docx',
      conflictedCopyPath: '/report (conflicted copy from laptop 2025-03-04 050607).docx',
      localRev: 'r1' as Rev,
      remoteRev: 'r2' as Rev,
      detectedMs: 2_000,
    });
    const earlier = state.conflicts.record({
      reason: 'edit_delete',
      path: '/gone.txt',
      detectedMs: 1_000,
    });
    expect(state.conflicts.listUnresolved().map((c) => c.id)).toEqual([earlier, later]);
    expect(state.conflicts.get(later)).toEqual({
      id: later,
      itemId: 'item-9',
      reason: 'edit_edit',
      path: '/report.docx',
      conflictedCopyPath: '/report (conflicted copy from laptop 2025-03-04 050607).docx',
      localRev: 'r1',
      remoteRev: 'r2',
      detectedMs: 2_000,
      resolvedMs: undefined,
      resolution: undefined,
    });

    expect(state.conflicts.resolve(earlier, 'keep_theirs', 3_000)).toBe(true);
    expect(state.conflicts.listUnresolved().map((c) => c.id)).toEqual([later]);
    expect(state.conflicts.list().map((c) => [c.id, c.resolution, c.resolvedMs])).toEqual([
      [earlier, 'keep_theirs', 3_000],
      [later, undefined, undefined],
    ]);
  });

  it('lets the first resolution stand and rejects unknown resolutions', () => {
    const id = state.conflicts.record({ reason: 'rename_rename', path: '/a', detectedMs: 1 });
    expect(state.conflicts.resolve(id, 'keep_both', 5)).toBe(true);
    expect(state.conflicts.resolve(id, 'keep_mine', 6)).toBe(false);
    expect(state.conflicts.get(id)).toMatchObject({ resolution: 'keep_both', resolvedMs: 5 });
    expect(state.conflicts.resolve(12345, 'keep_mine', 6)).toBe(false);

    const other = state.conflicts.record({ reason: 'edit_edit', path: '/b', detectedMs: 1 });
    expect(() => state.conflicts.resolve(other, 'flip_a_coin' as ConflictResolution, 7)).toThrow(
      ClientStateError,
    );
    expect(state.conflicts.get(other)?.resolution).toBeUndefined();
  });
});
