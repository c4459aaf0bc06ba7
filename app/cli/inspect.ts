import type { Command } from 'commander';
import { inspectFile, type InspectedFile } from 'sync-engine';

/** Messages for the file errors a user can fix; anything else keeps the system's message. */
const FILE_ERROR_MESSAGES: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

function formatBytes(sizeBytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = sizeBytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A table for people: one line per block, then a summary. */
function formatTable(result: InspectedFile): string {
  const rows = result.blocks.map((block, index) => [
    String(index + 1),
    String(block.offset),
    String(block.size),
    block.id,
  ]);
  const header = ['#', 'offset', 'size', 'id (SHA-256)'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column < 3 ? cell.padStart(widths[column]!) : cell)).join('  ');
  const count = result.blocks.length;
  const summary = `${result.path}: ${formatBytes(result.size)} (${result.size} bytes) in ${count} block${count === 1 ? '' : 's'}`;
  return [summary, ...(count > 0 ? [line(header), ...rows.map(line)] : [])].join('\n') + '\n';
}

/**
 * `ferry inspect FILE [--json]`: the block list of a local file (offset, size, id), as the engine
 * would commit it. `--json` prints exactly {"path","size","blocks":[{"offset","size","id"}]} on
 * one line. A file that cannot be read is an error (exit code 1).
 */
export function registerInspectCommand(program: Command): void {
  program
    .command('inspect')
    .description('show how a local file splits into blocks: offset, size and id of each')
    .argument('<file>', 'the file to inspect')
    .option('--json', 'print one JSON object: {"path","size","blocks":[{"offset","size","id"}]}')
    .action(async (file: string, options: { json?: boolean }) => {
      let result: InspectedFile;
      try {
        result = await inspectFile(file);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const reason = (code && FILE_ERROR_MESSAGES[code]) ?? (error as Error).message;
        throw new Error(`cannot inspect ${file}: ${reason}`, { cause: error });
      }
      const { path, size, blocks } = result;
      const json = {
        path,
        size,
        blocks: blocks.map(({ offset, size: blockSize, id }) => ({ offset, size: blockSize, id })),
      };
      process.stdout.write(options.json ? `${JSON.stringify(json)}\n` : formatTable(result));
    });
}
