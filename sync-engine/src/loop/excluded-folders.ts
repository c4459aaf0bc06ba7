/**
 * Selective sync: top-level folders this device leaves out (Dropbox's "selective sync"). An
 * excluded folder is ignored as a `.ferryignore` rule would ignore it (left alone both ways,
 * see ignore/outside-ignored.ts), but for this device only, and its local copy is removed to
 * free the space: every file in it that is exactly what the server has goes, with its rows, so
 * that including the folder again reads as "new on the server" and downloads it. A file edited
 * here, or new here, stays on disk (nothing unsynced is lost); including the folder again
 * uploads it, or keeps both versions when the server's changed too.
 */
import type { IgnoreRules } from '../ignore/ignore-rules.js';
import type { Operation } from '../plan/index.js';
import type { ClientState } from '../state/index.js';

/** Rules that ignore what `rules` ignores and everything inside the excluded folders. */
export function withExcludedFolders(
  rules: IgnoreRules,
  excluded: ReadonlySet<string>,
): IgnoreRules {
  if (excluded.size === 0) return rules;
  return {
    isIgnored: (path, isFolder) =>
      excluded.has(topLevelName(path)) || rules.isIgnored(path, isFolder),
  };
}

/** `Photos` for `/Photos/2026/a.jpg`. */
function topLevelName(path: string): string {
  const end = path.indexOf('/', 1);
  return end === -1 ? path.slice(1) : path.slice(1, end);
}

type DeleteLocal = Extract<Operation, { kind: 'delete_local' }>;

/**
 * What to remove from disk for the excluded folders: each file in one whose content is the
 * merge base's and whose revision is still the server's, then the folders, deepest first (a
 * folder with something left inside stays). The executors check the disk again before each.
 */
export function evictionOf(
  items: ClientState['items'],
  excluded: ReadonlySet<string>,
): { files: DeleteLocal[]; folders: DeleteLocal[] } {
  const files: DeleteLocal[] = [];
  const folders: DeleteLocal[] = [];
  for (const name of excluded) {
    const top = items.local.getByPath(`/${name}`);
    if (top?.kind !== 'folder') continue;
    for (const local of [...items.local.listUnder(top.path), top]) {
      const operation: DeleteLocal = {
        kind: 'delete_local',
        itemId: local.itemId,
        path: local.path,
      };
      if (local.kind === 'folder') {
        folders.push(operation);
        continue;
      }
      const synced = items.synced.get(local.itemId);
      const remote = items.remote.get(local.itemId);
      if (
        synced?.fingerprint !== undefined &&
        synced.fingerprint === local.fingerprint &&
        remote?.rev !== undefined &&
        remote.rev === synced.rev
      )
        files.push(operation);
    }
  }
  folders.sort((a, b) => b.path.split('/').length - a.path.split('/').length);
  return { files, folders };
}
