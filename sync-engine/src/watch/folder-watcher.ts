/**
 * The synced folder's watcher: the OS's folder watches (directory-watches.ts), turned into settled batches of dirty tree paths
 * for the scheduler to rescan (change-settler.ts debounces and waits for writes to finish). It
 * reports where to look, never what happened: the scan decides that, and the periodic full
 * rescan catches whatever a watcher misses (SPEC "Client engine design").
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { FERRY_INTERNAL_DIR } from '../ignore/ignore-rules.js';
import type { Clock, EntryStat } from '../ports.js';
import { createChangeSettler } from './change-settler.js';
import { watchDirectories } from './directory-watches.js';

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

/** A tree path (NFC) and its spelling on disk, or undefined when `osPath` is outside `root`. */
function treePathOf(root: string, osPath: string): { path: string; diskPath: string } | undefined {
  const relative = path.relative(root, osPath);
  if (relative === '') return { path: '/', diskPath: '/' };
  const segments = relative.split(path.sep);
  if (segments[0] === '..' || path.isAbsolute(relative)) return undefined;
  const diskPath = `/${segments.join('/')}`;
  return { path: diskPath.normalize('NFC'), diskPath };
}

/**
 * Whether a tree path or any folder above it is left out, asked from the top down so that
 * nothing under an ignored folder is ever asked about (gitignore: an ignored folder's content
 * is ignored whatever its own rules say).
 */
function isLeftOut(treePath: string, isIgnored: (path: string) => boolean): boolean {
  const segments = treePath.split('/').slice(1);
  if (segments[0] === FERRY_INTERNAL_DIR) return true;
  let prefix = '';
  for (const segment of segments) {
    prefix = `${prefix}/${segment}`;
    if (isIgnored(prefix)) return true;
  }
  return false;
}

function checkDelay(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number of ms >= 0, got ${value}`);
  }
  return value;
}

/**
 * Watches the folder at `options.root` and reports settled changes through `onChanges`.
 * Resolves once the native watches are set up (events from then on are seen); what was there
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
  // Symlinks inside are not followed, so a symlinked root is resolved first.
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
  const watches = await watchDirectories({
    root,
    isLeftOut: (diskPath) => isLeftOut(diskPath.normalize('NFC'), options.isIgnored),
    onPath: (diskPath) => {
      const tree = isClosed ? undefined : treePathOf(root, path.join(root, diskPath));
      if (tree !== undefined) settler.markDirty(tree.path, tree.diskPath);
    },
    onError: (error) => {
      if (!isClosed) options.onError(error);
    },
  }).catch((error: unknown) => {
    void settler.close();
    throw new Error(`cannot watch ${options.root}: ${(error as Error).message}`, { cause: error });
  });

  let closing: Promise<void> | undefined;
  return {
    close() {
      isClosed = true;
      watches.close();
      closing ??= settler.close();
      return closing;
    },
  };
}
