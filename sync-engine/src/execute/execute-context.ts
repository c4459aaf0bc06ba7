/**
 * What every executor gets: the state, the two sides (disk and server), the clock, and where to
 * report. Executors re-read the trees before acting and write the synced tree only after the
 * operation really finished on both sides, in one transaction with the other trees' rows.
 */
import type { BlockCodecPool, Fingerprinter } from '../blocks/index.js';
import type { BlockId, Cursor, FileBlock, NamespaceId } from '../protocol/index.js';
import type { Clock, FileSystem } from '../ports.js';
import type { RemoteClient } from '../remote/index.js';
import type { BlockRef, ClientState, Conflict } from '../state/index.js';

/** What executors tell the engine about (its events, status and the `--json` stream). */
export interface ExecuteReporter {
  synced(
    action: SyncedAction,
    path: string,
    details?: { fromPath?: string; sizeBytes?: number },
  ): void;
  conflict(conflict: Conflict): void;
  problem(code: string, message: string, path?: string): void;
  /** Bytes sent or received, as they go (progress and speed). */
  transferred(direction: 'up' | 'down', bytes: number): void;
}

export type SyncedAction =
  | 'upload'
  | 'download'
  | 'delete_local'
  | 'delete_remote'
  | 'move_local'
  | 'move_remote'
  | 'mkdir_local'
  | 'mkdir_remote';

export interface ExecuteContext {
  readonly state: ClientState;
  readonly fs: FileSystem;
  readonly remote: RemoteClient;
  readonly clock: Clock;
  readonly report: ExecuteReporter;
  /** The user's root namespace: where everything outside shared folders lives. */
  readonly rootNamespace: NamespaceId;
  /** For conflicted-copy names. */
  readonly deviceName: string;
  readonly createFingerprinter: () => Promise<Fingerprinter>;
  /** Worker threads that encode the blocks of large uploads; without one, this thread does. */
  readonly codec?: BlockCodecPool;
  /** The namespace's data key (fetched once per namespace). */
  namespaceKey(namespace: NamespaceId, signal: AbortSignal): Promise<Uint8Array>;
  /** Waits until `bytes` may be sent or received (the bandwidth limits); at once without one. */
  throttle(direction: 'up' | 'down', bytes: number, signal: AbortSignal): Promise<void>;
  /**
   * The cursor of the last pull: the view of the server the remote tree (and so the plan) is
   * based on, apart from this device's own writes since. Undefined before the first pull.
   */
  pulledCursor(): Cursor | undefined;
  /** Files assembled while their upload was still going (streaming sync); none in some tests. */
  readonly streams?: StreamedDownloads;
  readonly signal: AbortSignal;
}

/** A file assembled in `.ferry/tmp` from an announced block list, flushed to disk. */
export interface StreamedFile {
  readonly tempPath: string;
  readonly sizeBytes: number;
  readonly fingerprint: string;
  readonly blocks: readonly BlockRef[];
}

/** What a download asks of the streams of announced uploads (execute/announced-streams.ts). */
export interface StreamedDownloads {
  /**
   * The file streamed for `path`, when it assembled exactly `blocks` (waiting for it to finish);
   * it is the caller's from then on. Undefined when there is none or it differs: what it has
   * written stays a block source (findBlock) until `release(path)`.
   */
  take(
    path: string,
    blocks: readonly FileBlock[],
    signal: AbortSignal,
  ): Promise<StreamedFile | undefined>;
  /** Where a block a stream has written is, to be re-read (and re-hashed) instead of fetched. */
  findBlock(
    id: BlockId,
  ):
    { readonly path: string; readonly offsetBytes: number; readonly sizeBytes: number } | undefined;
  /** Drops the stream of `path` and its temporary file (the download is done with it). */
  release(path: string): Promise<void>;
}

/** How an operation ended when it did not throw. */
export type ExecuteOutcome =
  /** Done; the trees say so. */
  | 'done'
  /** Its premise no longer holds (the file changed, a move is pending): the next plan decides. */
  | 'stale';

/** The folder that holds temporary files of downloads: hidden, on the same file system. */
export const TEMP_FOLDER = '/.ferry/tmp';

/**
 * The namespace whose key encrypts a file at `path`: the closest shared folder above it, else
 * the user's root namespace.
 */
export function namespaceFor(
  context: Pick<ExecuteContext, 'state' | 'rootNamespace'>,
  path: string,
): NamespaceId {
  for (
    let parent = path.slice(0, path.lastIndexOf('/'));
    parent !== '';
    parent = parent.slice(0, parent.lastIndexOf('/'))
  ) {
    const row = context.state.items.remote.getByPath(parent);
    if (row?.mount !== undefined) return row.mount.namespace;
    if (row?.namespace !== undefined) return row.namespace;
  }
  return context.rootNamespace;
}

/** The parent folder's path ('' at the top). */
export const parentOf = (path: string) => path.slice(0, path.lastIndexOf('/'));

/** True when the entry on disk is still exactly what the local tree says. */
export function isUnchanged(
  row: { inode: string; sizeBytes: number; mtimeMs: number; kind: string },
  stat: { inode: string; sizeBytes: number; mtimeMs: number; kind: string } | undefined,
): boolean {
  return (
    stat !== undefined &&
    stat.kind === row.kind &&
    stat.inode === row.inode &&
    (row.kind === 'folder' || (stat.sizeBytes === row.sizeBytes && stat.mtimeMs === row.mtimeMs))
  );
}
