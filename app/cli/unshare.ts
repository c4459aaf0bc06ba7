/**
 * `ferry unshare ID` or `ferry unshare PATH --with EMAIL` [--home DIR] [--json]: ends a share.
 * The owner revokes it (the recipient loses the folder; the owner keeps it); a recipient leaves
 * it (by id, or by the mount's path and the owner's email). IDs are those `ferry shares` lists.
 */
import type { Command } from 'commander';
import type { ListSharesResponse, ShareMetadata } from 'sync-engine/protocol';
import { CommandFailure, UsageError } from './cli-errors.js';
import {
  addCommonOptions,
  loadSignedInDevice,
  printResult,
  withRemote,
  type CliIo,
  type CommonFlags,
} from './command-context.js';
import { parseEmail } from './flag-parsers.js';
import { toServerPath } from './server-path.js';
import { SHARE_JSON } from './share.js';

interface UnshareFlags extends CommonFlags {
  readonly with?: string;
}

/** Which share the arguments name. */
type ShareSelector =
  | { readonly kind: 'id'; readonly id: string }
  | { readonly kind: 'path'; readonly path: string; readonly email: string };

/** The share the selector names, and whether the caller owns it (else they received it). */
function findShare(
  { owned, received }: ListSharesResponse,
  selector: ShareSelector,
): { readonly share: ShareMetadata; readonly isOwner: boolean } | undefined {
  const matches = (share: ShareMetadata, other: string) =>
    selector.kind === 'id'
      ? share.id === selector.id
      : share.path === selector.path && other.toLowerCase() === selector.email.toLowerCase();
  const mine = owned.find((s) => matches(s, s.recipientEmail));
  if (mine) return { share: mine, isOwner: true };
  const theirs = received.find((s) => matches(s, s.ownerEmail));
  return theirs && { share: theirs, isOwner: false };
}

function describeSelector(selector: ShareSelector): string {
  return selector.kind === 'id'
    ? `no share with id ${selector.id}: ferry shares lists them`
    : `no share of ${selector.path} with ${selector.email}: ferry shares lists them`;
}

export function registerUnshareCommand(program: Command, io: CliIo): void {
  const command = program
    .command('unshare')
    .description('end a share: revoke one you own, or leave one shared with you')
    .argument('<id-or-path>', 'a share id (ferry shares), or a folder path together with --with')
    .option(
      '--with <email>',
      'with a path: the recipient (your share) or the owner (shared with you)',
      parseEmail,
    );
  addCommonOptions(command, SHARE_JSON);
  command.action(async (argument: string, flags: UnshareFlags) => {
    const { config } = await loadSignedInDevice(io, flags);
    let selector: ShareSelector;
    if (flags.with !== undefined) {
      const path = await toServerPath(argument, { folder: config.folder, cwd: io.cwd });
      selector = { kind: 'path', path, email: flags.with };
    } else if (/[/\\]/.test(argument) || argument.startsWith('.')) {
      throw new UsageError(
        `${argument} looks like a path: add --with EMAIL, or give a share id (ferry shares)`,
      );
    } else {
      selector = { kind: 'id', id: argument };
    }
    const { share, isOwner } = await withRemote(config, async (remote, signal) => {
      const found = findShare(await remote.listShares(signal), selector);
      if (found === undefined)
        throw new CommandFailure(describeSelector(selector), { code: 'not_found' });
      await remote.deleteShare(found.share.id, signal);
      return found;
    });
    const text = isOwner
      ? `Stopped sharing ${share.path} with ${share.recipientEmail} (share ${share.id}).`
      : `Left ${share.path}, shared by ${share.ownerEmail} (share ${share.id}).`;
    printResult(io, flags, share, text);
  });
}
