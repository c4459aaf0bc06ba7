/**
 * The OS watches under the synced folder: one `fs.watch` per folder on Linux (inotify watches
 * folders, and a folder's watch sees every entry in it), one recursive `fs.watch` elsewhere
 * (FSEvents, ReadDirectoryChangesW). A tree of 100,000 files in 1,000 folders costs 1,000
 * watches, where a watcher per file (chokidar) took 7 s, 670 MB and 100,000 inotify watches.
 *
 * Linux: a watch follows its folder's inode, not its name. So watches are known by the folder's
 * identity and carry the path it is at now: each event re-checks the entry it names, and a
 * folder that appears is either one already watched (renamed or moved here: its watch and
 * those below it take the new path, with no gap in which an event could be missed) or a new
 * one (watched with its whole tree). The watches of a folder that is gone for good are closed.
 */
import { watch, type FSWatcher } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';

export interface DirectoryWatchesOptions {
  /** Absolute, real path of the synced folder. */
  readonly root: string;
  /** Whether a disk path (`/`-rooted, as the OS spells it) is left out: not watched, not reported. */
  readonly isLeftOut: (diskPath: string) => boolean;
  /** A disk path (`/`-rooted) where something changed; `/` when the OS did not say what. */
  readonly onPath: (diskPath: string) => void;
  readonly onError: (error: Error) => void;
  /** Defaults to the running platform. */
  readonly platform?: NodeJS.Platform;
}

export interface DirectoryWatches {
  /** How many OS watches are open (one per watched folder on Linux). */
  readonly size: number;
  /** The watched folders' paths as they are now, sorted (Linux; `['/']` elsewhere). */
  folders(): string[];
  close(): void;
}

/** How long the watches of a vanished folder wait for it to reappear under a new name. */
const RENAME_PAIRING_MS = 1_000;

const join = (folder: string, name: string) => (folder === '/' ? `/${name}` : `${folder}/${name}`);
const isUnder = (candidate: string, folder: string) =>
  folder === '/' || candidate === folder || candidate.startsWith(`${folder}/`);

/** Starts watching; resolves once every folder present now is watched. */
export async function watchDirectories(
  options: DirectoryWatchesOptions,
): Promise<DirectoryWatches> {
  const { root } = options;
  let isClosed = false;
  const absolute = (diskPath: string) => (diskPath === '/' ? root : path.join(root, diskPath));

  const fail = (error: unknown) => {
    if (!isClosed) options.onError(error instanceof Error ? error : new Error(String(error)));
  };

  if ((options.platform ?? process.platform) !== 'linux') {
    const recursive = watch(root, { recursive: true }, (_type, filename) => {
      if (isClosed) return;
      const diskPath = filename === null ? '/' : `/${filename.split(path.sep).join('/')}`;
      if (diskPath === '/' || !options.isLeftOut(diskPath)) options.onPath(diskPath);
    });
    recursive.on('error', fail);
    return {
      get size() {
        return isClosed ? 0 : 1;
      },
      folders: () => (isClosed ? [] : ['/']),
      close() {
        isClosed = true;
        recursive.close();
      },
    };
  }

  /** A watched folder: its OS watch and the path it is at now (renames move the label). */
  interface Watched {
    readonly watcher: FSWatcher;
    path: string;
  }
  /** By folder identity (inode and birth time: an inode number is soon reused). */
  const byIdentity = new Map<string, Watched>();
  const identityOf = (stats: { ino: number; birthtimeMs: number }) =>
    `${stats.ino}:${stats.birthtimeMs}`;

  const closeWatched = (identity: string, watched: Watched) => {
    watched.watcher.close();
    byIdentity.delete(identity);
  };

  /**
   * A folder seen at `folder` now: watched (with everything below it not left out), or, when
   * it is a watched folder that was renamed or moved, its watch and those below it relabelled,
   * so no event is missed between an old watch and a new one.
   */
  const addTree = async (folder: string): Promise<void> => {
    let identity: string;
    try {
      const stats = await lstat(absolute(folder));
      if (!stats.isDirectory()) return;
      identity = identityOf(stats);
    } catch {
      return;
    }
    if (isClosed) return;
    const known = byIdentity.get(identity);
    if (known !== undefined) {
      if (known.path !== folder) relabel(known.path, folder);
      return;
    }
    // What the OS calls the folder itself in events about it (moved, removed): the name it
    // was watched under, whatever it is called now.
    const ownName = path.posix.basename(folder);
    let watcher: FSWatcher;
    try {
      watcher = watch(absolute(folder), { persistent: true }, (_type, filename) => {
        onEvent(watched.path, filename, ownName);
      });
    } catch (error) {
      // Gone already (ENOENT) is the next event's business; anything else is worth saying.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') fail(error);
      return;
    }
    const watched: Watched = { watcher, path: folder };
    watcher.on('error', (error) => {
      if (byIdentity.get(identity) === watched) closeWatched(identity, watched);
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') fail(error);
    });
    byIdentity.set(identity, watched);
    let entries;
    try {
      entries = await readdir(absolute(folder), { withFileTypes: true });
    } catch {
      return;
    }
    await Promise.all(
      entries
        .filter((entry) => entry.isDirectory())
        .map((entry) => join(folder, entry.name))
        .filter((child) => !options.isLeftOut(child))
        .map((child) => addTree(child)),
    );
  };

  const relabel = (from: string, to: string) => {
    for (const watched of byIdentity.values()) {
      if (isUnder(watched.path, from)) watched.path = to + watched.path.slice(from.length);
    }
  };

  /**
   * Closes the watches still labelled under a path that is gone, once their folder has had the
   * time to show up under its new name (the other half of a rename comes as its own event).
   */
  const forgetGone = (gone: string) => {
    setTimeout(() => {
      for (const [identity, watched] of byIdentity) {
        if (!isUnder(watched.path, gone)) continue;
        lstat(absolute(watched.path)).then(
          (stats) => {
            if (identityOf(stats) !== identity && byIdentity.get(identity) === watched)
              closeWatched(identity, watched);
          },
          () => {
            if (byIdentity.get(identity) === watched) closeWatched(identity, watched);
          },
        );
      }
    }, RENAME_PAIRING_MS).unref();
  };

  /** An entry of a watched folder changed: report it, and keep the watches true to the disk. */
  const onEvent = (folder: string, filename: string | Buffer | null, ownName: string) => {
    if (isClosed) return;
    const name = filename?.toString();
    if (name === undefined || name === ownName) {
      // Unnamed, or maybe about the folder itself rather than an entry: the folder is dirty
      // (a dirty folder stands for everything in it).
      options.onPath(folder);
      if (name === undefined) return;
    }
    const entryPath = join(folder, name);
    if (options.isLeftOut(entryPath)) return;
    if (name !== ownName) options.onPath(entryPath);
    void lstat(absolute(entryPath)).then(
      (stats) => {
        if (name === ownName) options.onPath(entryPath);
        if (stats.isDirectory()) addTree(entryPath).catch(fail);
      },
      () => forgetGone(entryPath),
    );
  };

  await addTree('/');
  return {
    get size() {
      return byIdentity.size;
    },
    folders: () => [...byIdentity.values()].map((watched) => watched.path).sort(),
    close() {
      isClosed = true;
      for (const [identity, watched] of byIdentity) closeWatched(identity, watched);
    },
  };
}
