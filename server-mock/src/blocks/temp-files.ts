/**
 * Temporary files of LocalDirBlockStore: how they are named and which ones a starting store may
 * delete. A temp file is named `.tmp-<block id>-p<pid>-<random>`: the pid marks its owner, so a
 * store opening on a directory that another live process also writes to (a second store in the
 * same process, or a server started by mistake on the same data dir) leaves that process's
 * in-flight writes alone. A temp file is abandoned, and removed at open, when its owner is dead
 * or when it is older than TEMP_FILE_MAX_AGE_MS (a pid can be reused after a crash, e.g. PID 1
 * in a container, and files written by older versions carry no marker).
 */
import { randomBytes } from 'node:crypto';
import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isShardName, isStorableNamespace, TEMP_FILE_PREFIX } from './block-paths.js';

/** A temp file older than this (by mtime) is abandoned whoever owns it: no write takes an hour. */
export const TEMP_FILE_MAX_AGE_MS = 60 * 60 * 1000;

const OWNER_PATTERN = /-p([0-9]{1,10})-[0-9a-f]+$/;

/** A fresh temp file name for `name`, marked with this process as its owner. */
export function tempFileNameFor(name: string): string {
  return `${TEMP_FILE_PREFIX}${name}-p${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** True when temp file `name` (last modified at `mtimeMs`) can no longer be finished by anyone. */
export function isAbandonedTempFile(name: string, mtimeMs: number, nowMs: number): boolean {
  if (nowMs - mtimeMs > TEMP_FILE_MAX_AGE_MS) return true;
  const owner = OWNER_PATTERN.exec(name)?.[1];
  return owner !== undefined && !isProcessAlive(Number(owner));
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Deletes the abandoned `<root>/<ns>/<ab>/<cd>/.tmp-*` files (writes a crash interrupted before
 * their rename) and returns the shard directories it removed files from (to fsync).
 */
export async function removeAbandonedTempFiles(root: string, nowMs: number): Promise<string[]> {
  const touched: string[] = [];
  for (const namespace of (await readdirOrEmpty(root)).filter(isStorableNamespace)) {
    const nsDir = join(root, namespace);
    for (const ab of (await readdirOrEmpty(nsDir)).filter(isShardName)) {
      for (const cd of (await readdirOrEmpty(join(nsDir, ab))).filter(isShardName)) {
        const shardDir = join(nsDir, ab, cd);
        let removedAny = false;
        for (const name of await readdirOrEmpty(shardDir)) {
          if (!name.startsWith(TEMP_FILE_PREFIX)) continue;
          const path = join(shardDir, name);
          const info = await stat(path).catch(nullWhenGone);
          if (info === null || !isAbandonedTempFile(name, info.mtimeMs, nowMs)) continue;
          removedAny = (await unlinkQuietly(path)) || removedAny;
        }
        if (removedAny) touched.push(shardDir);
      }
    }
  }
  return touched;
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw error;
  }
}

function nullWhenGone(error: unknown): null {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
  throw error;
}

async function unlinkQuietly(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    // Renamed into place or removed by its owner meanwhile.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
