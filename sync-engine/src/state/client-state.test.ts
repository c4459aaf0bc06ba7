import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openClientState } from './client-state.js';
import { BUSY_TIMEOUT_MS } from './open-database.js';
import { useTempDir } from '../testkit/index.js';

describe('openClientState', () => {
  const tempDir = useTempDir('client-state');

  it('runs in WAL mode with synchronous FULL, foreign keys on and a busy timeout', () => {
    const path = join(tempDir(), 'state.sqlite');
    const state = openClientState(path);
    expect(state.readConnectionSettings()).toEqual({
      journalMode: 'wal',
      synchronous: 2,
      hasForeignKeys: true,
      busyTimeoutMs: BUSY_TIMEOUT_MS,
    });
    state.settings.set('written', 1);
    // WAL really on: commits go to the -wal file, and WAL is recorded in the file itself.
    expect(existsSync(`${path}-wal`)).toBe(true);
    const other = new Database(path, { readonly: true });
    expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
    other.close();
    state.close();
  });

  it('lets another connection read the last commit while a write transaction is open', () => {
    const path = join(tempDir(), 'state.sqlite');
    const state = openClientState(path);
    state.settings.set('mode', 'committed');
    const reader = new Database(path, { readonly: true });
    const readMode = () =>
      reader.prepare("SELECT value_json FROM setting WHERE key = 'mode'").pluck().get();

    state.transaction(() => {
      state.settings.set('mode', 'uncommitted');
      // In rollback-journal mode this read would fail with SQLITE_BUSY; in WAL it sees the past.
      expect(readMode()).toBe('"committed"');
    });
    expect(readMode()).toBe('"uncommitted"');
    reader.close();
    state.close();
  });

  it('commits a transaction whole or not at all', () => {
    const state = openClientState(join(tempDir(), 'state.sqlite'));
    expect(() =>
      state.transaction(() => {
        state.outbox.enqueue({ kind: 'mkdir', path: '/new' }, 1);
        state.settings.set('half', true);
        throw new Error('crash in the middle');
      }),
    ).toThrow('crash in the middle');
    expect(state.outbox.list()).toEqual([]);
    expect(state.settings.get('half')).toBeUndefined();
    state.close();
  });

  it('keeps everything across close and reopen; close twice is harmless, use after close throws', () => {
    const path = join(tempDir(), 'state.sqlite');
    const state = openClientState(path);
    const id = state.items.create({ kind: 'folder', createdMs: 1 });
    state.items.synced.put({
      itemId: id,
      kind: 'folder',
      path: '/photos',
      sizeBytes: 0,
      modifiedMs: 5,
      syncedMs: 6,
    });
    state.close();
    state.close();
    expect(() => state.settings.get('x')).toThrow(/not open/);

    const reopened = openClientState(path);
    expect(reopened.items.synced.getByPath('/photos')?.itemId).toBe(id);
    reopened.close();
  });

  it('works in memory for simulations', () => {
    const state = openClientState(':memory:');
    expect(state.readConnectionSettings().journalMode).toBe('memory');
    expect(state.readConnectionSettings().hasForeignKeys).toBe(true);
    state.outbox.enqueue({ kind: 'delete', path: '/gone' }, 1);
    expect(state.outbox.list()).toHaveLength(1);
    state.close();
  });
});
