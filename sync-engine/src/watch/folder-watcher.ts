/**
 * The synced folder's watcher: chokidar's events, turned into settled batches of dirty tree paths
 * for the scheduler to rescan (change-settler.ts debounces and waits for writes to finish). It
 * reports where to look, never what happened: the scan decides that, and the periodic full
 * rescan catches whatever a watcher misses (SPEC "Client engine design").
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { watch } from 'chokidar';
import { FERRY_INTERNAL_DIR } from '../ignore/ignore-rules.js';
import type { Clock, EntryStat } from '../ports.js';
import { createChangeSettler } from './change-settler.js';

/** What watchFolder needs. */
export interface FolderWatcherOptions {
  /** Absolute path of the synced folder (a symlink to it is resolved first). */
  readonly root: string;
  /**
   * Whether a path (`/`-rooted, NFC) is left out: its events are dropped and, for a folder, its
   * tree is not even watched. Ferry's own `/.ferry` folder is always ignored, whatever this says.
   */
  readonly isIgnored: (path: string) => boolean;
  /** All waiting goes through it (ports.ts). */
  readonly clock: Clock;
  /** The FileSystem port's `stat`; given the path as the file system spells it (maybe NFD). */
  readonly stat: (path: string) => Promise<EntryStat | undefined>;
  /** Settled dirty paths: `/`-rooted, NFC, deduplicated, sorted; never empty. */
  readonly onChanges: (paths: readonly string[]) => void;
  /** Watcher failures (ENOSPC when the inotify limit is reached, EACCES…); nothing is thrown. */
  readonly onError: (error: Error) => void;
  /**
   * Quiet time that ends a burst, in ms (default 200); a busy folder is still checked at the
   * latest 10 × this after a batch's first event.
   */
  readonly debounceMs?: number;
  /** How long a file's size and mtime must stand still before it is reported (ms, default 1000). */
  readonly stableMs?: number;
}

/** A running watcher. */
export interface FolderWatcher {
  /** Stops watching; idempotent. No callback fires once it has been called. */
  close(): Promise<void>;
}

const DEFAULT_DEBOUNCE_MS = 200;
const DEFAULT_STABLE_MS = 1_000;
const EVENTS = ['add', 'addDir', 'change', 'unlink', 'unlinkDir'] as const;

/** A tree path (NFC) and its spelling on disk, or undefined when `osPath` is outside `root`. */
function treePathOf(root: string, osPath: string): { path: string; diskPath: string } | undefined {
  const relative = path.relative(root, osPath);
  if (relative === '') return { path: '/', diskPath: '/' };
  const segments = relative.split(path.sep);
  if (segments[0] === '..' || path.isAbsolute(relative)) return undefined;
  const diskPath = `/${segments.join('/')}`;
  return { path: diskPath.normalize('NFC'), diskPath };
}

const isInternal = (treePath: string) =>
  treePath === `/${FERRY_INTERNAL_DIR}` || treePath.startsWith(`/${FERRY_INTERNAL_DIR}/`);

function checkDelay(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number of ms >= 0, got ${value}`);
  }
  return value;
}

/**
 * Watches the folder at `options.root` and reports settled changes through `onChanges`.
 * Resolves once chokidar has set up its watches (events from then on are seen); what was there
 * before is not reported (the engine scans at start-up). Rejects when the folder cannot be
 * resolved (missing, unreadable) or an option is out of range.
 *
 * Every add, change and removal of a file or folder makes its path dirty. After `debounceMs`
 * without events, each dirty path is stat'ed: a file whose size or mtime moved since the last
 * check, or whose mtime is within `stableMs` of now, is held and re-checked `stableMs` later until
 * it stands still; everything else (removed paths, folders, settled files) is reported at once.
 */
export async function watchFolder(options: FolderWatcherOptions): Promise<FolderWatcher> {
  const debounceMs = checkDelay('debounceMs', options.debounceMs ?? DEFAULT_DEBOUNCE_MS);
  const stableMs = checkDelay('stableMs', options.stableMs ?? DEFAULT_STABLE_MS);
  if (!path.isAbsolute(options.root)) {
    throw new RangeError(`root must be an absolute path, got ${JSON.stringify(options.root)}`);
  }
  // chokidar does not follow symlinks here, so a symlinked root would be watched as a link.
  const root = await realpath(options.root).catch((error: unknown) => {
    throw new Error(`cannot watch ${options.root}: ${(error as Error).message}`, { cause: error });
  });
  let isClosed = false;
  const settler = createChangeSettler({
    clock: options.clock,
    stat: options.stat,
    onBatch: (paths) => options.onChanges(paths),
    onError: (error) => options.onError(error),
    debounceMs,
    stableMs,
  });
  const watcher = watch(root, {
    ignoreInitial: true,
    followSymlinks: false,
    // Ferry waits for writes itself (change-settler.ts), through the Clock.
    awaitWriteFinish: false,
    // `atomic` would drop events of names like `a~` and `.a.swp` outright (chokidar filters
    // them); Ferry's ignore rules decide what is synced, and a rescan copes with unlink + add.
    atomic: false,
    ignored: (osPath: string) => {
      const tree = treePathOf(root, osPath);
      if (tree === undefined || tree.path === '/') return false;
      return isInternal(tree.path) || options.isIgnored(tree.path);
    },
  });
  const onEvent = (osPath: string): void => {
    const tree = isClosed ? undefined : treePathOf(root, osPath);
    if (tree !== undefined) settler.markDirty(tree.path, tree.diskPath);
  };
  for (const event of EVENTS) watcher.on(event, onEvent);
  watcher.on('error', (error: unknown) => {
    if (!isClosed) options.onError(error instanceof Error ? error : new Error(String(error)));
  });
  await new Promise<void>((resolve) => watcher.once('ready', resolve));

  let closing: Promise<void> | undefined;
  return {
    close() {
      isClosed = true;
      closing ??= Promise.all([settler.close(), watcher.close()]).then(() => undefined);
      return closing;
    },
  };
}
