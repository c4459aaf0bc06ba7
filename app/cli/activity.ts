/**
 * `ferry activity [--limit N] [--home DIR] [--json]`: the N most recent events (default 20) of
 * every folder you can see, yours and those shared with you: who added, edited, deleted,
 * moved, restored or shared what, oldest of them first.
 */
import type { Command } from 'commander';
import type { ActivityCursor, ActivityEvent, ActivityKind } from 'sync-engine/protocol';
import { MAX_ACTIVITY_LIMIT } from 'sync-engine/protocol';
import type { RemoteClient } from 'sync-engine';
import {
  addCommonOptions,
  loadSignedInDevice,
  printResult,
  withRemote,
  type CliIo,
  type CommonFlags,
} from './command-context.js';
import { parseLimit } from './flag-parsers.js';
import { formatTable, formatTime } from './human-format.js';

const DEFAULT_LIMIT = 20;

const VERBS: Readonly<Record<ActivityKind, string>> = {
  file_added: 'added',
  file_edited: 'edited',
  file_deleted: 'deleted',
  file_moved: 'moved',
  file_restored: 'restored',
  folder_created: 'created folder',
  folder_shared: 'shared',
  share_changed: 'changed the share of',
  share_revoked: 'stopped sharing',
};

interface ActivityFlags extends CommonFlags {
  readonly limit?: number;
}

/**
 * The last `limit` events and the feed's cursor. The server lists oldest first after a cursor,
 * so this pages through the feed (at its largest page size) keeping only the tail.
 */
async function latestEvents(
  remote: RemoteClient,
  limit: number,
  signal: AbortSignal,
): Promise<{ events: ActivityEvent[]; cursor: ActivityCursor | undefined }> {
  let events: ActivityEvent[] = [];
  let cursor: ActivityCursor | undefined;
  for (;;) {
    const page = await remote.listActivity({ cursor, limit: MAX_ACTIVITY_LIMIT }, signal);
    events = [...events, ...page.events].slice(-limit);
    cursor = page.cursor;
    if (!page.hasMore || page.events.length === 0) return { events, cursor };
  }
}

function formatActivity(events: readonly ActivityEvent[]): string {
  if (events.length === 0) return 'No activity yet.';
  const rows = events.map((e) => [
    formatTime(e.time),
    e.deviceName === null ? e.actor : `${e.actor} (${e.deviceName})`,
    VERBS[e.kind],
    e.fromPath === undefined ? e.path : `${e.fromPath} -> ${e.path}`,
  ]);
  return formatTable(['time', 'who', 'did', 'path'], rows);
}

export function registerActivityCommand(program: Command, io: CliIo): void {
  const command = program
    .command('activity')
    .description('show recent activity in your folders and the folders shared with you')
    .option(
      '--limit <n>',
      `the N most recent events (1-1000, default ${DEFAULT_LIMIT})`,
      parseLimit,
    );
  addCommonOptions(
    command,
    '{"events":[{"id","kind","path","fromPath"?,"namespace","actor","actorId","deviceName","time"}],"cursor"}',
  );
  command.action(async (flags: ActivityFlags) => {
    const { config } = await loadSignedInDevice(io, flags);
    const limit = flags.limit ?? DEFAULT_LIMIT;
    const { events, cursor } = await withRemote(config, (remote, signal) =>
      latestEvents(remote, limit, signal),
    );
    printResult(io, flags, { events, cursor: cursor ?? null }, formatActivity(events));
  });
}
