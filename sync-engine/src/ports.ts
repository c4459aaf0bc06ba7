/**
 * The seams between the engine and the world (STYLE.md section 1): disk and time reach the
 * engine only through these interfaces, so tests and the randomized simulation can drive it
 * deterministically and inject faults by wrapping the real adapters. Interfaces only.
 *
 * Paths given to a FileSystem are `/`-rooted inside the synced folder (`/docs/a.txt`), the same
 * shape as the trees' paths; the adapter maps them onto the real folder.
 */

/** What a directory entry is. Symlinks are never followed (reported and skipped instead). */
export type EntryKind = 'file' | 'folder' | 'symlink' | 'other';

/** An entry's metadata, as `lstat` gives it. */
export interface EntryStat {
  readonly kind: EntryKind;
  /** Bytes; 0 for folders. */
  readonly sizeBytes: number;
  /** Modification time, epoch milliseconds, fraction included. */
  readonly mtimeMs: number;
  /** Decimal string: 64-bit inode numbers exceed JavaScript's safe integers. */
  readonly inode: string;
}

/** One entry of a directory listing. */
export interface DirEntry {
  /** The name exactly as the file system spells it (may be NFD on some systems). */
  readonly name: string;
  readonly kind: EntryKind;
}

/** The synced folder's file system. Every failure is thrown with its `code` (ENOENT, EACCES…). */
export interface FileSystem {
  /** The entry at `path` without following symlinks; undefined when nothing is there. */
  stat(path: string, signal?: AbortSignal): Promise<EntryStat | undefined>;
  /** The entries of the folder at `path`, in no particular order. */
  readDir(path: string, signal?: AbortSignal): Promise<DirEntry[]>;
  /**
   * The file's bytes, streamed in chunks (never the whole file at once). A chunk is valid only
   * until the next one is requested (its buffer is read into again): copy what you keep.
   */
  readFile(path: string, signal?: AbortSignal): AsyncIterable<Uint8Array>;
  /**
   * `length` bytes of the file from `offset` (fewer only at its end). Read into `into` (at least
   * `length` long) when given, and returned as a view of it: a caller reading a whole file by
   * ranges reuses its buffers instead of faulting in fresh memory for each block.
   */
  readRange(
    path: string,
    offset: number,
    length: number,
    signal?: AbortSignal,
    into?: Uint8Array,
  ): Promise<Uint8Array>;
  /** Creates or truncates the file at `path` and returns a writer for it. */
  createFile(path: string): Promise<FileWriter>;
  /** Renames `from` to `to`, replacing a file at `to` (atomic on one file system). */
  rename(from: string, to: string): Promise<void>;
  /**
   * Renames the file `from` to `to` only when nothing is at `to`: throws EEXIST otherwise, with
   * no window in which a file created there meanwhile could be replaced.
   */
  renameNoReplace(from: string, to: string): Promise<void>;
  /** Creates the folder and any missing parents; nothing happens when it exists. */
  mkdir(path: string): Promise<void>;
  /** Deletes a file; false (and nothing happens) when it is already gone. */
  removeFile(path: string): Promise<boolean>;
  /**
   * Deletes an empty folder; throws ENOTEMPTY when something is in it. Gone already: false,
   * nothing happens.
   */
  removeFolder(path: string): Promise<boolean>;
  /** Deletes the folder and everything in it (the engine's own `.ferry` scratch space only). */
  removeTree(path: string): Promise<void>;
  /** Sets the file's modification time, epoch milliseconds. */
  setMtime(path: string, mtimeMs: number): Promise<void>;
}

/** A file being written (a download's temporary file). */
export interface FileWriter {
  write(bytes: Uint8Array): Promise<void>;
  /** Flushes the file's bytes to the disk (fsync) before it is renamed into place. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** Time, for everything that waits or stamps (only the scheduler owns timers). */
export interface Clock {
  /** Now, epoch milliseconds. */
  nowMs(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
