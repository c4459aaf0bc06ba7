/**
 * Start at login from the window: over a real autostart file in a temp dir (the Linux login
 * item) and an engine control that records what reaches it.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ControlError, createControlHandlers } from 'sync-engine';
import type { EngineControl, EngineSettings } from 'sync-engine/control';
import { autostartLoginItem } from './autostart-login-item.js';
import { withStartAtLogin } from './start-at-login-control.js';

let configHome: string;
beforeEach(async () => {
  configHome = await mkdtemp(path.join(tmpdir(), 'ferry-autostart-'));
});
afterEach(async () => {
  await rm(configHome, { recursive: true, force: true });
});

const ENGINE_SETTINGS: EngineSettings = {
  limitUpBytesPerSecond: null,
  limitDownBytesPerSecond: null,
  ignorePatterns: '',
  excludedFolders: [],
};

function engine(refuse = false) {
  const changes: Partial<EngineSettings>[] = [];
  const control = {
    getSettings: async () => ENGINE_SETTINGS,
    updateSettings: async (change: Partial<EngineSettings>) => {
      if (refuse) throw new ControlError('invalid_request', 'refused by the engine');
      changes.push(change);
      return { ...ENGINE_SETTINGS, ...change } as EngineSettings;
    },
  } as unknown as EngineControl;
  return { control, changes };
}

const signal = new AbortController().signal;

describe('start at login in the Settings screen', () => {
  it('reads and writes the autostart file; the engine never sees the setting', async () => {
    const { control, changes } = engine();
    const wrapped = withStartAtLogin(
      control,
      autostartLoginItem({ configHome, execPath: '/opt/Ferry/ferry' }),
    );
    expect((await wrapped.getSettings()).startAtLogin).toBe(false);
    expect(await wrapped.updateSettings({ startAtLogin: true })).toMatchObject({
      startAtLogin: true,
    });
    const file = path.join(configHome, 'autostart', 'ferry.desktop');
    expect(await readFile(file, 'utf8')).toContain('Exec="/opt/Ferry/ferry" --hidden');
    expect(changes).toEqual([]);
    await wrapped.updateSettings({ startAtLogin: false, ignorePatterns: '*.log\n' });
    expect(await readdir(path.join(configHome, 'autostart'))).toEqual([]);
    expect(changes).toEqual([{ ignorePatterns: '*.log\n' }]);
  });

  it('goes through the IPC validators: a non-boolean is refused before anything changes', async () => {
    const handlers = createControlHandlers(
      withStartAtLogin(engine().control, autostartLoginItem({ configHome, execPath: '/x' })),
    );
    await expect(
      handlers.updateSettings({ query: {}, body: { startAtLogin: 'yes' }, signal }),
    ).rejects.toThrow('startAtLogin must be true or false');
    await expect(readdir(configHome)).resolves.toEqual([]);
  });

  it('leaves the login item alone when the engine refuses the rest of the change', async () => {
    const wrapped = withStartAtLogin(
      engine(true).control,
      autostartLoginItem({ configHome, execPath: '/x' }),
    );
    await expect(
      wrapped.updateSettings({ startAtLogin: true, excludedFolders: ['A'] }),
    ).rejects.toThrow('refused by the engine');
    await expect(readdir(configHome)).resolves.toEqual([]);
  });
});
