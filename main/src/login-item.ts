/**
 * Start at login, per platform. macOS and Windows keep login items themselves (Electron's
 * `app.setLoginItemSettings`); Linux desktops start what `~/.config/autostart/*.desktop` names
 * (the freedesktop.org autostart spec), which Electron does not write. Pure: index.ts applies it.
 */
import path from 'node:path';

/** What to do so that Ferry starts (or no longer starts) at login. */
export type LoginItemChange =
  | {
      readonly kind: 'electron-login-item';
      readonly settings: { readonly openAtLogin: boolean; readonly args: readonly string[] };
    }
  | { readonly kind: 'write-autostart-file'; readonly file: string; readonly content: string }
  | { readonly kind: 'remove-autostart-file'; readonly file: string };

/** The argument a login start passes, so Ferry starts in the tray without opening its window. */
export const HIDDEN_ARG = '--hidden';

/** Options of {@link loginItemChange}. */
export interface LoginItemOptions {
  readonly platform: NodeJS.Platform;
  readonly enabled: boolean;
  /** The app's executable (an AppImage's own path on Linux, `APPIMAGE`, when set). */
  readonly execPath: string;
  /** `$XDG_CONFIG_HOME`, else `~/.config`. */
  readonly configHome: string;
}

export function loginItemChange(options: LoginItemOptions): LoginItemChange {
  if (options.platform !== 'linux') {
    return {
      kind: 'electron-login-item',
      settings: { openAtLogin: options.enabled, args: options.enabled ? [HIDDEN_ARG] : [] },
    };
  }
  const file = path.join(options.configHome, 'autostart', 'ferry.desktop');
  if (!options.enabled) return { kind: 'remove-autostart-file', file };
  return { kind: 'write-autostart-file', file, content: autostartEntry(options.execPath) };
}

/** A desktop entry that starts `execPath --hidden` (quoted per the Desktop Entry spec). */
function autostartEntry(execPath: string): string {
  const quoted = `"${execPath.replace(/(["`$\\])/g, '\\$1')}"`;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Ferry',
    'Comment=Keeps your Ferry folder in sync',
    `Exec=${quoted} ${HIDDEN_ARG}`,
    'X-GNOME-Autostart-enabled=true',
    'Terminal=false',
    '',
  ].join('\n');
}

/** True when this start came from a login item (start in the tray, no window). */
export function isHiddenStart(argv: readonly string[]): boolean {
  return argv.includes(HIDDEN_ARG);
}
