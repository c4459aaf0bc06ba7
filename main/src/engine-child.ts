/**
 * The desktop app runs its engine as a child process, `ferry sync --json --ui-port 0`, on the
 * Node inside Electron (`ELECTRON_RUN_AS_NODE=1`): a crash or a long SQLite transaction in the
 * engine never freezes the tray or the window, and the engine is the very program the CLI and
 * the tests run (docs/desktop.md). The child prints its control API's address as a JSON event;
 * main then reaches the engine through that API, as the browser UI does. Pure parts here.
 */

/** How to start the engine child. */
export interface EngineChildCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/** Options of {@link engineChildCommand}. */
export interface EngineChildOptions {
  /** Electron's executable (process.execPath). */
  readonly execPath: string;
  /** The `ferry` entry script (app/bin/ferry.mjs, or its copy in the packaged app). */
  readonly ferryEntry: string;
  /** The device's home (`--home`). */
  readonly home: string;
  readonly folder: string;
  /** True in a packaged app: it holds the CLI bundle and no sources. */
  readonly packaged: boolean;
}

export function engineChildCommand(options: EngineChildOptions): EngineChildCommand {
  return {
    command: options.execPath,
    args: [
      options.ferryEntry,
      'sync',
      '--json',
      '--ui-port',
      '0',
      '--home',
      options.home,
      '--folder',
      options.folder,
    ],
    env: { ELECTRON_RUN_AS_NODE: '1', ...(options.packaged ? { FERRY_PACKAGED: '1' } : {}) },
  };
}

/** The control API's origin and token, from one stdout line of the child; else undefined. */
export function controlAddressOf(
  line: string,
): { readonly origin: string; readonly token: string } | undefined {
  if (!line.startsWith('{')) return undefined;
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    return undefined;
  }
  const { type, url } = event as { type?: unknown; url?: unknown };
  if (type !== 'control' || typeof url !== 'string') return undefined;
  let address: URL;
  try {
    address = new URL(url);
  } catch {
    return undefined;
  }
  const token = new URLSearchParams(address.hash.slice(1)).get('token');
  // Only ever a loopback address: main sends the token there.
  if (address.protocol !== 'http:' || address.hostname !== '127.0.0.1' || token === null) {
    return undefined;
  }
  return { origin: address.origin, token };
}
