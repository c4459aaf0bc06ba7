/**
 * What `ferry sync` prints while it runs: with `--json` every engine event as one JSON object a
 * line (docs/sync-engine.md, "Event stream"); otherwise one human line per change, conflict and
 * problem, and on a TTY a progress bar (cli-progress) of the files and bytes of the round.
 */
import cliProgress from 'cli-progress';
import type { Engine, EngineEvent } from 'sync-engine';
import type { CliIo } from './command-context.js';
import { formatBytes } from './human-format.js';

const ACTION_WORDS: Record<string, string> = {
  upload: 'uploaded',
  download: 'downloaded',
  delete_local: 'deleted here',
  delete_remote: 'deleted on the server',
  move_local: 'moved here',
  move_remote: 'moved on the server',
  mkdir_local: 'created folder here',
  mkdir_remote: 'created folder on the server',
};

/** The human line of an event, or undefined for events shown only by the bar. */
export function describeEvent(event: EngineEvent): string | undefined {
  switch (event.type) {
    case 'synced': {
      const from = event.fromPath === undefined ? '' : ` (from ${event.fromPath})`;
      const size = event.sizeBytes === undefined ? '' : `, ${formatBytes(event.sizeBytes)}`;
      return `${ACTION_WORDS[event.action] ?? event.action} ${event.path}${from}${size}`;
    }
    case 'conflict':
      return event.conflict.copyPath === null
        ? `conflict (${event.conflict.reason}) at ${event.conflict.path}`
        : `conflict at ${event.conflict.path}: your version is kept as ${event.conflict.copyPath}`;
    case 'resolved':
      return `resolved ${event.conflict.path}: kept ${event.keep}`;
    case 'problem':
      return `problem: ${event.problem.message}`;
    case 'error':
      return `error: ${event.message} (${event.code})`;
    case 'state':
      return event.state === 'idle'
        ? 'up to date'
        : event.message === undefined
          ? undefined
          : `${event.state}: ${event.message}`;
    case 'progress':
      return undefined;
  }
}

/** Follows the engine's event log until `signal` aborts, printing each event. */
export async function followEvents(
  engine: Engine,
  io: CliIo,
  json: boolean,
  signal: AbortSignal,
): Promise<void> {
  const tty = !json && (io.stderr as { isTTY?: boolean }).isTTY === true;
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          format: 'syncing {bar} {value}/{total} files | ↑ {up} ↓ {down} | {speed}/s',
          barsize: 20,
          hideCursor: true,
          // Stopped to print a line above it: the bar's own line goes, the message stays.
          clearOnComplete: true,
          noTTYOutput: false,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  /** Draws the bar from the engine's figures while a round runs; hidden while idle. */
  let barShown = false;
  const drawBar = async () => {
    if (bar === undefined) return;
    const { progress, state } = await engine.getStatus();
    if (state === 'idle' || state === 'paused' || state === 'stopped') return;
    const values = {
      up: formatBytes(progress.bytesUp),
      down: formatBytes(progress.bytesDown),
      speed: formatBytes(progress.upBytesPerSecond + progress.downBytesPerSecond),
    };
    const total = progress.filesDone + progress.filesPending;
    if (barShown) {
      bar.setTotal(total);
      bar.update(progress.filesDone, values);
    } else {
      bar.start(total, progress.filesDone, values);
      barShown = true;
    }
  };
  const printLine = (line: string) => {
    if (barShown) bar?.stop();
    barShown = false;
    io.stdout.write(`${line}\n`);
  };
  let after = 0;
  // "up to date" once per burst of changes, not after every quiet round.
  let changedSinceIdle = true;
  try {
    while (!signal.aborted) {
      const batch = await engine.waitForEvents(after, 30_000, signal).catch(() => undefined);
      if (batch === undefined) break;
      after = batch.next;
      for (const { event, timeMs } of batch.events) {
        if (json) {
          io.stdout.write(`${JSON.stringify({ ...event, time: timeMs })}\n`);
          continue;
        }
        if (event.type === 'synced' || event.type === 'conflict') changedSinceIdle = true;
        if (event.type === 'state' && event.state === 'idle') {
          if (!changedSinceIdle) continue;
          changedSinceIdle = false;
        }
        const line = describeEvent(event);
        if (line !== undefined) printLine(line);
      }
      await drawBar();
    }
  } finally {
    bar?.stop();
  }
}
