/**
 * `ferry sync --folder DIR [--once] [--json] [--ui-port N] [--allow-mass-delete] [--limit-up R]
 * [--limit-down R]`: keeps the
 * folder and the server in agreement. `--once` syncs until both sides agree and exits (0 when in
 * sync, 1 with the reason otherwise); without it, runs until SIGINT or SIGTERM and stops
 * cleanly. The folder is remembered in the device's home after the first run.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { createEngine, startControlServer, type ControlServer, type Engine } from 'sync-engine';
import {
  readDeviceConfig,
  removeEngineFile,
  statePath,
  writeDeviceConfig,
  writeEngineFile,
  type DeviceConfig,
} from '../config/device-home.js';
import { prepareUiFiles } from '../config/ui-files.js';
import { createWaitingControl, type WaitingControl } from './first-run.js';
import { CommandFailure, UsageError } from './cli-errors.js';
import {
  addCommonOptions,
  homeOf,
  loadSignedInDevice,
  type CliIo,
  type CommonFlags,
} from './command-context.js';
import { parseBandwidth, parseNonEmpty, parsePort } from './flag-parsers.js';
import { followEvents } from './sync-output.js';

interface SyncFlags extends CommonFlags {
  readonly folder?: string;
  readonly once?: boolean;
  readonly uiPort?: number;
  readonly allowMassDelete?: boolean;
  readonly limitUp?: number;
  readonly limitDown?: number;
}

/** The folder to sync: the flag (remembered from now on), else the remembered one. */
export function folderOf(io: CliIo, config: DeviceConfig, flag: string | undefined): string {
  if (flag !== undefined) return path.resolve(io.cwd, flag);
  if (config.folder !== null) return config.folder;
  throw new UsageError(
    'no folder to sync: pass --folder DIR (it is remembered after the first run)',
  );
}

/** An unexpected failure behind the control API: answered as internal_error, told here once. */
function reportUnexpected(io: CliIo, error: unknown): void {
  const what = error instanceof Error ? error.message : String(error);
  io.stderr.write(`ferry: control API: ${what.slice(0, 500)}\n`);
}

/** Serves the window's first-run form until the device is signed in. */
async function waitForFirstRun(io: CliIo, home: string, flags: SyncFlags) {
  const waiting = createWaitingControl({
    home,
    ...(flags.folder === undefined ? {} : { folderFlag: path.resolve(io.cwd, flags.folder) }),
  });
  const server = await startControlServer({
    control: waiting.control,
    port: flags.uiPort ?? 0,
    uiDir: await prepareUiFiles(),
    openDownload: waiting.openZipDownload,
    onUnexpectedError: (error) => reportUnexpected(io, error),
  });
  const address = `${server.url}/#token=${server.token}`;
  if (flags.json) io.stdout.write(`${JSON.stringify({ type: 'setup', url: address })}\n`);
  else io.stdout.write(`Set up Ferry in your browser: ${address}\n`);
  const stop = stopSignal();
  try {
    const done = await Promise.race([waiting.signedIn, stop.promise.then(() => undefined)]);
    if (done === undefined) {
      await server.close();
      throw new CommandFailure('stopped before this device was signed in', { code: 'stopped' });
    }
    if (flags.json) io.stdout.write(`${JSON.stringify({ type: 'control', url: address })}\n`);
    return { firstRun: { server, waiting }, config: done.config, folder: done.folder };
  } finally {
    stop.dispose();
  }
}

/** Resolves when the process is asked to stop (Ctrl-C or SIGTERM). */
function stopSignal(): { promise: Promise<void>; dispose(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  const handler = () => resolve();
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return {
    promise,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/** Runs an engine for a signed-in home until `stopped` (or once); used by sync and start. */
export async function runSync(
  io: CliIo,
  home: string,
  config: DeviceConfig,
  options: {
    folder: string;
    once: boolean;
    json: boolean;
    uiPort?: number;
    allowMassDelete: boolean;
    limitUpBytesPerSecond?: number;
    limitDownBytesPerSecond?: number;
    stopped?: Promise<void>;
    /** A control server already serving the window (the first run), and its stand-in. */
    firstRun?: { server: ControlServer; waiting: WaitingControl };
  },
): Promise<void> {
  let engine: Engine | undefined;
  // The first run's server is ours from here: closed below whatever happens.
  let control: ControlServer | undefined = options.firstRun?.server;
  const following = new AbortController();
  const stop = stopSignal();
  try {
    await mkdir(options.folder, { recursive: true });
    if (config.folder !== options.folder)
      await writeDeviceConfig(home, { ...config, folder: options.folder });
    engine = await createEngine({
      folder: options.folder,
      statePath: statePath(home),
      serverUrl: config.serverUrl,
      token: config.token,
      userId: config.userId,
      rootNamespace: config.rootNamespace,
      email: config.email,
      deviceName: config.deviceName,
      allowMassDelete: options.allowMassDelete,
      ...(options.limitUpBytesPerSecond === undefined
        ? {}
        : { limitUpBytesPerSecond: options.limitUpBytesPerSecond }),
      ...(options.limitDownBytesPerSecond === undefined
        ? {}
        : { limitDownBytesPerSecond: options.limitDownBytesPerSecond }),
    });
    if (options.firstRun !== undefined) {
      const { server, waiting } = options.firstRun;
      waiting.attach(engine);
      await writeEngineFile(home, {
        pid: process.pid,
        controlUrl: server.url,
        controlToken: server.token,
      });
    } else if (options.uiPort !== undefined) {
      control = await startControlServer({
        control: engine,
        port: options.uiPort,
        uiDir: await prepareUiFiles(),
        openDownload: engine.openZipDownload,
        onUnexpectedError: (error) => reportUnexpected(io, error),
      });
      await writeEngineFile(home, {
        pid: process.pid,
        controlUrl: control.url,
        controlToken: control.token,
      });
      const address = `${control.url}/#token=${control.token}`;
      if (options.json) io.stdout.write(`${JSON.stringify({ type: 'control', url: address })}\n`);
      else io.stdout.write(`Ferry in your browser: ${address}\n`);
    }
    if (!options.json)
      io.stdout.write(`Syncing ${options.folder} with ${config.serverUrl} as ${config.email}\n`);
    const printing = followEvents(engine, io, options.json, following.signal);
    if (options.once) {
      const result = await engine.syncOnce();
      // Let the printer catch up with the last events before reporting.
      await new Promise((resolve) => setImmediate(resolve));
      following.abort();
      await printing;
      if (!result.agreed)
        throw new CommandFailure(`not in sync: ${result.reason ?? 'unknown reason'}`, {
          code: 'not_in_sync',
        });
      if (options.json) io.stdout.write(`${JSON.stringify({ type: 'done', agreed: true })}\n`);
      else io.stdout.write('In sync.\n');
      return;
    }
    const running = engine.run();
    await Promise.race([stop.promise, options.stopped ?? new Promise(() => undefined), running]);
    following.abort();
    await printing;
  } catch (error) {
    // A window waiting for its first run to finish hears why it did not.
    options.firstRun?.waiting.fail(error);
    throw error;
  } finally {
    stop.dispose();
    following.abort();
    await control?.close();
    if (control !== undefined) await removeEngineFile(home);
    await engine?.close();
  }
}

export function registerSyncCommand(program: Command, io: CliIo): void {
  const command = program
    .command('sync')
    .description('keep a folder and the server in agreement, in both directions')
    .option('--folder <dir>', 'the folder to sync (remembered after the first run)', parseNonEmpty)
    .option('--once', 'sync until both sides agree, then exit (0 when in sync)')
    .option(
      '--ui-port <port>',
      'serve the browser UI and the control API on 127.0.0.1:PORT (0: any free port)',
      parsePort,
    )
    .option(
      '--allow-mass-delete',
      'delete on the server even when many files were deleted here at once',
    )
    .option('--limit-up <rate>', 'upload bandwidth limit, e.g. 5MB/s', parseBandwidth)
    .option('--limit-down <rate>', 'download bandwidth limit, e.g. 5MB/s', parseBandwidth);
  addCommonOptions(command, 'one event a line: {"type":"synced"|"conflict"|"problem"|"state"|…}');
  command.action(async (flags: SyncFlags) => {
    const home = homeOf(io, flags);
    let config = await readDeviceConfig(home);
    let firstRun: { server: ControlServer; waiting: WaitingControl } | undefined;
    let folder: string | undefined;
    if (config === undefined && flags.uiPort !== undefined && flags.once !== true) {
      // No device yet: the window's first run signs it in (docs/desktop.md, "First run").
      ({ firstRun, config, folder } = await waitForFirstRun(io, home, flags));
    }
    if (config === undefined) ({ config } = await loadSignedInDevice(io, flags));
    await runSync(io, home, config, {
      folder: folder ?? folderOf(io, config, flags.folder),
      ...(firstRun === undefined ? {} : { firstRun }),
      once: flags.once === true,
      json: flags.json === true,
      ...(flags.uiPort === undefined ? {} : { uiPort: flags.uiPort }),
      allowMassDelete: flags.allowMassDelete === true,
      ...(flags.limitUp === undefined ? {} : { limitUpBytesPerSecond: flags.limitUp }),
      ...(flags.limitDown === undefined ? {} : { limitDownBytesPerSecond: flags.limitDown }),
    });
  });
}
