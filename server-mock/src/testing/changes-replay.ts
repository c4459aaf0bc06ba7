/**
 * Test support: a client's replay of GET /changes. Applies entries in order to a model tree and
 * records every break of the ordering rule of docs/protocol.md ("parents first"): a live entry
 * whose parent folder the client does not have, or a path that stops being a folder (tombstone,
 * or a file entry) while the client still has live entries below it.
 */
import type { ChangeEntry } from '../../../sync-engine/src/protocol/index.js';

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

  /** Applies one page of entries; `label` names the page in problem reports. */
  apply(entries: readonly ChangeEntry[], label = ''): void {
    for (const entry of entries) this.applyOne(entry, label);
  }

  private hasLiveBelow(path: string): string | undefined {
    const prefix = path === '/' ? '/' : `${path}/`;
    for (const other of this.tree.keys()) if (other.startsWith(prefix)) return other;
    return undefined;
  }

  private applyOne(entry: ChangeEntry, label: string): void {
    const current = this.tree.get(entry.path);
    const stopsBeingFolder = current?.kind === 'folder' && entry.tag !== 'folder';
    if (stopsBeingFolder) {
      const child = this.hasLiveBelow(entry.path);
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
