/**
 * Test support: a client's replay of GET /changes. Applies entries in order to a model tree and
 * records every break of the ordering rule of docs/protocol.md ("Order"): a live entry whose
 * parent folder the client does not have, or a path that stops being a folder (tombstone, or a
 * file entry) while the client still has live entries below it. A share's mount point is the
 * documented exception: its tombstone ends, and its `movedFrom` entry moves, the whole subtree.
 */
import type { ChangeEntry } from 'sync-engine/protocol';

/** What the client believes is at a path. */
export interface ReplayedEntry {
  readonly kind: 'file' | 'folder';
  readonly fileId: string;
}

function parentOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

/** A client tree rebuilt from journal pages, with the ordering problems seen on the way. */
export class ChangesReplay {
  readonly tree = new Map<string, ReplayedEntry>();
  readonly problems: string[] = [];
  private readonly mounts = new Set<string>();

  /** Starts over from a full listing (after a 410): `entries` as `[path, entry, isMount]`. */
  reset(entries: ReadonlyArray<readonly [string, ReplayedEntry, boolean]>): void {
    this.tree.clear();
    this.mounts.clear();
    for (const [path, entry, isMount] of entries) {
      this.tree.set(path, entry);
      if (isMount) this.mounts.add(path);
    }
  }

  /** Applies one page of entries; `label` names the page in problem reports. */
  apply(entries: readonly ChangeEntry[], label = ''): void {
    for (const entry of entries) this.applyOne(entry, label);
  }

  private below(path: string): string[] {
    return [...this.tree.keys()].filter((other) => other.startsWith(`${path}/`));
  }

  /** A mount point's tombstone or rename carries its whole subtree (no entries inside). */
  private applyToMount(entry: ChangeEntry): boolean {
    if (entry.tag === 'deleted' && this.mounts.has(entry.path)) {
      for (const inside of this.below(entry.path)) this.tree.delete(inside);
      this.mounts.delete(entry.path);
      this.tree.delete(entry.path);
      return true;
    }
    if (entry.tag === 'folder' && entry.movedFrom && this.mounts.has(entry.movedFrom)) {
      for (const inside of this.below(entry.movedFrom)) {
        const moved = this.tree.get(inside)!;
        this.tree.delete(inside);
        this.tree.set(entry.path + inside.slice(entry.movedFrom.length), moved);
      }
      this.mounts.delete(entry.movedFrom);
    }
    if (entry.tag === 'folder' && entry.mount) this.mounts.add(entry.path);
    return false;
  }

  private applyOne(entry: ChangeEntry, label: string): void {
    if (this.applyToMount(entry)) return;
    const current = this.tree.get(entry.path);
    const stopsBeingFolder = current?.kind === 'folder' && entry.tag !== 'folder';
    if (stopsBeingFolder) {
      const child = this.below(entry.path)[0];
      if (child !== undefined) {
        this.problems.push(`${label}${entry.tag} ${entry.path} while ${child} is still live`);
      }
    }
    if (entry.tag === 'deleted') {
      this.tree.delete(entry.path);
      return;
    }
    const parent = parentOf(entry.path);
    if (parent !== '/' && this.tree.get(parent)?.kind !== 'folder') {
      this.problems.push(`${label}${entry.tag} ${entry.path} before its folder ${parent}`);
    }
    this.tree.set(entry.path, { kind: entry.tag, fileId: entry.fileId });
  }

  /** The tree as sorted `kind path fileId` lines, to compare with a listing. */
  lines(): string[] {
    return [...this.tree]
      .map(([path, e]) => `${e.kind} ${path} ${e.fileId}`)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
}
