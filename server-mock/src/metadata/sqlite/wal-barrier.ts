/**
 * The SQLite store's durability barrier (group commit). With synchronous=NORMAL a COMMIT appends
 * its frames to the `-wal` file without an fsync; the server answers a write only after
 * `wait()`, whose fdatasync of that file (in libuv's thread pool, off the event loop) makes every
 * transaction committed before it began durable against power loss. One fdatasync serves every
 * request that committed meanwhile (DurabilityBarrier).
 *
 * Why the WAL file alone is enough: a commit writes only WAL frames; a checkpoint under NORMAL
 * fsyncs the WAL before copying frames into the database and fsyncs the database before the WAL
 * may restart, so frames a restart overwrites are already durable in the database. A restart or
 * truncation reuses the same file (only the last connection's close deletes it), so the fd kept
 * open here always names the live WAL. Writes are counted by `total_changes()` (every row any
 * statement of this connection changed, in or outside an explicit transaction), so a request
 * that wrote nothing, with nothing else pending, costs no fsync.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type Database from 'better-sqlite3';
import { DurabilityBarrier } from '../durability-barrier.js';

export interface WalBarrierOptions {
  /** Makes the file durable; a seam for tests (count calls, inject a failure). */
  readonly syncFile?: (handle: FileHandle) => Promise<void>;
}

export interface WalBarrier {
  wait(): Promise<void>;
  /** Waits for a running sync, then closes the file (before the database closes). */
  close(): Promise<void>;
}

/** A barrier for `db`; a no-op for in-memory and temporary databases (nothing to make durable). */
export function createWalBarrier(
  db: Database.Database,
  options: WalBarrierOptions = {},
): WalBarrier {
  if (db.memory) return { wait: async () => undefined, close: async () => undefined };
  const syncFile = options.syncFile ?? ((handle) => handle.datasync());
  const totalChanges = db.prepare('SELECT total_changes()').pluck();
  let handle: Promise<FileHandle> | undefined;
  const barrier = new DurabilityBarrier({
    mark: () => totalChanges.get() as number,
    sync: async () => syncFile(await (handle ??= openWal(db.name))),
  });
  return {
    wait: () => barrier.wait(),
    async close() {
      await barrier.idle();
      const opened = handle;
      handle = undefined;
      await (await opened?.catch(() => undefined))?.close();
    },
  };
}

/**
 * The `-wal` file, opened for writing (some systems refuse to fsync a read-only descriptor).
 * Absent means the database is not in WAL mode, so commits went to the database file itself.
 */
async function openWal(file: string): Promise<FileHandle> {
  try {
    return await open(`${file}-wal`, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return open(file, 'r+');
  }
}
