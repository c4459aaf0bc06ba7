/**
 * `ferry status`, `ferry conflicts` and `ferry resolve PATH --keep mine|theirs|both`: asked of
 * the running `ferry sync` through its control API when one runs for the home, otherwise
 * answered from the device's state (and the server) directly.
 */
import type { Command } from 'commander';
import {
  CONFLICT_KEEP,
  createEngine,
  openClientState,
  type ConflictInfo,
  type ConflictKeep,
} from 'sync-engine';
import { readRunningEngine, statePath, type DeviceConfig } from '../config/device-home.js';
import { UsageError } from './cli-errors.js';
import {
  addCommonOptions,
  loadSignedInDevice,
  printResult,
  withRemote,
  type CliIo,
  type CommonFlags,
} from './command-context.js';
import { callEngine } from './control-client.js';
import { formatBytes } from './human-format.js';
import { toServerPath } from './server-path.js';

function conflictInfoLine(conflict: ConflictInfo): string {
  const when = new Date(conflict.detectedMs).toISOString().replace('T', ' ').slice(0, 19);
  const copy = conflict.copyPath === null ? '' : ` → your version: ${conflict.copyPath}`;
  return `${conflict.path} (${conflict.reason}, ${when})${copy}`;
}

/** The unresolved conflicts in the home's state, when no engine runs. */
function conflictsFromState(home: string): ConflictInfo[] {
  const state = openClientState(statePath(home));
  try {
    return state.conflicts.listUnresolved().map((conflict) => ({
      id: conflict.id,
      path: conflict.path,
      copyPath: conflict.conflictedCopyPath ?? null,
      reason: conflict.reason,
      detectedMs: conflict.detectedMs,
    }));
  } finally {
    state.close();
  }
}

export function registerStatusCommand(program: Command, io: CliIo): void {
  const command = program
    .command('status')
    .description('what the sync engine is doing: state, progress, problems');
  addCommonOptions(command, 'the engine status (docs/sync-engine.md, "Control API")');
  command.action(async (flags: CommonFlags) => {
    const { home, config } = await loadSignedInDevice(io, flags);
    const running = await readRunningEngine(home);
    if (running !== undefined) {
      const status = await callEngine(running, 'getStatus');
      const lines = [
        `${status.state}${status.message === undefined ? '' : `: ${status.message}`}`,
        `folder: ${status.folder}`,
        `server: ${status.serverUrl} as ${status.email} (device ${status.deviceName})`,
        `pending: ${status.progress.filesPending} changes; sent ${formatBytes(status.progress.bytesUp)}, received ${formatBytes(status.progress.bytesDown)}`,
        ...(status.account === null
          ? []
          : [
              `storage: ${formatBytes(status.account.usedBytes)} of ${formatBytes(status.account.quotaBytes)}`,
            ]),
        ...status.problems.map((problem) => `problem: ${problem.message}`),
        `open in a browser: ${uiAddress(running)}`,
      ];
      printResult(
        io,
        flags,
        { running: true, ...status, uiUrl: uiAddress(running) },
        lines.join('\n'),
      );
      return;
    }
    const conflicts = config.folder === null ? [] : conflictsFromState(home);
    const account = await withRemote(config, (remote, signal) => remote.getAccount(signal)).catch(
      () => undefined,
    );
    const lines = [
      'not running (start it with: ferry sync)',
      `folder: ${config.folder ?? 'none yet'}`,
      `server: ${config.serverUrl} as ${config.email} (device ${config.deviceName})`,
      ...(account === undefined
        ? ['storage: unknown (the server cannot be reached)']
        : [`storage: ${formatBytes(account.usedBytes)} of ${formatBytes(account.quotaBytes)}`]),
      `unresolved conflicts: ${conflicts.length}`,
    ];
    printResult(
      io,
      flags,
      {
        running: false,
        state: 'stopped',
        folder: config.folder,
        serverUrl: config.serverUrl,
        email: config.email,
        deviceName: config.deviceName,
        account:
          account === undefined
            ? null
            : { usedBytes: account.usedBytes, quotaBytes: account.quotaBytes },
        conflicts: conflicts.length,
      },
      lines.join('\n'),
    );
  });
}

export function registerConflictsCommand(program: Command, io: CliIo): void {
  const command = program
    .command('conflicts')
    .description('the unresolved conflicts, oldest first');
  addCommonOptions(command, '{"conflicts":[{"id","path","copyPath","reason","detectedMs"}]}');
  command.action(async (flags: CommonFlags) => {
    const { home } = await loadSignedInDevice(io, flags);
    const running = await readRunningEngine(home);
    const conflicts =
      running !== undefined ? await callEngine(running, 'listConflicts') : conflictsFromState(home);
    printResult(
      io,
      flags,
      { conflicts },
      conflicts.length === 0 ? 'No conflicts.' : conflicts.map(conflictInfoLine).join('\n'),
    );
  });
}

function parseKeep(value: string): ConflictKeep {
  if (!(CONFLICT_KEEP as readonly string[]).includes(value)) {
    throw new UsageError(
      `--keep must be one of ${CONFLICT_KEEP.join(', ')}, not ${JSON.stringify(value)}`,
    );
  }
  return value as ConflictKeep;
}

async function resolveWithoutEngine(
  home: string,
  config: DeviceConfig,
  path: string,
  keep: ConflictKeep,
) {
  if (config.folder === null)
    throw new UsageError('this device has not synced a folder yet: nothing to resolve');
  const engine = await createEngine({
    folder: config.folder,
    statePath: statePath(home),
    serverUrl: config.serverUrl,
    token: config.token,
    userId: config.userId,
    rootNamespace: config.rootNamespace,
    email: config.email,
    deviceName: config.deviceName,
  });
  try {
    return await engine.resolveConflict(path, keep);
  } finally {
    await engine.close();
  }
}

export function registerResolveCommand(program: Command, io: CliIo): void {
  const command = program
    .command('resolve')
    .description(
      'settle a conflict: keep mine (upload my copy on top), theirs (drop my copy) or both',
    )
    .argument(
      '<path>',
      "the conflict's path (or its conflicted copy), in the folder or as a server path",
    )
    .requiredOption('--keep <choice>', 'mine, theirs or both', parseKeep);
  addCommonOptions(command, '{"id","path","copyPath","reason","detectedMs","keep"}');
  command.action(async (target: string, flags: CommonFlags & { keep: ConflictKeep }) => {
    const { home, config } = await loadSignedInDevice(io, flags);
    const path = await toServerPath(target, { folder: config.folder, cwd: io.cwd });
    const running = await readRunningEngine(home);
    const resolved =
      running !== undefined
        ? await callEngine(running, 'resolveConflict', { path, keep: flags.keep })
        : await resolveWithoutEngine(home, config, path, flags.keep);
    printResult(
      io,
      flags,
      { ...resolved, keep: flags.keep },
      `Resolved ${resolved.path}: kept ${flags.keep}.`,
    );
  });
}

/** The browser UI's address of a running engine, token included (as `ferry sync` printed it). */
function uiAddress(running: { controlUrl: string; controlToken: string }): string {
  return `${running.controlUrl}/#token=${running.controlToken}`;
}
