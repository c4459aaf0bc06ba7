/**
 * The real FileSystem port over `node:fs/promises`, rooted at a synced folder. Paths are mapped
 * segment by segment so that a `/`-rooted tree path can never leave the folder.
 */
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { DirEntry, EntryKind, EntryStat, FileSystem } from '../ports.js';

function kindOf(entry: {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}): EntryKind {
  if (entry.isSymbolicLink()) return 'symlink';
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'folder';
  return 'other';
}

/** The FileSystem of the folder at `root` (an absolute OS path). */
export function createNodeFileSystem(root: string): FileSystem {
  const resolve = (treePath: string): string => {
    const segments = treePath.split('/').filter((s) => s !== '');
    if (segments.some((s) => s === '.' || s === '..' || s.includes(path.sep))) {
      throw new RangeError(`not a tree path: ${JSON.stringify(treePath)}`);
    }
    return path.join(root, ...segments);
  };
  return {
    async stat(treePath, signal): Promise<EntryStat | undefined> {
      signal?.throwIfAborted();
      try {
        const stats = await lstat(resolve(treePath), { bigint: true });
        const kind = kindOf(stats);
        return {
          kind,
          sizeBytes: kind === 'file' ? Number(stats.size) : 0,
          mtimeMs: Number(stats.mtimeNs) / 1e6,
          inode: stats.ino.toString(),
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async readDir(treePath, signal): Promise<DirEntry[]> {
      signal?.throwIfAborted();
      const entries = await readdir(resolve(treePath), { withFileTypes: true });
      return entries.map((entry) => ({ name: entry.name, kind: kindOf(entry) }));
    },
    readFile(treePath, signal) {
      return createReadStream(resolve(treePath), { highWaterMark: 1 << 20, signal });
    },
  };
}
