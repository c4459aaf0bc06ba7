/**
 * Crash-safe file primitives for LocalDirBlockStore (POSIX semantics): a file is written to a
 * temporary name in its final directory, fsynced, renamed into place and the directory fsynced,
 * so after a crash the path holds either the whole new content or nothing, never a prefix.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { TEMP_FILE_PREFIX } from './block-paths.js';

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
 * name starts with TEMP_FILE_PREFIX; a crash may leave one behind for the owner to clean.
 */
export async function writeFileDurably(dir: string, name: string, data: Uint8Array): Promise<void> {
  const tempPath = join(dir, `${TEMP_FILE_PREFIX}${name}-${randomBytes(6).toString('hex')}`);
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
