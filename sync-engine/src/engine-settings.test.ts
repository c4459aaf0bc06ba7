/**
 * Settings on a real folder and a real state database: limits kept for the next start (a flag
 * still wins), `.ferryignore` written atomically (removed when emptied), and the engine told.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNodeFileSystem } from './disk/node-file-system.js';
import {
  createEngineSettings,
  startingExcludedFolders,
  startingLimits,
  type BandwidthLimits,
} from './engine-settings.js';
import { openClientState } from './state/index.js';
import { useTempDir } from './testkit/index.js';

const dir = useTempDir('ferry-settings-');

function setUp(limits: BandwidthLimits = { up: undefined, down: undefined }) {
  const folder = path.join(dir(), 'folder');
  const state = openClientState(path.join(dir(), 'state.db'));
  const applied: BandwidthLimits[] = [];
  const excluded: (readonly string[])[] = [];
  let scans = 0;
  const settings = createEngineSettings({
    fs: createNodeFileSystem(folder),
    settings: state.settings,
    tempFolder: '/.ferry/tmp',
    limits,
    applyLimits: (next) => applied.push(next),
    onIgnoreChanged: () => (scans += 1),
    applyExcludedFolders: (names) => excluded.push(names),
  });
  return { folder, state, settings, applied, excluded, scans: () => scans };
}

describe('engine settings', () => {
  it('keep the excluded folders for the next start and apply them only when they changed', async () => {
    const { state, settings, excluded } = setUp();
    expect((await settings.getSettings()).excludedFolders).toEqual([]);
    expect(
      (await settings.updateSettings({ excludedFolders: ['Photos', 'Archive'] })).excludedFolders,
    ).toEqual(['Archive', 'Photos']);
    await settings.updateSettings({ excludedFolders: ['Archive', 'Photos'] });
    expect(excluded).toEqual([['Archive', 'Photos']]);
    expect(startingExcludedFolders(state.settings)).toEqual(['Archive', 'Photos']);
    await settings.updateSettings({ excludedFolders: [] });
    expect(excluded).toEqual([['Archive', 'Photos'], []]);
    expect(startingExcludedFolders(state.settings)).toEqual([]);
    state.close();
  });

  it('refuse start at login, which only the desktop app can set, and change nothing else', async () => {
    const { state, settings, applied, excluded } = setUp();
    await expect(
      settings.updateSettings({ startAtLogin: true, excludedFolders: ['A'] }),
    ).rejects.toMatchObject({ code: 'invalid_request', message: /setting of the desktop app/ });
    expect(excluded).toEqual([]);
    expect(applied).toEqual([]);
    expect((await settings.getSettings()).startAtLogin).toBeUndefined();
    state.close();
  });

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
