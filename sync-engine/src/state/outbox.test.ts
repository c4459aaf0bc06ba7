import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Rev } from '../protocol/index.js';
import { openClientState, type ClientState } from './client-state.js';
import type { ItemId } from './item-id.js';
import { useTempDir } from '../testkit/index.js';

describe('Outbox', () => {
  const tempDir = useTempDir('outbox');
  let path: string;
  let state: ClientState;
  beforeEach(() => {
    path = join(tempDir(), 'state.sqlite');
    state = openClientState(path);
  });
  afterEach(() => state.close());

  const seqs = (nowMs: number) => state.outbox.peekDue(nowMs).map((entry) => entry.seq);

  it('keeps changes in the order they were queued, with what each needs', () => {
    const item = 'item-1' as ItemId;
    const a = state.outbox.enqueue(
      { kind: 'upload', path: '/a.txt', itemId: item, baseRev: 'r1' as Rev },
      10,
    );
    const b = state.outbox.enqueue({ kind: 'move', fromPath: '/old', path: '/new' }, 11);
    const c = state.outbox.enqueue({ kind: 'mkdir', path: '/empty' }, 12);
    expect([a, b, c]).toEqual([1, 2, 3]);
    expect(state.outbox.list()).toEqual([
      {
        seq: 1,
        kind: 'upload',
        path: '/a.txt',
        itemId: item,
        baseRev: 'r1',
        enqueuedMs: 10,
        attemptCount: 0,
        nextAttemptMs: 10,
        lastError: undefined,
      },
      {
        seq: 2,
        kind: 'move',
        fromPath: '/old',
        path: '/new',
        itemId: undefined,
        baseRev: undefined,
        enqueuedMs: 11,
        attemptCount: 0,
        nextAttemptMs: 11,
        lastError: undefined,
      },
      {
        seq: 3,
        kind: 'mkdir',
        path: '/empty',
        itemId: undefined,
        baseRev: undefined,
        enqueuedMs: 12,
        attemptCount: 0,
        nextAttemptMs: 12,
        lastError: undefined,
      },
    ]);
    expect(seqs(100)).toEqual([1, 2, 3]);
    expect(state.outbox.peekDue(100, 2).map((entry) => entry.seq)).toEqual([1, 2]);
  });

  it('backs off a failing change, doubling, honouring Retry-After, keeping the last error', () => {
    const seq = state.outbox.enqueue({ kind: 'upload', path: '/a.txt' }, 0);
    expect(state.outbox.fail(seq, { errorMessage: 'ECONNREFUSED', nowMs: 1_000 })).toMatchObject({
      attemptCount: 1,
      nextAttemptMs: 2_000,
      lastError: 'ECONNREFUSED',
    });
    expect(seqs(1_999)).toEqual([]);
    expect(seqs(2_000)).toEqual([seq]);
    expect(state.outbox.fail(seq, { errorMessage: 'HTTP 503', nowMs: 2_000 })?.nextAttemptMs).toBe(
      4_000,
    );
    expect(
      state.outbox.fail(seq, { errorMessage: 'HTTP 429', nowMs: 4_000, retryAfterMs: 60_000 })
        ?.nextAttemptMs,
    ).toBe(64_000);
    expect(state.outbox.nextAttemptMs()).toBe(64_000);
    expect(
      state.outbox.fail(seq, { errorMessage: 'x'.repeat(5_000), nowMs: 0 })?.lastError,
    ).toHaveLength(1_000);
    expect(state.outbox.fail(999, { errorMessage: 'gone', nowMs: 0 })).toBeUndefined();
  });

  it('holds back later changes to the same item or an overlapping path, not unrelated ones', () => {
    const item = 'item-1' as ItemId;
    const upload = state.outbox.enqueue({ kind: 'upload', path: '/docs/a.txt', itemId: item }, 0);
    state.outbox.fail(upload, { errorMessage: 'locked', nowMs: 0 });
    const sameItemRenamed = state.outbox.enqueue(
      { kind: 'move', fromPath: '/docs/a.txt', path: '/b.txt', itemId: item },
      1,
    );
    const sameItemOnly = state.outbox.enqueue(
      { kind: 'upload', path: '/elsewhere.txt', itemId: item },
      1,
    );
    const parentDeleted = state.outbox.enqueue({ kind: 'delete', path: '/docs' }, 2);
    const unrelated = state.outbox.enqueue({ kind: 'upload', path: '/docs-archive/a.txt' }, 3);
    const movedAway = state.outbox.enqueue({ kind: 'move', fromPath: '/x', path: '/y' }, 4);
    const intoMoved = state.outbox.enqueue({ kind: 'upload', path: '/y/inner.txt' }, 5);
    const fromMovedSource = state.outbox.enqueue({ kind: 'mkdir', path: '/x/sub' }, 6);

    // The failed upload backs off until 1000; everything on its item or under /docs waits for it.
    expect(seqs(500)).toEqual([unrelated, movedAway]);

    expect(state.outbox.complete(movedAway)).toBe(true);
    expect(seqs(500)).toEqual([unrelated, intoMoved, fromMovedSource]);

    expect(seqs(1_000)).toEqual([upload, unrelated, intoMoved, fromMovedSource]);
    state.outbox.complete(upload);
    // The rename's source is under /docs and it shares the item: both later entries still wait.
    expect(seqs(1_000)).toEqual([sameItemRenamed, unrelated, intoMoved, fromMovedSource]);
    state.outbox.complete(sameItemRenamed);
    expect(seqs(1_000)).toEqual([
      sameItemOnly,
      parentDeleted,
      unrelated,
      intoMoved,
      fromMovedSource,
    ]);
    expect(state.outbox.complete(upload)).toBe(false);
  });

  it('never reuses a sequence number, even after the newest entry is done and the file reopened', () => {
    state.outbox.enqueue({ kind: 'mkdir', path: '/one' }, 0);
    const second = state.outbox.enqueue({ kind: 'mkdir', path: '/two' }, 0);
    state.outbox.complete(second);
    state.close();
    state = openClientState(path);
    expect(state.outbox.enqueue({ kind: 'mkdir', path: '/three' }, 0)).toBe(second + 1);
    expect(state.outbox.list().map((entry) => entry.path)).toEqual(['/one', '/three']);
    expect(state.outbox.get(second)).toBeUndefined();
  });

  it('reports when to wake up next, undefined when empty', () => {
    expect(state.outbox.nextAttemptMs()).toBeUndefined();
    state.outbox.enqueue({ kind: 'delete', path: '/a' }, 50);
    state.outbox.enqueue({ kind: 'delete', path: '/b' }, 20);
    expect(state.outbox.nextAttemptMs()).toBe(20);
  });
});
