import { describe, expect, it } from 'vitest';
import { isHiddenStart, loginItemChange } from './login-item.js';

describe('start at login', () => {
  it.each(['darwin', 'win32'] as const)('on %s uses the login items of the system', (platform) => {
    expect(loginItemChange({ platform, enabled: true, execPath: '/x', configHome: '/c' })).toEqual({
      kind: 'electron-login-item',
      settings: { openAtLogin: true, args: ['--hidden'] },
    });
    expect(loginItemChange({ platform, enabled: false, execPath: '/x', configHome: '/c' })).toEqual(
      {
        kind: 'electron-login-item',
        settings: { openAtLogin: false, args: [] },
      },
    );
  });

  it('on Linux writes an autostart entry, quoting the path, and removes it when turned off', () => {
    const on = loginItemChange({
      platform: 'linux',
      enabled: true,
      execPath: '/opt/My "Apps"/Ferry-$1.AppImage',
      configHome: '/home/ann/.config',
    });
    expect(on).toMatchObject({
      kind: 'write-autostart-file',
      file: '/home/ann/.config/autostart/ferry.desktop',
    });
    expect(on.kind === 'write-autostart-file' && on.content).toContain(
      'Exec="/opt/My \\"Apps\\"/Ferry-\\$1.AppImage" --hidden\n',
    );
    expect(
      loginItemChange({
        platform: 'linux',
        enabled: false,
        execPath: '/x',
        configHome: '/home/ann/.config',
      }),
    ).toEqual({ kind: 'remove-autostart-file', file: '/home/ann/.config/autostart/ferry.desktop' });
  });

  it('a login start is hidden', () => {
    expect(isHiddenStart(['/usr/bin/ferry', '--hidden'])).toBe(true);
    expect(isHiddenStart(['/usr/bin/ferry'])).toBe(false);
  });
});
