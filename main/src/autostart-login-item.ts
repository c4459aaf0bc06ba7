/**
 * Start at login on Linux desktops: the freedesktop.org autostart file that login-item.ts
 * describes, written and removed here (Electron's login items do not cover Linux).
 */
import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loginItemChange } from './login-item.js';
import type { LoginItem } from './start-at-login-control.js';

export function autostartLoginItem(options: {
  readonly configHome: string;
  readonly execPath: string;
}): LoginItem {
  const changeFor = (enabled: boolean) =>
    loginItemChange({ platform: 'linux', enabled, ...options });
  return {
    isEnabled: async () => {
      const change = changeFor(true);
      if (change.kind !== 'write-autostart-file') return false;
      return access(change.file).then(
        () => true,
        () => false,
      );
    },
    setEnabled: async (enabled) => {
      const change = changeFor(enabled);
      if (change.kind === 'write-autostart-file') {
        await mkdir(path.dirname(change.file), { recursive: true });
        await writeFile(change.file, change.content, { mode: 0o644 });
      } else if (change.kind === 'remove-autostart-file') {
        await rm(change.file, { force: true });
      }
    },
  };
}
