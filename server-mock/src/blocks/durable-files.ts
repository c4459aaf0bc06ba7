/**
 * Crash-safe file primitives for LocalDirBlockStore (POSIX semantics): a file is written to a
 * temporary name in its final directory, fsynced, renamed into place and the directory fsynced,
 * so after a crash the path holds either the whole new content or nothing, never a prefix.
 */
import { mkdir, open, readFile, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { tempFileNameFor } from './temp-files.js';

/** Makes `dir`'s own entries durable (renames and unlinks inside it survive a power loss). */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Creates `dir` and its missing parents below `root`, and fsyncs the parent of every directory
 * it created, so a block written into a fresh shard does not vanish with its directory entry.
 */
export async function ensureDirDurably(root: string, dir: string): Promise<void> {
  const firstCreated = await mkdir(dir, { recursive: true });
  if (firstCreated === undefined) return;
  const stopAt = dirname(firstCreated);
  for (let current = dir; ; current = dirname(current)) {
    await syncDir(dirname(current));
    if (dirname(current) === stopAt || relative(root, dirname(current)) === '') return;
  }
}

/**
 * Writes `data` to `dir/name` atomically and durably: temp file in the same directory (same file
 * system, so the rename is atomic), fsync, rename over `name`, fsync the directory. The temp
 * name is marked with this process (temp-files.ts); a crash may leave one behind for the next
 * store opened on the directory to clean.
 */
export async function writeFileDurably(dir: string, name: string, data: Uint8Array): Promise<void> {
  const tempPath = join(dir, tempFileNameFor(name));
  try {
    const handle = await open(tempPath, 'wx', 0o600);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tempPath, join(dir, name));
  } catch (error) {
    await rm(tempPath, { force: true });
    throw error;
  }
  await syncDir(dir);
}

/**
 * Removes `dir` and then each parent up to (not including) `root` while they are empty. Stops at
 * the first one that is not empty or already gone. A writer racing with this may find its
 * directory removed between its mkdir and its write (ENOENT): writers retry (see
 * LocalDirBlockStore). Not fsynced: an empty directory that reappears after a crash is harmless.
 */
export async function removeEmptyDirsUpTo(root: string, dir: string): Promise<void> {
  for (
    let current = dir;
    relative(root, current) !== '' && !relative(root, current).startsWith('..');
    current = dirname(current)
  ) {
    try {
      await rmdir(current);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOENT') return;
      throw error;
    }
  }
}

/** The file's bytes, or `undefined` when it does not exist. */
export async function readFileIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Removes a file; returns false when it did not exist. */
export async function unlinkIfExists(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** True for the "no such file or directory" error of node:fs. */
export function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
