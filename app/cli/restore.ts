/**
 * `ferry restore PATH --rev R [--home DIR] [--json]`: makes revision R (from `ferry history`)
 * the newest version of PATH. Nothing is lost: the version it replaces stays in the history.
 * A running `ferry sync` brings the restored content to the folder.
 */
import type { Command } from 'commander';
import type { Rev } from 'sync-engine/protocol';
import {
  addCommonOptions,
  loadSignedInDevice,
  printResult,
  withRemote,
  type CliIo,
  type CommonFlags,
} from './command-context.js';
import { parseRev } from './flag-parsers.js';
import { formatBytes } from './human-format.js';
import { toServerPath } from './server-path.js';

interface RestoreFlags extends CommonFlags {
  readonly rev: string;
}

export function registerRestoreCommand(program: Command, io: CliIo): void {
  const command = program
    .command('restore')
    .description('bring back an old revision of a file as its newest version')
    .argument('<path>', 'a server path (/docs/a.txt) or a path in the synced folder')
    .requiredOption('--rev <rev>', 'the revision to restore, as ferry history prints it', parseRev);
  addCommonOptions(
    command,
    '{"restoredFrom","file":{"path","fileId","namespace","rev","size","contentHash","modified","status"}}',
  );
  command.action(async (argument: string, flags: RestoreFlags) => {
    const { config } = await loadSignedInDevice(io, flags);
    const path = await toServerPath(argument, { folder: config.folder, cwd: io.cwd });
    const rev = flags.rev as Rev;
    const file = await withRemote(config, (remote, signal) =>
      remote.restoreFile({ path, rev }, signal),
    );
    printResult(
      io,
      flags,
      { restoredFrom: rev, file },
      `Restored ${file.path} from revision ${rev}: new revision ${file.rev} (${formatBytes(file.size)}).`,
    );
  });
}
