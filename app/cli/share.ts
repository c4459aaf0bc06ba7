/**
 * `ferry share PATH --with EMAIL --role viewer|editor [--home DIR] [--json]`: shares a folder
 * of your own with another account. It appears in their root under the folder's name; a
 * viewer can read it, an editor can change it too. Sharing an already shared folder with the
 * same person is an error (`already_shared`); change the role by unsharing and sharing again.
 */
import { Option, type Command } from 'commander';
import type { ShareRole } from 'sync-engine/protocol';
import {
  addCommonOptions,
  loadSignedInDevice,
  printResult,
  withRemote,
  type CliIo,
  type CommonFlags,
} from './command-context.js';
import { parseEmail, SHARE_ROLES } from './flag-parsers.js';
import { toServerPath } from './server-path.js';

/** What every share command prints for one share in --json. */
export const SHARE_JSON =
  '{"id","namespace","role","ownerEmail","recipientEmail","path","created"}';

interface ShareFlags extends CommonFlags {
  readonly with: string;
  readonly role: ShareRole;
}

export function registerShareCommand(program: Command, io: CliIo): void {
  const command = program
    .command('share')
    .description('share one of your folders with another account, as viewer or editor')
    .argument('<path>', 'a server path (/Projects) or a folder in the synced folder')
    .requiredOption('--with <email>', 'the account to share with', parseEmail)
    .addOption(
      new Option('--role <role>', 'viewer (read only) or editor (read and write)')
        .choices(SHARE_ROLES)
        .makeOptionMandatory(),
    );
  addCommonOptions(command, SHARE_JSON);
  command.action(async (argument: string, flags: ShareFlags) => {
    const { config } = await loadSignedInDevice(io, flags);
    const path = await toServerPath(argument, { folder: config.folder, cwd: io.cwd });
    const share = await withRemote(config, (remote, signal) =>
      remote.createShare({ path, email: flags.with, role: flags.role }, signal),
    );
    printResult(
      io,
      flags,
      share,
      `Shared ${share.path} with ${share.recipientEmail} as ${share.role} (share ${share.id}).`,
    );
  });
}
