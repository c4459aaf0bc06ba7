/**
 * The real FileSystem port over `node:fs/promises`, rooted at a synced folder. Paths are mapped
 * segment by segment so that a `/`-rooted tree path can never leave the folder.
 */
import {
  link,
  lstat,
  mkdir,
  open,
  readdir,
  rename,
  rm,
  rmdir,
  unlink,
  utimes,
} from 'node:fs/promises';
import path from 'node:path';
import { readFileChunks } from '../blocks/file-chunks.js';
import { hasOneSpelling } from '../protocol/paths.js';
import type { DirEntry, EntryKind, EntryStat, FileSystem, FileWriter } from '../ports.js';

/** Runs `action`; false when what it acts on was gone already (ENOENT), else true. */
async function ignoringMissing(action: () => Promise<unknown>): Promise<boolean> {
  try {
    await action();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return false;
  }
}

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
  const segmentsOf = (treePath: string): string[] => {
    const segments = treePath.split('/').filter((s) => s !== '');
    if (segments.some((s) => s === '.' || s === '..' || s.includes(path.sep))) {
      throw new RangeError(`not a tree path: ${JSON.stringify(treePath)}`);
    }
    return segments;
  };
  const resolve = (treePath: string): string => path.join(root, ...segmentsOf(treePath));
  /**
   * The OS path of an existing entry whose tree path (NFC) may be spelled otherwise on disk (a
   * name written in NFD by another program): segment by segment, the entry whose NFC form is the
   * segment. The spelling as given when nothing matches (the caller then gets ENOENT).
   */
  const resolveExisting = async (treePath: string): Promise<string> => {
    const direct = resolve(treePath);
    try {
      await lstat(direct);
      return direct;
    } catch {
      return resolveOtherSpelling(treePath, direct);
    }
  };
  /** resolveExisting once the spelling as given (`direct`) was not found. */
  const resolveOtherSpelling = async (treePath: string, direct: string): Promise<string> => {
    // A name without non-ASCII characters has no other spelling: when its parent exists as
    // spelled, the entry is simply missing (a new file being downloaded), and listing every
    // folder on the way would cost two system calls per segment for nothing.
    const segments = segmentsOf(treePath);
    const name = segments.at(-1);
    if (name !== undefined && hasOneSpelling(name)) {
      const parentExists = await lstat(path.join(root, ...segments.slice(0, -1))).then(
        () => true,
        () => false,
      );
      if (parentExists) return direct;
    }
    let current = root;
    for (const segment of segments) {
      let names: string[];
      try {
        names = await readdir(current);
      } catch {
        return direct;
      }
      const match = names.includes(segment)
        ? segment
        : names.find((name) => name.normalize('NFC') === segment);
      if (match === undefined) return direct;
      current = path.join(current, match);
    }
    return current;
  };
  /**
   * A path to write: the existing entry's own spelling when there is one (a download replaces
   * an NFD-named file in place instead of adding an NFC twin), else its parent as it exists on
   * disk and its name as given.
   */
  const resolveNew = async (treePath: string): Promise<string> => {
    const segments = segmentsOf(treePath);
    const name = segments.pop();
    if (name === undefined) return root;
    const parent = await resolveExisting(`/${segments.join('/')}`);
    // Only a name with non-ASCII characters can have another Unicode spelling: skip the listing.
    if (hasOneSpelling(name)) return path.join(parent, name);
    try {
      const names = await readdir(parent);
      if (!names.includes(name)) {
        const twin = names.find(
          (candidate) => candidate.normalize('NFC') === name.normalize('NFC'),
        );
        if (twin !== undefined) return path.join(parent, twin);
      }
    } catch {
      // No parent yet: mkdir creates it, open fails with ENOENT as it should.
    }
    return path.join(parent, name);
  };
  return {
    async stat(treePath, signal): Promise<EntryStat | undefined> {
      signal?.throwIfAborted();
      try {
        // The spelling as given first (one lstat); the NFC-insensitive lookup only on a miss.
        const stats = await lstat(resolve(treePath), { bigint: true }).catch(
          async (error: unknown) => {
            if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
            return lstat(await resolveOtherSpelling(treePath, resolve(treePath)), {
              bigint: true,
            });
          },
        );
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
      const entries = await readdir(await resolveExisting(treePath), { withFileTypes: true });
      return entries.map((entry) => ({ name: entry.name, kind: kindOf(entry) }));
    },
    async *readFile(treePath, signal) {
      // Two reused buffers: a fresh one per chunk costs more than the read (docs/performance.md).
      yield* readFileChunks(await resolveExisting(treePath), { signal });
    },
    async readRange(treePath, offset, length, signal, into): Promise<Uint8Array> {
      signal?.throwIfAborted();
      if (into !== undefined && into.length < length) {
        throw new RangeError(`a buffer of ${into.length} bytes cannot take ${length}`);
      }
      const handle = await open(await resolveExisting(treePath), 'r');
      try {
        const buffer = into?.subarray(0, length) ?? new Uint8Array(length);
        let filled = 0;
        while (filled < length) {
          const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        return filled === length ? buffer : buffer.subarray(0, filled);
      } finally {
        await handle.close();
      }
    },
    async createFile(treePath): Promise<FileWriter> {
      const handle = await open(await resolveNew(treePath), 'w', 0o644);
      return {
        write: async (bytes) => {
          let written = 0;
          while (written < bytes.length) {
            const result = await handle.write(bytes, written, bytes.length - written);
            written += result.bytesWritten;
          }
        },
        sync: () => handle.sync(),
        close: () => handle.close(),
      };
    },
    rename: async (from, to) => rename(await resolveExisting(from), await resolveNew(to)),
    renameNoReplace: async (from, to) => {
      const source = await resolveExisting(from);
      const target = await resolveNew(to);
      // A hard link fails with EEXIST atomically when `to` exists; the source name then goes.
      try {
        await link(source, target);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
        // A file system without hard links (FAT, some network shares): check, then rename.
        if ((await lstat(target).catch(() => undefined)) !== undefined) {
          throw Object.assign(new Error(`EEXIST: ${to} exists`), { code: 'EEXIST' });
        }
        await rename(source, target);
        return;
      }
      await unlink(source);
    },
    mkdir: async (treePath) => {
      await mkdir(await resolveNew(treePath), { recursive: true });
    },
    removeFile: async (treePath) =>
      ignoringMissing(async () => unlink(await resolveExisting(treePath))),
    removeFolder: async (treePath) =>
      ignoringMissing(async () => rmdir(await resolveExisting(treePath))),
    removeTree: (treePath) => rm(resolve(treePath), { recursive: true, force: true }),
    setMtime: async (treePath, mtimeMs) => {
      const time = new Date(mtimeMs);
      await utimes(await resolveExisting(treePath), time, time);
    },
  };
}
