import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openClientState } from './client-state.js';
import type { JsonValue } from './settings-table.js';
import { useTempDir } from '../testkit/index.js';

describe('SettingsTable', () => {
  const tempDir = useTempDir('settings');

  it('stores JSON values by key across reopen, replaces and deletes them', () => {
    const path = join(tempDir(), 'state.sqlite');
    const state = openClientState(path);
    const selective: JsonValue = { excluded: ['/Videos', '/Old projects'], isEnabled: true };
    state.settings.set('selectiveSync', selective);
    state.settings.set('uploadLimitBytesPerSecond', 1_048_576);
    state.settings.set('isPaused', false);
    state.settings.set('isPaused', true);
    state.close();

    const reopened = openClientState(path);
    expect(reopened.settings.get('selectiveSync')).toEqual(selective);
    expect(reopened.settings.list()).toEqual({
      isPaused: true,
      selectiveSync: selective,
      uploadLimitBytesPerSecond: 1_048_576,
    });
    expect(reopened.settings.delete('isPaused')).toBe(true);
    expect(reopened.settings.delete('isPaused')).toBe(false);
    expect(reopened.settings.get('isPaused')).toBeUndefined();
    expect(() => reopened.settings.set('nothing', undefined as unknown as JsonValue)).toThrow(
      TypeError,
    );
    reopened.close();
  });
});
