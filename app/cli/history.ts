/**
 * `ferry history PATH [--limit N] [--home DIR] [--json]`: the revisions of every file that has
 * lived at PATH, newest first (the live file's, then those of files deleted there). Any
 * revision can be brought back with `ferry restore PATH --rev R`.
 */
import type { Command } from 'commander';
import type { ListRevisionsResponse } from 'sync-engine/protocol';
import {
  addCommonOptions,
  loadSignedInDevice,
  printResult,
  withRemote,
  type CliIo,
  type CommonFlags,
} from './command-context.js';
import { parseLimit } from './flag-parsers.js';
import { formatBytes, formatTable, formatTime } from './human-format.js';
import { toServerPath } from './server-path.js';

interface HistoryFlags extends CommonFlags {
  readonly limit?: number;
}

function formatHistory(path: string, history: ListRevisionsResponse): string {
  const count = history.revisions.length;
  if (count === 0) return `${path}: no revisions`;
  const deleted = new Set(history.files.filter((f) => f.deleted).map((f) => f.fileId));
  const rows = history.revisions.map((r) => [
    r.rev,
    formatTime(r.committed),
    formatBytes(r.size),
    r.author,
    r.deviceName ?? '-',
    deleted.has(r.fileId) ? 'deleted file' : '',
  ]);
  const table = formatTable(['rev', 'committed', 'size', 'author', 'device', ''], rows);
  return `${path}: ${count} revision${count === 1 ? '' : 's'}, newest first\n${table}`;
}

export function registerHistoryCommand(program: Command, io: CliIo): void {
  const command = program
    .command('history')
    .description('list the revisions of a file, newest first')
    .argument('<path>', 'a server path (/docs/a.txt) or a path in the synced folder')
    .option('--limit <n>', 'at most N revisions (1-1000, default 100)', parseLimit);
  addCommonOptions(
    command,
    '{"path","fileId","files":[{"fileId","deleted"}],"revisions":[{"rev","committed","size","author","deviceName",…}]}',
  );
  command.action(async (argument: string, flags: HistoryFlags) => {
    const { config } = await loadSignedInDevice(io, flags);
    const path = await toServerPath(argument, { folder: config.folder, cwd: io.cwd });
    const history = await withRemote(config, (remote, signal) =>
      remote.listRevisions({ path, limit: flags.limit }, signal),
    );
    printResult(io, flags, { path, ...history }, formatHistory(path, history));
  });
}
