/**
 * `ferry shares [--home DIR] [--json]`: the folders you share with others and the folders
 * others share with you, with the share ids `ferry unshare` takes.
 */
import type { Command } from 'commander';
import type { ListSharesResponse } from 'sync-engine/protocol';
import {
  addCommonOptions,
  loadSignedInDevice,
  printResult,
  withRemote,
  type CliIo,
  type CommonFlags,
} from './command-context.js';
import { formatTable, formatTime } from './human-format.js';
import { SHARE_JSON } from './share.js';

function formatShares({ owned, received }: ListSharesResponse): string {
  if (owned.length === 0 && received.length === 0) return 'No shares.';
  const sections: string[] = [];
  if (owned.length > 0) {
    const rows = owned.map((s) => [s.id, s.path, s.recipientEmail, s.role, formatTime(s.created)]);
    sections.push(
      `Shared by you:\n${formatTable(['id', 'folder', 'with', 'role', 'since'], rows)}`,
    );
  }
  if (received.length > 0) {
    const rows = received.map((s) => [s.id, s.path, s.ownerEmail, s.role, formatTime(s.created)]);
    sections.push(
      `Shared with you:\n${formatTable(['id', 'folder', 'from', 'role', 'since'], rows)}`,
    );
  }
  return sections.join('\n\n');
}

export function registerSharesCommand(program: Command, io: CliIo): void {
  const command = program
    .command('shares')
    .description('list the folders you share and the folders shared with you');
  addCommonOptions(command, `{"owned":[${SHARE_JSON}],"received":[…]}`);
  command.action(async (flags: CommonFlags) => {
    const { config } = await loadSignedInDevice(io, flags);
    const shares = await withRemote(config, (remote, signal) => remote.listShares(signal));
    printResult(io, flags, shares, formatShares(shares));
  });
}
