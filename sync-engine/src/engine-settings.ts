/**
 * The settings a user changes while the engine runs (EngineControl.getSettings/updateSettings):
 * bandwidth limits, applied to the next block and kept in the client state for the next start
 * (a `--limit-up`/`--limit-down` flag still wins at start), and the folder's `.ferryignore`,
 * written atomically through the engine's scratch folder, after which the folder is scanned,
 * and the top-level folders this device leaves out (selective sync), kept in the client state.
 */
import { ControlError, type EngineSettings } from './control/index.js';
import type { FileSystem } from './ports.js';
import type { SettingsTable } from './state/index.js';

/** The limits in force, bytes per second (undefined: none). */
export interface BandwidthLimits {
  readonly up: number | undefined;
  readonly down: number | undefined;
}

const LIMITS_KEY = 'bandwidthLimits';
const EXCLUDED_KEY = 'excludedFolders';
const IGNORE_FILE = '/.ferryignore';

/** The limits to start with: the flags where given, else what the user set last. */
export function startingLimits(
  settings: SettingsTable,
  flags: { readonly up?: number; readonly down?: number },
): BandwidthLimits {
  const kept = (settings.get(LIMITS_KEY) ?? {}) as { up?: number | null; down?: number | null };
  return { up: flags.up ?? kept.up ?? undefined, down: flags.down ?? kept.down ?? undefined };
}

/** The top-level folders left out on this device, as the user set them last. */
export function startingExcludedFolders(settings: SettingsTable): string[] {
  const kept = settings.get(EXCLUDED_KEY);
  return Array.isArray(kept) ? kept.filter((name): name is string => typeof name === 'string') : [];
}

/** Keeps the excluded folders for the next start (sorted, as getSettings answers them). */
export function keepExcludedFolders(settings: SettingsTable, names: readonly string[]): string[] {
  const kept = [...new Set(names)].sort();
  settings.set(EXCLUDED_KEY, kept);
  return kept;
}

/** Options of {@link createEngineSettings}. */
export interface EngineSettingsOptions {
  readonly fs: Pick<FileSystem, 'readFile' | 'createFile' | 'rename' | 'mkdir' | 'removeFile'>;
  readonly settings: SettingsTable;
  readonly tempFolder: string;
  readonly limits: BandwidthLimits;
  /** Puts new limits into force. */
  readonly applyLimits: (limits: BandwidthLimits) => void;
  /** Called after `.ferryignore` changed: scan the folder. */
  readonly onIgnoreChanged: () => void;
  /** Puts a new list of excluded top-level folders into force. */
  readonly applyExcludedFolders: (names: readonly string[]) => void;
}

export function createEngineSettings(options: EngineSettingsOptions) {
  const { fs } = options;
  let limits = options.limits;
  let excluded = startingExcludedFolders(options.settings);

  const readIgnore = async (): Promise<string> => {
    const decoder = new TextDecoder();
    let text = '';
    try {
      for await (const chunk of fs.readFile(IGNORE_FILE))
        text += decoder.decode(chunk, { stream: true });
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return '';
      throw error;
    }
    return text + decoder.decode();
  };

  const writeIgnore = async (text: string): Promise<void> => {
    if (text === '') {
      await fs.removeFile(IGNORE_FILE);
      return;
    }
    await fs.mkdir(options.tempFolder);
    const temp = `${options.tempFolder}/ferryignore-${Date.now()}`;
    const writer = await fs.createFile(temp);
    try {
      await writer.write(new TextEncoder().encode(text));
      await writer.sync();
    } finally {
      await writer.close();
    }
    await fs.rename(temp, IGNORE_FILE);
  };

  const current = async (): Promise<EngineSettings> => ({
    limitUpBytesPerSecond: limits.up ?? null,
    limitDownBytesPerSecond: limits.down ?? null,
    ignorePatterns: await readIgnore(),
    excludedFolders: excluded,
  });

  return {
    getSettings: current,
    updateSettings: async (change: Partial<EngineSettings>): Promise<EngineSettings> => {
      // Checked first, so that a refused change changes nothing.
      if (change.startAtLogin !== undefined) {
        throw new ControlError(
          'invalid_request',
          'start at login is a setting of the desktop app; here, start ferry sync from your session’s startup',
        );
      }
      const up = change.limitUpBytesPerSecond;
      const down = change.limitDownBytesPerSecond;
      if (up !== undefined || down !== undefined) {
        limits = {
          up: up === undefined ? limits.up : (up ?? undefined),
          down: down === undefined ? limits.down : (down ?? undefined),
        };
        options.settings.set(LIMITS_KEY, { up: limits.up ?? null, down: limits.down ?? null });
        options.applyLimits(limits);
      }
      if (change.ignorePatterns !== undefined && change.ignorePatterns !== (await readIgnore())) {
        await writeIgnore(change.ignorePatterns);
        options.onIgnoreChanged();
      }
      const names = change.excludedFolders;
      if (names !== undefined && [...names].sort().join('/') !== excluded.join('/')) {
        excluded = keepExcludedFolders(options.settings, names);
        options.applyExcludedFolders(excluded);
      }
      return current();
    },
  };
}
