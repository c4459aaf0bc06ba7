import { describe, expect, it } from 'vitest';
import type { ConflictInfo, EngineState, EngineStatus } from 'sync-engine';
import { trayModelOf, type TrayMenuItem } from './tray-model.js';

const IDLE: EngineStatus = {
  state: 'idle',
  folder: '/home/ann/Ferry',
  serverUrl: 'http://127.0.0.1:8787',
  email: 'ann@example.com',
  deviceName: 'laptop',
  paused: false,
  account: null,
  progress: {
    filesPending: 0,
    bytesPending: 0,
    filesDone: 0,
    bytesUp: 0,
    bytesDown: 0,
    upBytesPerSecond: 0,
    downBytesPerSecond: 0,
  },
  problems: [],
  heldDeletes: null,
  lastSyncedMs: null,
};
const conflict = (id: number): ConflictInfo => ({
  id,
  path: `/c${id}.txt`,
  copyPath: `/c${id} (conflicted copy from B 2026-12-03 101010).txt`,
  reason: 'edit_edit',
  detectedMs: 1,
});
const at = (state: EngineState, extra: Partial<EngineStatus> = {}) => ({
  ...IDLE,
  state,
  ...extra,
});
const labels = (menu: readonly TrayMenuItem[]) =>
  menu.map((item) => (item.type === 'separator' ? '---' : item.label));

describe('the tray', () => {
  it.each([
    [undefined, 0, 'offline', 'Ferry — starting the sync engine'],
    [at('idle'), 0, 'up-to-date', 'Ferry — Up to date'],
    [at('idle'), 2, 'conflicts', 'Ferry — 2 conflicts'],
    [
      at('syncing', { progress: { ...IDLE.progress, filesPending: 12, bytesPending: 3_400_000 } }),
      2,
      'syncing',
      'Ferry — Syncing 12 files (3.4 MB)',
    ],
    [
      at('syncing', { progress: { ...IDLE.progress, filesPending: 1, bytesPending: 5000 } }),
      0,
      'syncing',
      'Ferry — Syncing 1 file (5 KB)',
    ],
    [at('scanning'), 0, 'syncing', 'Ferry — Syncing'],
    [at('paused', { paused: true }), 3, 'paused', 'Ferry — Paused'],
    [at('offline'), 0, 'offline', 'Ferry — Offline, retrying'],
    [at('stopped'), 0, 'offline', 'Ferry — Stopped'],
    [
      at('error', { message: 'This device was signed out' }),
      0,
      'error',
      'Ferry — This device was signed out',
    ],
    [
      at('held', { heldDeletes: { count: 900, paths: [] } }),
      0,
      'error',
      'Ferry — 900 deletions wait for you',
    ],
  ] as const)('%o with %d conflicts: %s', (status, count, icon, tooltip) => {
    const model = trayModelOf(
      status,
      Array.from({ length: count }, (_, i) => conflict(i)),
    );
    expect(model.icon).toBe(icon);
    expect(model.tooltip).toBe(tooltip);
  });

  it('offers pause while syncing and resume while paused', () => {
    expect(labels(trayModelOf(at('idle'), []).menu)).toEqual([
      'Up to date',
      '---',
      'Open Ferry folder',
      'Open Ferry',
      'Pause syncing',
      '---',
      'Quit Ferry',
    ]);
    const paused = trayModelOf(at('paused', { paused: true }), []).menu;
    expect(paused).toContainEqual({
      type: 'item',
      label: 'Resume syncing',
      enabled: true,
      action: { kind: 'resume' },
    });
  });

  it('lists conflicts with the four resolutions each, ten at most', () => {
    const model = trayModelOf(
      at('idle'),
      Array.from({ length: 12 }, (_, i) => conflict(i)),
    );
    const submenu = model.menu.find(
      (item) => item.type === 'item' && item.label === 'Conflicts (12)',
    );
    if (submenu?.type !== 'item' || submenu.submenu === undefined)
      throw new Error('no conflicts submenu');
    expect(labels(submenu.submenu)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `/c${i}.txt`),
      '---',
      '2 more in the Ferry window…',
    ]);
    const first = submenu.submenu[0];
    if (first?.type !== 'item') throw new Error('no first conflict');
    expect(first.submenu?.map((item) => (item.type === 'item' ? item.action : undefined))).toEqual([
      { kind: 'resolve', path: '/c0.txt', keep: 'mine' },
      { kind: 'resolve', path: '/c0.txt', keep: 'theirs' },
      { kind: 'resolve', path: '/c0.txt', keep: 'both' },
      undefined,
      {
        kind: 'show-both',
        path: '/c0.txt',
        copyPath: '/c0 (conflicted copy from B 2026-12-03 101010).txt',
      },
    ]);
  });

  it('offers the held mass delete', () => {
    const menu = trayModelOf(at('held', { heldDeletes: { count: 900, paths: ['/a'] } }), []).menu;
    expect(labels(menu)).toContain('Delete 900 files here too');
  });
});
