/**
 * `ferry folders [--exclude NAME]… [--include NAME]…`: selective sync from the command line.
 * Lists the account's top-level folders and whether this device keeps them; `--exclude` leaves
 * one out here (its copy is removed, what has not synced yet stays), `--include` takes it back
 * (downloaded). Asked of the running `ferry sync` when one runs, which applies it at once;
 * otherwise kept in the device's state for the next `ferry sync`.
 */
import type { Command } from 'commander';
import {
  keepExcludedFolders,
  openClientState,
  startingExcludedFolders,
  validateSettingsBody,
} from 'sync-engine';
import { readRunningEngine, statePath } from '../config/device-home.js';
import {
  addCommonOptions,
  loadSignedInDevice,
  printResult,
  withRemote,
  type CliIo,
  type CommonFlags,
} from './command-context.js';
import { callEngine } from './control-client.js';

interface FoldersFlags extends CommonFlags {
  readonly exclude: string[];
  readonly include: string[];
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** The excluded list after the flags, checked as the control API checks it. */
function changedList(current: readonly string[], flags: FoldersFlags): string[] {
  const next = new Set(current);
  for (const name of flags.include) next.delete(name);
  for (const name of flags.exclude) next.add(name);
  return [...(validateSettingsBody({ excludedFolders: [...next] }).excludedFolders ?? [])];
}

/** Reads (and with a change, writes) the excluded folders in the state of a stopped engine. */
function withStoppedEngine(home: string, change: (current: string[]) => string[] | undefined) {
  const state = openClientState(statePath(home));
  try {
    const current = startingExcludedFolders(state.settings);
    const next = change(current);
    return next === undefined ? current : keepExcludedFolders(state.settings, next);
  } finally {
    state.close();
  }
}

export function registerFoldersCommand(program: Command, io: CliIo): void {
  const command = program
    .command('folders')
    .description("list the account's top-level folders and choose which this device keeps")
    .option('--exclude <name>', 'leave this top-level folder out on this device', collect, [])
    .option('--include <name>', 'keep this top-level folder on this device again', collect, []);
  addCommonOptions(command, '{"folders":[{"name","onThisDevice"}],"excluded":[…],"applied"}');
  command.action(async (flags: FoldersFlags) => {
    const { home, config } = await loadSignedInDevice(io, flags);
    const changing = flags.exclude.length > 0 || flags.include.length > 0;
    const running = await readRunningEngine(home);
    let excluded: readonly string[];
    if (running !== undefined) {
      const current = (await callEngine(running, 'getSettings')).excludedFolders;
      excluded = changing
        ? (
            await callEngine(running, 'updateSettings', {
              excludedFolders: changedList(current, flags),
            })
          ).excludedFolders
        : current;
    } else {
      excluded = withStoppedEngine(home, (current) =>
        changing ? changedList(current, flags) : undefined,
      );
    }
    const entries = await withRemote(config, (remote, signal) =>
      remote.listFolder({ path: '/' }, signal),
    );
    const left = new Set(excluded);
    const names = [
      ...new Set([
        ...entries.filter((e) => e.type === 'folder').map((e) => e.path.slice(1)),
        ...left,
      ]),
    ].sort((a, b) => a.localeCompare(b));
    const folders = names.map((name) => ({ name, onThisDevice: !left.has(name) }));
    const applied = running === undefined ? 'at the next ferry sync' : 'now';
    const lines = folders.map(
      (folder) => `${folder.onThisDevice ? 'synced here ' : 'left out    '} ${folder.name}`,
    );
    if (folders.length === 0) lines.push('No folders at the top level of your Ferry yet.');
    if (changing) lines.push(`Saved; applied ${applied}.`);
    printResult(
      io,
      flags,
      { folders, excluded, applied: changing ? applied : null },
      lines.join('\n'),
    );
  });
}
