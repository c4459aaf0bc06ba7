/**
 * The start-at-login setting in the window's Settings screen: the engine knows nothing of login
 * items, so the desktop app answers `startAtLogin` itself, around the engine's control, and
 * passes the rest of a change on. No Electron here: index.ts gives the login item.
 */
import type { EngineControl, EngineSettings } from 'sync-engine/control';

/** The platform's login item (index.ts: Electron's login items, or an autostart file). */
export interface LoginItem {
  isEnabled(): Promise<boolean>;
  setEnabled(enabled: boolean): Promise<void>;
}

export function withStartAtLogin(control: EngineControl, loginItem: LoginItem): EngineControl {
  const withLoginItem = async (settings: EngineSettings): Promise<EngineSettings> => ({
    ...settings,
    startAtLogin: await loginItem.isEnabled(),
  });
  return {
    ...control,
    getSettings: async () => withLoginItem(await control.getSettings()),
    updateSettings: async (change) => {
      const { startAtLogin, ...engineChange } = change;
      // The engine's part first: when it refuses the change, the login item stays as it was.
      const settings =
        Object.keys(engineChange).length === 0
          ? await control.getSettings()
          : await control.updateSettings(engineChange);
      if (startAtLogin !== undefined) await loginItem.setEnabled(startAtLogin);
      return withLoginItem(settings);
    },
  };
}
