/**
 * Test harness: what users do to the two sides of the sync model (create, edit, delete, rename
 * and move files and folders, on the disk and, as another device or a share's owner, on the
 * server), and the history the property test judges the end state by: every content ever
 * written, and which of them a user deliberately replaced or deleted. Actions pick their
 * targets by index into what is there, so any list of actions applies to any tree.
 * Pure: imported only by the planner's tests.
 */
import { ModelError } from './model-trees.fixture.js';
import { fingerprintOf, type SyncModel } from './model-sync.fixture.js';
import type { PlanKind } from './plan-types.js';

export type SideName = 'local' | 'remote';

/** One user action; `pick`, `target` and `name` are indexes, taken modulo what exists. */
export type PerturbAction =
  | { readonly kind: 'create'; readonly pick: number; readonly name: number }
  | { readonly kind: 'mkdir'; readonly pick: number; readonly name: number }
  | { readonly kind: 'edit'; readonly pick: number; readonly replace: boolean }
  | { readonly kind: 'delete'; readonly pick: number }
  | { readonly kind: 'rename'; readonly pick: number; readonly name: number }
  | { readonly kind: 'move'; readonly pick: number; readonly target: number };

/**
 * File and folder names come from separate pools (`f…` and `d…`), so a file and a folder are
 * never created at one path on the two sides: the planner cannot resolve that clash with the
 * operations it has (see the rule table's "kind clash" rows).
 */
export const fileName = (index: number) => `f${index % 5}.txt`;
export const folderName = (index: number) => `d${index % 4}`;
/** The share mounted (as viewer or editor) in some runs. */
export const SHARE_PATH = '/shared';

const parentOf = (path: string) => path.slice(0, path.lastIndexOf('/'));
const baseOf = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const isUnder = (path: string, folder: string) => path.startsWith(`${folder}/`);

/** Contents written and what became of them; contents are unique tokens (`L3`, `R7`). */
export class EditHistory {
  /** Every content that was ever the content of a file on either side. */
  readonly written = new Set<string>();
  /** Contents a user replaced or deleted on the side where they saw them. */
  readonly released = new Set<string>();
  /** Contents a user deleted (not replaced): they must not come back. */
  readonly deleted = new Map<string, SideName>();
  /**
   * Deleted, and yet they may come back by design: deleted here inside a share where we are
   * viewer (the server's version is restored), or deleted on one side before this device
   * recorded that the other side has it too (an upload whose answer was lost: the server's copy
   * is new to the device, or its local copy an unsynced change, so it comes back).
   */
  readonly mayComeBack = new Set<string>();
  /**
   * Moved on either side while the sync ran. A delete planned before the move loses the
   * file's merge base: delete_remote drops the synced rows of everything the remote tree had
   * under a folder, also a file another device moved out of it meanwhile; delete_local of a
   * file renamed meanwhile finds nothing at the path and forgets the item. The file then comes
   * back as a new one (kept, not lost), although the other side deleted it.
   */
  readonly movedDuringSync = new Set<string>();
  /**
   * Written, or moved into a folder, on the server while the sync ran. In this model a
   * delete_remote planned before that still deletes the file (the model's delete has none of
   * the real one's preconditions, `rev` and `unchangedSince`, which make the real delete wait
   * instead; a folder goes with whatever is in it by then): the content survives in the
   * server's history.
   */
  readonly racedOnServer = new Set<string>();
  private counter: number;

  /** Contents stay unique across histories: a new one numbers on after `previous`. */
  constructor(previous?: EditHistory) {
    this.counter = previous?.counter ?? 0;
  }

  nextContent(side: SideName): string {
    this.counter += 1;
    const content = `${side === 'local' ? 'L' : 'R'}${this.counter}`;
    this.written.add(content);
    return content;
  }

  /** Records what both sides hold now (the agreed start), as written. */
  recordExisting(model: SyncModel): void {
    for (const entry of model.disk.entries.values()) {
      if (entry.kind === 'file') this.written.add(entry.content);
    }
    for (const file of model.server.entries()) {
      if (file.kind === 'file') this.written.add(file.content);
    }
  }
}

interface Entry {
  readonly path: string;
  readonly kind: PlanKind;
  readonly content: string;
}

/** One side as users see it. */
interface SideView {
  entries(): Entry[];
  write(path: string, content: string, replace: boolean): void;
  mkdir(path: string): void;
  remove(path: string): void;
  move(from: string, to: string): void;
}

function viewOf(model: SyncModel, side: SideName): SideView {
  if (side === 'local') {
    const disk = model.disk;
    return {
      entries: () => [...disk.entries].map(([path, entry]) => ({ path, ...entry })),
      write: (path, content, replace) => disk.writeFile(path, content, replace),
      mkdir: (path) => disk.mkdir(path),
      remove: (path) => disk.removeTree(path),
      move: (from, to) => disk.rename(from, to),
    };
  }
  const server = model.server;
  return {
    entries: () => server.entries(),
    write: (path, content) => {
      const result = server.commit(
        { path, content, parentRev: server.at(path)?.rev, modifiedMs: model.clock.tick() },
        'other',
      );
      if (result.kind !== 'committed') throw new ModelError('rev_conflict', path);
    },
    mkdir: (path) => server.mkdir(path, 'other'),
    remove: (path) => {
      server.delete(path, 'other');
    },
    move: (from, to) => server.move(from, to, 'other'),
  };
}

const pickFrom = <T>(list: readonly T[], index: number): T | undefined =>
  list.length === 0 ? undefined : list[index % list.length];

/**
 * Applies `action` to `side` and records it in `history`. Returns false when it does not apply
 * (nothing to pick, the name is taken, the server refuses: a share's mount point cannot be
 * deleted, nothing moves into or out of a share).
 */
export function perturb(
  model: SyncModel,
  side: SideName,
  action: PerturbAction,
  history: EditHistory,
  options: { duringSync?: boolean } = {},
): boolean {
  const view = viewOf(model, side);
  const entries = view.entries();
  const byPath = new Map(entries.map((entry) => [entry.path, entry]));
  const files = entries.filter((entry) => entry.kind === 'file');
  const folders = ['', ...entries.filter((entry) => entry.kind === 'folder').map((e) => e.path)];
  const free = (path: string) => !byPath.has(path);
  const noteWrite = (content: string) => {
    if (side === 'remote' && options.duringSync === true) {
      history.racedOnServer.add(content);
    }
  };
  const noteMove = (from: string) => {
    if (options.duringSync !== true) return;
    for (const entry of entries) {
      if (entry.kind === 'file' && (entry.path === from || isUnder(entry.path, from))) {
        history.movedDuringSync.add(entry.content);
        if (side === 'remote') history.racedOnServer.add(entry.content);
      }
    }
  };
  try {
    switch (action.kind) {
      case 'create': {
        const path = `${pickFrom(folders, action.pick)}/${fileName(action.name)}`;
        if (!free(path)) return false;
        const content = history.nextContent(side);
        view.write(path, content, false);
        noteWrite(content);
        return true;
      }
      case 'mkdir': {
        const path = `${pickFrom(folders, action.pick)}/${folderName(action.name)}`;
        if (!free(path)) return false;
        view.mkdir(path);
        return true;
      }
      case 'edit': {
        const file = pickFrom(files, action.pick);
        if (file === undefined) return false;
        const content = history.nextContent(side);
        view.write(file.path, content, action.replace);
        noteWrite(content);
        history.released.add(file.content);
        return true;
      }
      case 'delete': {
        const entry = pickFrom(entries, action.pick);
        if (entry === undefined) return false;
        const doomed = entries.filter(
          (other) =>
            other.kind === 'file' && (other.path === entry.path || isUnder(other.path, entry.path)),
        );
        view.remove(entry.path);
        for (const file of doomed) {
          history.released.add(file.content);
          history.deleted.set(file.content, side);
          if (side === 'local' && isInViewerShare(model, file.content)) {
            history.mayComeBack.add(file.content);
          }
          // Deleted on one side before this device recorded the other side's copy (a commit
          // whose answer was lost): the copy there is still new to it.
          const otherHasIt =
            side === 'remote' || model.server.entries().some((f) => f.content === file.content);
          if (otherHasIt && !isRecordedAsSynced(model, file.content)) {
            history.mayComeBack.add(file.content);
          }
          // Deleted on the server while this device copies it into or out of a share (a move
          // here across the boundary): the copy has no precondition on the old one, and stays.
          if (
            side === 'remote' &&
            options.duringSync === true &&
            isMovedAcrossShare(model, file.content, file.path)
          ) {
            history.mayComeBack.add(file.content);
          }
        }
        return true;
      }
      case 'rename': {
        const entry = pickFrom(entries, action.pick);
        if (entry === undefined) return false;
        const name = entry.kind === 'file' ? fileName(action.name) : folderName(action.name);
        const to = `${parentOf(entry.path)}/${name}`;
        if (!free(to)) return false;
        view.move(entry.path, to);
        noteMove(entry.path);
        return true;
      }
      case 'move': {
        const entry = pickFrom(entries, action.pick);
        const folder = pickFrom(folders, action.target);
        if (entry === undefined || folder === undefined) return false;
        const to = `${folder}/${baseOf(entry.path)}`;
        if (to === entry.path || folder === entry.path || isUnder(folder, entry.path)) return false;
        if (!free(to)) return false;
        view.move(entry.path, to);
        noteMove(entry.path);
        return true;
      }
    }
  } catch (error) {
    if (error instanceof ModelError && side === 'remote') return false;
    throw error;
  }
}

/** Whether this device's merge base has `content` (it knows the server has it). */
function isRecordedAsSynced(model: SyncModel, content: string): boolean {
  return model.synced.list().some((row) => row.fingerprint === fingerprintOf(content));
}

/** Whether the disk has `content` in another namespace than the server's `serverPath`. */
function isMovedAcrossShare(model: SyncModel, content: string, serverPath: string): boolean {
  const namespace = model.server.namespaceOf(serverPath);
  return [...model.disk.entries].some(
    ([path, entry]) =>
      entry.kind === 'file' &&
      entry.content === content &&
      model.server.namespaceOf(path) !== namespace,
  );
}

/** Whether the server holds `content` in a share where we are viewer. */
function isInViewerShare(model: SyncModel, content: string): boolean {
  return model.server
    .entries()
    .some(
      (file) =>
        file.kind === 'file' &&
        file.content === content &&
        model.server.isInsideViewerShare(file.path),
    );
}
