/**
 * Settings on a real folder and a real state database: limits kept for the next start (a flag
 * still wins), `.ferryignore` written atomically (removed when emptied), and the engine told.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNodeFileSystem } from './disk/node-file-system.js';
import { createEngineSettings, startingLimits, type BandwidthLimits } from './engine-settings.js';
import { openClientState } from './state/index.js';
import { useTempDir } from './testkit/index.js';

const dir = useTempDir('ferry-settings-');

function setUp(limits: BandwidthLimits = { up: undefined, down: undefined }) {
  const folder = path.join(dir(), 'folder');
  const state = openClientState(path.join(dir(), 'state.db'));
  const applied: BandwidthLimits[] = [];
  let scans = 0;
  const settings = createEngineSettings({
    fs: createNodeFileSystem(folder),
    settings: state.settings,
    tempFolder: '/.ferry/tmp',
    limits,
    applyLimits: (next) => applied.push(next),
    onIgnoreChanged: () => (scans += 1),
  });
  return { folder, state, settings, applied, scans: () => scans };
}

describe('engine settings', () => {
  it('apply new limits at once and keep them for the next start, where a flag still wins', async () => {
    const { state, settings, applied } = setUp();
    expect(await settings.updateSettings({ limitUpBytesPerSecond: 500_000 })).toMatchObject({
      limitUpBytesPerSecond: 500_000,
      limitDownBytesPerSecond: null,
    });
    expect(applied).toEqual([{ up: 500_000, down: undefined }]);
    expect(startingLimits(state.settings, {})).toEqual({ up: 500_000, down: undefined });
    expect(startingLimits(state.settings, { up: 1000, down: 2000 })).toEqual({
      up: 1000,
      down: 2000,
    });
    await settings.updateSettings({ limitUpBytesPerSecond: null });
    expect(startingLimits(state.settings, {})).toEqual({ up: undefined, down: undefined });
    state.close();
  });

  it('write .ferryignore and ask for a scan, only when it changed; empty removes it', async () => {
    const { folder, state, settings, scans } = setUp();
    await import('node:fs/promises').then((fs) => fs.mkdir(folder, { recursive: true }));
    expect((await settings.getSettings()).ignorePatterns).toBe('');
    await settings.updateSettings({ ignorePatterns: '*.log\nbuild/\n' });
    expect(await readFile(path.join(folder, '.ferryignore'), 'utf8')).toBe('*.log\nbuild/\n');
    expect(scans()).toBe(1);
    await settings.updateSettings({ ignorePatterns: '*.log\nbuild/\n' });
    expect(scans()).toBe(1);
    await settings.updateSettings({ ignorePatterns: '' });
    expect(await readdir(folder)).not.toContain('.ferryignore');
    expect(scans()).toBe(2);
    state.close();
  });
});
