import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Cursor, UserId } from '../protocol/index.js';
import { openClientState } from './client-state.js';
import { useTempDir } from '../testkit/index.js';

describe('CursorTable', () => {
  const tempDir = useTempDir('cursors');

  it('keeps one cursor per server and account across reopen, and forgets it on demand', () => {
    const path = join(tempDir(), 'state.sqlite');
    const alice = { serverUrl: 'https://ferry.test', userId: 'alice' as UserId };
    const aliceElsewhere = { serverUrl: 'https://other.test', userId: 'alice' as UserId };
    const state = openClientState(path);
    expect(state.cursors.get(alice)).toBeUndefined();
    state.cursors.set(alice, 'c-1' as Cursor, 1);
    state.cursors.set(alice, 'c-2' as Cursor, 2);
    state.cursors.set(aliceElsewhere, 'x-9' as Cursor, 3);
    state.close();

    const reopened = openClientState(path);
    expect(reopened.cursors.get(alice)).toBe('c-2');
    expect(reopened.cursors.get(aliceElsewhere)).toBe('x-9');
    // 410 Gone: the cursor is too old, start over from a full listing.
    expect(reopened.cursors.clear(alice)).toBe(true);
    expect(reopened.cursors.clear(alice)).toBe(false);
    expect(reopened.cursors.get(alice)).toBeUndefined();
    expect(reopened.cursors.get(aliceElsewhere)).toBe('x-9');
    reopened.close();
  });
});
