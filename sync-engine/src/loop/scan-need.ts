/**
 * Whether the next pass of a round needs to scan the folder. A full scan stats every entry (a
 * few seconds for 100,000 files), and a round started by the long-poll, or a pass after the
 * engine's own downloads, finds nothing new on disk: the executors already wrote what they did
 * into the local tree. So while the watcher works, a scan runs only when the watcher reported a
 * path whose disk state the local tree does not hold, at start, and at the periodic rescan.
 */
import type { FileSystem } from '../ports.js';
import type { ClientState } from '../state/index.js';

/**
 * More dirty paths than this in one batch are not compared one by one: the scan reads them. A
 * round's own 10,000 downloads are compared in about 0.3 s; the full scan they would cost
 * otherwise is several times that.
 */
const MAX_COMPARED_PATHS = 20_000;

export class ScanNeed {
  private dirty = true;
  private watcherWorks = false;
  private lastScanMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly nowMs: () => number,
    private readonly rescanIntervalMs: () => number,
  ) {}

  /**
   * The watcher is up (true) or failed or absent (false: every pass scans). Either way the
   * next pass scans: a watcher reports nothing from before it was ready.
   */
  setWatcherWorks(works: boolean): void {
    this.watcherWorks = works;
    this.dirty = true;
  }

  /** Something changed on disk that the local tree may not know. */
  markDirty(): void {
    this.dirty = true;
  }

  /** Asked once per pass (FolderSync `shouldScan`); a yes is taken as the scan done now. */
  shouldScan(): boolean {
    const now = this.nowMs();
    const due =
      !this.watcherWorks || this.dirty || now - this.lastScanMs >= this.rescanIntervalMs();
    if (due) {
      // Cleared before the scan runs: a change reported while it runs asks for another.
      this.dirty = false;
      this.lastScanMs = now;
    }
    return due;
  }
}

/**
 * Whether any of `paths` (tree paths a watcher reported) is on disk other than the local tree
 * says: a file whose inode, size or mtime differs, a folder whose inode differs, a path with
 * no row, or a row whose path is gone. The engine's own downloads, deletes and moves match.
 */
export async function differsFromLocalTree(
  paths: readonly string[],
  fs: Pick<FileSystem, 'stat'>,
  state: Pick<ClientState, 'items'>,
): Promise<boolean> {
  if (paths.length > MAX_COMPARED_PATHS) return true;
  for (const path of paths) {
    const row = state.items.local.getByPath(path);
    let stat;
    try {
      stat = await fs.stat(path);
    } catch {
      return true;
    }
    if (stat === undefined || row === undefined) {
      if (stat !== undefined || row !== undefined) return true;
      continue;
    }
    if (stat.kind !== row.kind || stat.inode !== row.inode) return true;
    if (row.kind === 'file' && (stat.sizeBytes !== row.sizeBytes || stat.mtimeMs !== row.mtimeMs))
      return true;
  }
  return false;
}
