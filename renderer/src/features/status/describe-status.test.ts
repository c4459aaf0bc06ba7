import { describe, expect, it } from 'vitest';
import type { EngineState, EngineStatus } from 'sync-engine/control';
import { describeStatus } from './describe-status.js';

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

const withState = (state: EngineState, extra: Partial<EngineStatus> = {}): EngineStatus => ({
  ...IDLE,
  state,
  ...extra,
});

describe('describeStatus', () => {
  it.each([
    [withState('idle'), 0, 'ok', 'Up to date', 'Your files are in sync'],
    [withState('idle'), 1, 'attention', '1 conflict', 'Everything else is up to date'],
    [withState('idle'), 1200, 'attention', '1,200 conflicts', 'Everything else is up to date'],
    [withState('starting'), 0, 'busy', 'Starting…', 'Opening your folder'],
    [withState('scanning'), 0, 'busy', 'Checking for changes…', '/home/ann/Ferry'],
    [
      withState('syncing', {
        progress: { ...IDLE.progress, filesPending: 1234, bytesPending: 5_600_000 },
      }),
      0,
      'busy',
      'Syncing',
      '1,234 files left · 5.6 MB',
    ],
    [withState('syncing'), 0, 'busy', 'Syncing', 'Sending and receiving changes'],
    [withState('paused', { paused: true }), 0, 'paused', 'Paused', 'Changes wait until you resume'],
    [
      withState('paused', { paused: true, progress: { ...IDLE.progress, filesPending: 1 } }),
      0,
      'paused',
      'Paused',
      '1 file left · waiting for you to resume',
    ],
    [
      withState('offline', { message: 'connection refused' }),
      0,
      'offline',
      'Offline',
      'connection refused',
    ],
    [
      withState('held', { heldDeletes: { count: 5000, paths: ['/a'] } }),
      0,
      'attention',
      'Deletions held',
      '5,000 files were deleted elsewhere; confirm before they go here',
    ],
    [
      withState('error', { message: 'device revoked' }),
      0,
      'attention',
      'Syncing stopped',
      'device revoked',
    ],
    [withState('stopped'), 0, 'offline', 'Stopped', 'The sync engine has shut down'],
  ] as const)('%o with %d conflicts', (status, conflicts, tone, headline, detail) => {
    expect(describeStatus(status, conflicts)).toEqual({ tone, headline, detail });
  });
});
