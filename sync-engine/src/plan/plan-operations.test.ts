/**
 * The planner's rules, one row each: three small trees in, the exact plan out. Trees are
 * written as `'A /docs/a.txt 2'` (item A, a file at version 2: fingerprint f2 here, revision r2
 * on the server), `'D /docs/'` (a folder) and `'S /shared/ viewer'` (a share's mount point, on
 * the server). The same version on two trees means the same content. Rows marked "regression"
 * are cases the property test (plan-operations.property.test.ts) found.
 */
import { describe, expect, it } from 'vitest';
import type { Rev } from '../protocol/index.js';
import { isMassDelete, planOperations } from './plan-operations.js';
import type {
  MassDeletePolicy,
  Operation,
  PlanInput,
  PlanItemId,
  PlanLocalItem,
  PlanNotice,
  PlanRemoteItem,
  PlanSyncedItem,
} from './plan-types.js';

const id = (value: string) => value as PlanItemId;
const rev = (value: string) => value as Rev;

interface Spec {
  readonly itemId: PlanItemId;
  readonly kind: 'file' | 'folder';
  readonly path: string;
  readonly version?: string;
  readonly role?: 'viewer' | 'editor';
}

function parse(spec: string): Spec {
  const [itemId, path, extra] = spec.split(' ') as [string, string, string | undefined];
  if (path.endsWith('/')) {
    const role = extra === 'viewer' || extra === 'editor' ? extra : undefined;
    return { itemId: id(itemId), kind: 'folder', path: path.slice(0, -1), role };
  }
  return { itemId: id(itemId), kind: 'file', path, version: extra ?? '1' };
}

const localTree = (specs: readonly string[]): PlanLocalItem[] =>
  specs.map(parse).map(({ itemId, kind, path, version }) => ({
    itemId,
    kind,
    path,
    ...(kind === 'file' ? { fingerprint: `f${version}` } : {}),
  }));

const remoteTree = (specs: readonly string[]): PlanRemoteItem[] =>
  specs.map(parse).map(({ itemId, kind, path, version, role }) => ({
    itemId,
    kind,
    path,
    ...(kind === 'file' ? { rev: rev(`r${version}`) } : {}),
    ...(role === undefined ? {} : { mount: { role } }),
  }));

const syncedTree = (specs: readonly string[]): PlanSyncedItem[] =>
  specs.map(parse).map(({ itemId, kind, path, version }) => ({
    itemId,
    kind,
    path,
    ...(kind === 'file' ? { rev: rev(`r${version}`), fingerprint: `f${version}` } : {}),
  }));

const upload = (itemId: string, path: string, parentRev?: string): Operation => ({
  kind: 'upload',
  itemId: id(itemId),
  path,
  ...(parentRev === undefined ? {} : { parentRev: rev(parentRev) }),
});
const restore = (itemId: string, path: string): Operation => ({
  kind: 'upload',
  itemId: id(itemId),
  path,
  restoresDeleted: true,
});
const download = (itemId: string, path: string): Operation => ({
  kind: 'download',
  itemId: id(itemId),
  path,
});
const mkdirRemote = (itemId: string, path: string): Operation => ({
  kind: 'mkdir_remote',
  itemId: id(itemId),
  path,
});
const copyUp = (itemId: string, path: string, kind: 'file' | 'folder' = 'file'): Operation => ({
  kind: kind === 'file' ? 'upload' : 'mkdir_remote',
  itemId: id(itemId),
  path,
  crossShare: true,
});
const mkdirLocal = (itemId: string, path: string): Operation => ({
  kind: 'mkdir_local',
  itemId: id(itemId),
  path,
});
const deleteRemote = (itemId: string, path: string, files: number): Operation => ({
  kind: 'delete_remote',
  itemId: id(itemId),
  path,
  files,
});
const deleteLocal = (itemId: string, path: string): Operation => ({
  kind: 'delete_local',
  itemId: id(itemId),
  path,
});
const moveRemote = (itemId: string, from: string, to: string): Operation => ({
  kind: 'move_remote',
  itemId: id(itemId),
  from,
  to,
});
const moveAside = (itemId: string, from: string, to: string): Operation => ({
  kind: 'move_remote',
  itemId: id(itemId),
  from,
  to,
  aside: true,
});
const moveLocal = (
  itemId: string,
  from: string,
  to: string,
  renameConflict = false,
): Operation => ({
  kind: 'move_local',
  itemId: id(itemId),
  from,
  to,
  ...(renameConflict ? { renameConflict: true } : {}),
});
const conflict = (
  itemId: string,
  path: string,
  cause: 'edit_edit' | 'both_added' | 'read_only',
): Operation => ({ kind: 'conflict', itemId: id(itemId), path, cause });
const record = (itemId: string): Operation => ({ kind: 'record', itemId: id(itemId) });
const forget = (itemId: string): Operation => ({ kind: 'forget', itemId: id(itemId) });
const waiting = (path: string, reason: string): PlanNotice => ({ kind: 'waiting', path, reason });
const readOnly = (path: string): PlanNotice => ({ kind: 'read_only', path });
const INTO_VIEWER = 'a folder shared with you as viewer cannot take it';
const IN_VIEWER = 'it is in a folder shared with you as viewer';
const NESTED = 'a shared folder cannot be put inside another shared folder';
const undone = (itemId: string, path: string, back: string, reason: string): PlanNotice => ({
  kind: 'move_undone',
  itemId: id(itemId),
  path,
  back,
  reason,
});

interface Row {
  readonly name: string;
  readonly local: readonly string[];
  readonly remote: readonly string[];
  readonly synced: readonly string[];
  readonly operations: readonly Operation[];
  /** Exact when given; else not checked. */
  readonly notices?: readonly PlanNotice[];
}

const SHARE = 'S /shared/ viewer';
const SHARE_HERE = 'S /shared/';

const rows: readonly Row[] = [
  // Nothing to do.
  {
    name: 'all three agree: nothing',
    local: ['D /docs/', 'A /docs/a.txt'],
    remote: ['D /docs/', 'A /docs/a.txt'],
    synced: ['D /docs/', 'A /docs/a.txt'],
    operations: [],
    notices: [],
  },
  // New on one side.
  {
    name: 'new file here: upload without a parent revision',
    local: ['A /a.txt'],
    remote: [],
    synced: [],
    operations: [upload('A', '/a.txt')],
  },
  {
    name: 'new folder here with a file: the folder first, the file waits for it',
    local: ['D /d/', 'A /d/a.txt'],
    remote: [],
    synced: [],
    operations: [mkdirRemote('D', '/d')],
    notices: [waiting('/d/a.txt', 'its folder is being created on the server')],
  },
  {
    name: 'new on the server: a folder and its file come down at once',
    local: [],
    remote: ['D /d/', 'A /d/a.txt'],
    synced: [],
    operations: [mkdirLocal('D', '/d'), download('A', '/d/a.txt')],
  },
  // Edited.
  {
    name: 'edited here: upload on the revision it was based on',
    local: ['A /a.txt 2'],
    remote: ['A /a.txt 1'],
    synced: ['A /a.txt 1'],
    operations: [upload('A', '/a.txt', 'r1')],
  },
  {
    name: 'edited on the server: download',
    local: ['A /a.txt 1'],
    remote: ['A /a.txt 2'],
    synced: ['A /a.txt 1'],
    operations: [download('A', '/a.txt')],
  },
  {
    name: 'edited on both sides: the local version is set aside (edit_edit)',
    local: ['A /a.txt 2'],
    remote: ['A /a.txt 3'],
    synced: ['A /a.txt 1'],
    operations: [conflict('A', '/a.txt', 'edit_edit')],
  },
  // Deleted.
  {
    name: 'deleted here, unchanged there: delete on the server',
    local: [],
    remote: ['A /a.txt'],
    synced: ['A /a.txt'],
    operations: [deleteRemote('A', '/a.txt', 1)],
  },
  {
    name: 'deleted on the server, unchanged here: delete here',
    local: ['A /a.txt'],
    remote: [],
    synced: ['A /a.txt'],
    operations: [deleteLocal('A', '/a.txt')],
  },
  {
    name: 'deleted here, edited on the server: the edit wins (download)',
    local: [],
    remote: ['A /a.txt 2'],
    synced: ['A /a.txt 1'],
    operations: [download('A', '/a.txt')],
  },
  {
    name: 'deleted on the server, edited here: the edit wins (upload restoring it)',
    local: ['A /a.txt 2'],
    remote: [],
    synced: ['A /a.txt 1'],
    operations: [restore('A', '/a.txt')],
  },
  {
    name: 'deleted on both sides: forget the merge base',
    local: [],
    remote: [],
    synced: ['A /a.txt'],
    operations: [forget('A')],
  },
  // Moved.
  {
    name: 'renamed here: the server follows',
    local: ['A /b.txt'],
    remote: ['A /a.txt'],
    synced: ['A /a.txt'],
    operations: [moveRemote('A', '/a.txt', '/b.txt')],
  },
  {
    name: 'renamed on the server: the local copy follows',
    local: ['A /a.txt'],
    remote: ['A /b.txt'],
    synced: ['A /a.txt'],
    operations: [moveLocal('A', '/a.txt', '/b.txt')],
  },
  {
    name: 'renamed on both sides: the server’s rename came first and wins',
    local: ['A /c.txt'],
    remote: ['A /b.txt'],
    synced: ['A /a.txt'],
    operations: [moveLocal('A', '/c.txt', '/b.txt', true)],
  },
  {
    name: 'renamed alike on both sides: record the new path',
    local: ['A /b.txt'],
    remote: ['A /b.txt'],
    synced: ['A /a.txt'],
    operations: [record('A')],
  },
  {
    name: 'renamed here and edited on the server: the move first (the content next round)',
    local: ['A /b.txt 1'],
    remote: ['A /a.txt 2'],
    synced: ['A /a.txt 1'],
    operations: [moveRemote('A', '/a.txt', '/b.txt')],
  },
  {
    name: 'renamed on the server and edited here: the move first',
    local: ['A /a.txt 2'],
    remote: ['A /b.txt 1'],
    synced: ['A /a.txt 1'],
    operations: [moveLocal('A', '/a.txt', '/b.txt')],
  },
  // Folders.
  {
    name: 'folder renamed here: one move, nothing for what it holds',
    local: ['D /new/', 'E /new/sub/', 'A /new/a.txt', 'B /new/sub/b.txt'],
    remote: ['D /old/', 'E /old/sub/', 'A /old/a.txt', 'B /old/sub/b.txt'],
    synced: ['D /old/', 'E /old/sub/', 'A /old/a.txt', 'B /old/sub/b.txt'],
    operations: [moveRemote('D', '/old', '/new')],
    notices: [],
  },
  {
    name: 'folder renamed on the server: one local move',
    local: ['D /old/', 'A /old/a.txt'],
    remote: ['D /new/', 'A /new/a.txt'],
    synced: ['D /old/', 'A /old/a.txt'],
    operations: [moveLocal('D', '/old', '/new')],
  },
  {
    name: 'folder moved here into a new folder: waits for that folder on the server',
    local: ['N /n/', 'D /n/d/'],
    remote: ['D /d/'],
    synced: ['D /d/'],
    operations: [mkdirRemote('N', '/n')],
    notices: [waiting('/n/d', 'its new folder is not on the server yet')],
  },
  {
    name: 'folder deleted here: one delete for the topmost, with its file count',
    local: [],
    remote: ['D /d/', 'E /d/e/', 'A /d/a.txt', 'B /d/e/b.txt'],
    synced: ['D /d/', 'E /d/e/', 'A /d/a.txt', 'B /d/e/b.txt'],
    operations: [deleteRemote('D', '/d', 2)],
  },
  {
    name: 'folder deleted on the server: its files go first, the folder once empty',
    local: ['D /d/', 'A /d/a.txt', 'B /d/b.txt'],
    remote: [],
    synced: ['D /d/', 'A /d/a.txt', 'B /d/b.txt'],
    operations: [deleteLocal('A', '/d/a.txt'), deleteLocal('B', '/d/b.txt')],
  },
  {
    name: 'edit inside a folder deleted on the server: the folder comes back, the edit survives',
    local: ['D /d/', 'A /d/a.txt 2', 'B /d/b.txt 1'],
    remote: [],
    synced: ['D /d/', 'A /d/a.txt 1', 'B /d/b.txt 1'],
    operations: [mkdirRemote('D', '/d'), deleteLocal('B', '/d/b.txt')],
    notices: [waiting('/d/a.txt', 'its folder is being created on the server')],
  },
  {
    name: 'new file here inside a folder deleted on the server: the folder comes back',
    local: ['D /d/', 'N /d/new.txt'],
    remote: [],
    synced: ['D /d/'],
    operations: [mkdirRemote('D', '/d')],
  },
  {
    name: 'edit on the server inside a folder deleted here: it comes back, the rest is deleted',
    local: [],
    remote: ['D /d/', 'A /d/a.txt 2', 'B /d/b.txt 1'],
    synced: ['D /d/', 'A /d/a.txt 1', 'B /d/b.txt 1'],
    operations: [
      mkdirLocal('D', '/d'),
      download('A', '/d/a.txt'),
      deleteRemote('B', '/d/b.txt', 1),
    ],
  },
  // Created on both sides.
  {
    name: 'the same file created on both sides: set aside if they differ (both_added)',
    local: ['A /a.txt 1'],
    remote: ['A /a.txt 2'],
    synced: [],
    operations: [conflict('A', '/a.txt', 'both_added')],
  },
  {
    name: 'the same folder created on both sides: record it',
    local: ['D /d/'],
    remote: ['D /d/'],
    synced: [],
    operations: [record('D')],
  },
  {
    name: 'one item new on both sides at two paths: the local copy goes where the server has it',
    local: ['A /b.txt'],
    remote: ['A /a.txt'],
    synced: [],
    operations: [moveLocal('A', '/b.txt', '/a.txt')],
  },
  // A share where we are viewer.
  {
    name: 'viewer: an edit is set aside and kept here (read_only), never uploaded',
    local: [SHARE_HERE, 'A /shared/a.txt 2'],
    remote: [SHARE, 'A /shared/a.txt 1'],
    synced: [SHARE_HERE, 'A /shared/a.txt 1'],
    operations: [conflict('A', '/shared/a.txt', 'read_only')],
  },
  {
    name: 'viewer: a new file stays here, reported',
    local: [SHARE_HERE, 'N /shared/new.txt'],
    remote: [SHARE],
    synced: [SHARE_HERE],
    operations: [],
    notices: [readOnly('/shared/new.txt')],
  },
  {
    name: 'viewer: a file deleted here comes back',
    local: [SHARE_HERE],
    remote: [SHARE, 'A /shared/a.txt'],
    synced: [SHARE_HERE, 'A /shared/a.txt'],
    operations: [download('A', '/shared/a.txt')],
  },
  {
    name: 'viewer: a rename here is undone',
    local: [SHARE_HERE, 'A /shared/b.txt'],
    remote: [SHARE, 'A /shared/a.txt'],
    synced: [SHARE_HERE, 'A /shared/a.txt'],
    operations: [moveLocal('A', '/shared/b.txt', '/shared/a.txt')],
    notices: [undone('A', '/shared/b.txt', '/shared/a.txt', IN_VIEWER)],
  },
  {
    name: 'viewer: a file moved into the share here goes back',
    local: [SHARE_HERE, 'A /shared/a.txt'],
    remote: [SHARE, 'A /a.txt'],
    synced: [SHARE_HERE, 'A /a.txt'],
    operations: [moveLocal('A', '/shared/a.txt', '/a.txt')],
    notices: [undone('A', '/shared/a.txt', '/a.txt', INTO_VIEWER)],
  },
  {
    name: 'viewer: a folder moved into the share here goes back whole, reported',
    local: [SHARE_HERE, 'D /shared/d/', 'F /shared/d/f.txt'],
    remote: [SHARE, 'D /d/', 'F /d/f.txt'],
    synced: [SHARE_HERE, 'D /d/', 'F /d/f.txt'],
    operations: [moveLocal('D', '/shared/d', '/d')],
    notices: [undone('D', '/shared/d', '/d', INTO_VIEWER)],
  },
  {
    name: 'viewer: a folder moved out of the share here goes back whole, reported',
    local: [SHARE_HERE, 'D /d/', 'F /d/f.txt'],
    remote: [SHARE, 'D /shared/d/', 'F /shared/d/f.txt'],
    synced: [SHARE_HERE, 'D /shared/d/', 'F /shared/d/f.txt'],
    operations: [moveLocal('D', '/d', '/shared/d')],
    notices: [undone('D', '/d', '/shared/d', IN_VIEWER)],
  },
  {
    name: 'viewer: the share deleted here comes back with what it holds',
    local: [],
    remote: [SHARE, 'A /shared/a.txt'],
    synced: [SHARE_HERE, 'A /shared/a.txt'],
    operations: [mkdirLocal('S', '/shared'), download('A', '/shared/a.txt')],
  },
  {
    name: 'viewer: the share’s mount point renamed here is renamed on the server',
    local: ['S /ours/', 'A /ours/a.txt'],
    remote: [SHARE, 'A /shared/a.txt'],
    synced: [SHARE_HERE, 'A /shared/a.txt'],
    operations: [moveRemote('S', '/shared', '/ours')],
  },
  {
    name: 'viewer: the owner deleted an unchanged file: deleted here',
    local: [SHARE_HERE, 'A /shared/a.txt'],
    remote: [SHARE],
    synced: [SHARE_HERE, 'A /shared/a.txt'],
    operations: [deleteLocal('A', '/shared/a.txt')],
  },
  {
    name: 'viewer: the owner deleted a file edited here: kept here, reported',
    local: [SHARE_HERE, 'A /shared/a.txt 2'],
    remote: [SHARE],
    synced: [SHARE_HERE, 'A /shared/a.txt 1'],
    operations: [],
    notices: [readOnly('/shared/a.txt')],
  },
  {
    name: 'regression: viewer: a new file here where the owner added one: ours is set aside',
    local: [SHARE_HERE, 'N /shared/a.txt 1'],
    remote: [SHARE, 'B /shared/a.txt 2'],
    synced: [SHARE_HERE],
    operations: [conflict('N', '/shared/a.txt', 'read_only')],
  },
  {
    name: 'regression: viewer: moved into a new folder inside the share: back, not waiting',
    local: [SHARE_HERE, 'N /shared/n/', 'D /shared/n/d/'],
    remote: [SHARE, 'D /d/'],
    synced: [SHARE_HERE, 'D /d/'],
    operations: [moveLocal('D', '/shared/n/d', '/d')],
    notices: [readOnly('/shared/n'), undone('D', '/shared/n/d', '/d', INTO_VIEWER)],
  },
  {
    name: 'regression: viewer: a new folder here and the owner’s folder of that name merge',
    local: [SHARE_HERE, 'N /shared/d/'],
    remote: [SHARE, 'D /shared/d/', 'A /shared/d/a.txt'],
    synced: [SHARE_HERE],
    operations: [mkdirLocal('D', '/shared/d')],
  },
];

const regressions: readonly Row[] = [
  {
    name: 'operations come sorted by path, whatever the order of the trees',
    local: ['B /b.txt', 'A /a.txt', 'C /c.txt'],
    remote: [],
    synced: [],
    operations: [upload('A', '/a.txt'), upload('B', '/b.txt'), upload('C', '/c.txt')],
  },
  {
    name: 'renamed here to a name the server gave another file: ours moves back (rename conflict)',
    local: ['A /b.txt'],
    remote: ['A /a.txt', 'B /b.txt'],
    synced: ['A /a.txt'],
    operations: [moveLocal('A', '/b.txt', '/a.txt', true)],
  },
  {
    name: 'renamed here, new file at the old name, the server took the new name: the new one is set aside',
    local: ['A /b.txt 1', 'N /a.txt 3'],
    remote: ['A /a.txt 1', 'B /b.txt 2'],
    synced: ['A /a.txt 1'],
    operations: [conflict('N', '/a.txt', 'both_added')],
    notices: [waiting('/a.txt', 'its place here is not free yet')],
  },
  {
    name: 'renamed here to the name of a file deleted here: waits for the delete on the server',
    local: ['A /b.txt'],
    remote: ['A /a.txt', 'B /b.txt'],
    synced: ['A /a.txt', 'B /b.txt'],
    operations: [deleteRemote('B', '/b.txt', 1)],
    notices: [waiting('/b.txt', 'its new place is not free on the server yet')],
  },
  {
    name: 'new file here where the server has a folder: ours is set aside (kind clash)',
    local: ['N /x'],
    remote: ['F /x/'],
    synced: [],
    operations: [conflict('N', '/x', 'both_added')],
  },
  {
    name: 'new folder here where the server has a file: reported, no failing mkdir (kind clash)',
    local: ['N /x/'],
    remote: ['F /x'],
    synced: [],
    operations: [],
    notices: [waiting('/x', 'a file has this path on the server')],
  },
  {
    name: 'the server moved a file out of a folder, then deleted the folder: no zombie folder',
    local: ['D /d/', 'A /d/a.txt'],
    remote: ['A /a.txt'],
    synced: ['D /d/', 'A /d/a.txt'],
    operations: [moveLocal('A', '/d/a.txt', '/a.txt')],
    notices: [waiting('/d', 'what is in it moves out first')],
  },
  {
    name: 'moved a file out of a folder here, then deleted the folder: no zombie folder',
    local: ['A /a.txt'],
    remote: ['D /d/', 'A /d/a.txt'],
    synced: ['D /d/', 'A /d/a.txt'],
    operations: [moveRemote('A', '/d/a.txt', '/a.txt')],
    notices: [waiting('/d', 'what is in it moves out first')],
  },
  {
    name: 'a new server file in a folder whose local copy moves: it waits for the move',
    local: ['D /old/'],
    remote: ['D /new/', 'N /new/n.txt'],
    synced: ['D /old/'],
    operations: [moveLocal('D', '/old', '/new')],
  },
  {
    name: 'a deletion inside a folder moved in the same plan waits (it would forget the file)',
    local: ['D /old/', 'A /old/a.txt'],
    remote: ['D /new/'],
    synced: ['D /old/', 'A /old/a.txt'],
    operations: [moveLocal('D', '/old', '/new')],
  },
  {
    name: 'a deletion on the server inside a folder moved there in the same plan waits',
    local: ['D /new/'],
    remote: ['D /old/', 'A /old/a.txt'],
    synced: ['D /old/', 'A /old/a.txt'],
    operations: [moveRemote('D', '/old', '/new')],
  },
  {
    name: 'a folder renamed here onto a folder deleted here: its file waits (no upload into the doomed one)',
    local: ['B /a/', 'F /a/f.txt 2'],
    remote: ['A /a/'],
    synced: ['A /a/', 'B /b/', 'F /b/f.txt 1'],
    operations: [deleteRemote('A', '/a', 0)],
  },
  {
    name: 'moved out of a folder, the server renamed that folder to the old name: it moves back',
    local: ['D /d0/', 'E /d1/'],
    remote: ['D /d1/', 'E /d1/d1/'],
    synced: ['D /d0/', 'E /d0/d1/'],
    operations: [moveRemote('D', '/d1', '/d0')],
  },
  {
    name: 'each side moved one folder into the other: the server’s move wins',
    local: ['B /b/', 'A /b/a/'],
    remote: ['A /a/', 'B /a/b/'],
    synced: ['A /a/', 'B /b/'],
    operations: [moveLocal('A', '/b/a', '/a', true)],
  },
  {
    name: 'moved into a folder renamed here to the item’s own name: the rename moves back',
    local: ['B /a/', 'A /a/a/'],
    remote: ['A /a/', 'B /b/'],
    synced: ['A /a/', 'B /b/'],
    operations: [moveLocal('B', '/a', '/b', true)],
  },
  {
    name: 'renamed here to a folder’s name the server created and moved it into: merged into it',
    local: ['A /p/', 'F /p/f.txt'],
    remote: ['P /p/', 'A /p/a/', 'F /p/a/f.txt'],
    synced: ['A /a/', 'F /a/f.txt'],
    operations: [mkdirLocal('P', '/p')],
  },
  {
    name: 'two names swapped here: one steps aside on the server under a free name first',
    local: ['A /b.txt', 'B /a.txt'],
    remote: ['A /a.txt', 'B /b.txt'],
    synced: ['A /a.txt', 'B /b.txt'],
    operations: [moveAside('A', '/a.txt', '/a.txt.ferry-moving')],
  },
  {
    name: 'two names swapped here, one stepped aside: the other takes its place, then it follows',
    local: ['A /b.txt', 'B /a.txt'],
    remote: ['A /a.txt.ferry-moving', 'B /b.txt'],
    synced: ['A /a.txt.ferry-moving', 'B /b.txt'],
    operations: [moveRemote('B', '/b.txt', '/a.txt')],
  },
  {
    name: 'three names rotated here: one steps aside, the others wait for it',
    local: ['A /b.txt', 'B /c.txt', 'C /a.txt'],
    remote: ['A /a.txt', 'B /b.txt', 'C /c.txt'],
    synced: ['A /a.txt', 'B /b.txt', 'C /c.txt'],
    operations: [moveAside('A', '/a.txt', '/a.txt.ferry-moving')],
  },
  {
    name: 'two names swapped on the server: one steps aside here under a free name first',
    local: ['A /a.txt', 'B /b.txt'],
    remote: ['A /b.txt', 'B /a.txt'],
    synced: ['A /a.txt', 'B /b.txt'],
    operations: [
      {
        kind: 'move_local',
        itemId: id('A'),
        from: '/a.txt',
        to: '/a.txt.ferry-moving',
        aside: true,
      },
    ],
  },
  {
    name: 'two names swapped on the server, one stepped aside here: the other takes its place',
    local: ['A /a.txt.ferry-moving', 'B /b.txt'],
    remote: ['A /b.txt', 'B /a.txt'],
    synced: ['A /a.txt.ferry-moving', 'B /b.txt'],
    operations: [moveLocal('B', '/b.txt', '/a.txt')],
  },
  {
    name: 'swapped here while the server renamed one of them: no cycle, the server’s rename wins',
    local: ['A /b.txt', 'B /a.txt'],
    remote: ['A /a.txt', 'B /z.txt'],
    synced: ['A /a.txt', 'B /b.txt'],
    operations: [
      { kind: 'move_local', itemId: id('B'), from: '/a.txt', to: '/z.txt', renameConflict: true },
      moveRemote('A', '/a.txt', '/b.txt'),
    ],
  },
  // Across a share's boundary (the server refuses the move): copy there, then delete here.
  {
    name: 'moved here into a share where we are editor: uploaded there as a new file',
    local: ['T /team/', 'A /team/a.txt'],
    remote: ['T /team/ editor', 'A /a.txt'],
    synced: ['T /team/', 'A /a.txt'],
    operations: [copyUp('A', '/team/a.txt')],
    notices: [],
  },
  {
    name: 'moved into a share and copied there: the old copy (its own item now) is deleted',
    local: ['T /team/', 'A /team/a.txt'],
    remote: ['T /team/ editor', 'A /team/a.txt', 'Z /a.txt'],
    synced: ['T /team/', 'A /team/a.txt', 'Z /a.txt'],
    operations: [deleteRemote('Z', '/a.txt', 1)],
  },
  {
    name: 'moved into a share and copied, the old copy edited on the server since: it comes back',
    local: ['T /team/', 'A /team/a.txt'],
    remote: ['T /team/ editor', 'A /team/a.txt', 'Z /a.txt 2'],
    synced: ['T /team/', 'A /team/a.txt', 'Z /a.txt 1'],
    operations: [download('Z', '/a.txt')],
  },
  {
    name: 'moved and edited here into a share: the edit is what is copied',
    local: ['T /team/', 'A /team/a.txt 2'],
    remote: ['T /team/ editor', 'A /a.txt 1'],
    synced: ['T /team/', 'A /a.txt 1'],
    operations: [copyUp('A', '/team/a.txt')],
  },
  {
    name: 'moved here into a share, edited on the server meanwhile: that edit wins, ours goes back',
    local: ['T /team/', 'A /team/a.txt 1'],
    remote: ['T /team/ editor', 'A /a.txt 2'],
    synced: ['T /team/', 'A /a.txt 1'],
    operations: [moveLocal('A', '/team/a.txt', '/a.txt', true)],
  },
  {
    name: 'moved here into a share, edited on both sides: ours is copied, theirs comes back',
    local: ['T /team/', 'A /team/a.txt 3'],
    remote: ['T /team/ editor', 'A /a.txt 2'],
    synced: ['T /team/', 'A /a.txt 1'],
    operations: [copyUp('A', '/team/a.txt')],
  },
  {
    name: 'moved here out of a share: uploaded to our own folder as a new file',
    local: ['T /team/', 'A /a.txt'],
    remote: ['T /team/ editor', 'A /team/a.txt'],
    synced: ['T /team/', 'A /team/a.txt'],
    operations: [copyUp('A', '/a.txt')],
  },
  {
    name: 'moved here from one share into another: uploaded into the other',
    local: ['T /team/', 'U /us/', 'A /us/a.txt'],
    remote: ['T /team/ editor', 'U /us/ editor', 'A /team/a.txt'],
    synced: ['T /team/', 'U /us/', 'A /team/a.txt'],
    operations: [copyUp('A', '/us/a.txt')],
  },
  {
    name: 'a folder moved here into a share: created there first, what it holds waits for it',
    local: ['T /team/', 'D /team/d/', 'F /team/d/f.txt', 'E /team/d/e/'],
    remote: ['T /team/ editor', 'D /d/', 'F /d/f.txt', 'E /d/e/'],
    synced: ['T /team/', 'D /d/', 'F /d/f.txt', 'E /d/e/'],
    operations: [copyUp('D', '/team/d', 'folder')],
    notices: [],
  },
  {
    name: 'a folder copied into a share: what it holds follows, its old copy goes after',
    local: ['T /team/', 'D /team/d/', 'F /team/d/f.txt', 'E /team/d/e/'],
    remote: ['T /team/ editor', 'D /team/d/', 'Z /d/', 'F /d/f.txt', 'E /d/e/'],
    synced: ['T /team/', 'D /team/d/', 'Z /d/', 'F /d/f.txt', 'E /d/e/'],
    operations: [copyUp('E', '/team/d/e', 'folder'), copyUp('F', '/team/d/f.txt')],
    notices: [waiting('/d', 'what is in it moves out first')],
  },
  {
    name: 'a folder copied into a share with all it held: one delete of its old copy',
    local: ['T /team/', 'D /team/d/', 'F /team/d/f.txt', 'E /team/d/e/'],
    remote: [
      'T /team/ editor',
      'D /team/d/',
      'F /team/d/f.txt',
      'E /team/d/e/',
      'Z /d/',
      'Y /d/f.txt',
      'X /d/e/',
    ],
    synced: [
      'T /team/',
      'D /team/d/',
      'F /team/d/f.txt',
      'E /team/d/e/',
      'Z /d/',
      'Y /d/f.txt',
      'X /d/e/',
    ],
    operations: [deleteRemote('Z', '/d', 1)],
  },
  {
    name: 'a shared folder moved here into another share: undone (shares do not nest), reported',
    local: ['T /team/', 'C /team/club/', 'F /team/club/f.txt'],
    remote: ['T /team/ editor', 'C /club/ editor', 'F /club/f.txt'],
    synced: ['T /team/', 'C /club/', 'F /club/f.txt'],
    operations: [moveLocal('C', '/team/club', '/club')],
    notices: [undone('C', '/team/club', '/club', NESTED)],
  },
  {
    name: 'a folder holding a shared folder moved into a share: undone whole, nothing copied',
    local: ['T /team/', 'P /team/p/', 'C /team/p/s/club/', 'S /team/p/s/', 'F /team/p/f.txt'],
    remote: ['T /team/ editor', 'P /p/', 'C /p/s/club/ editor', 'S /p/s/', 'F /p/f.txt'],
    synced: ['T /team/', 'P /p/', 'C /p/s/club/', 'S /p/s/', 'F /p/f.txt'],
    operations: [moveLocal('P', '/team/p', '/p')],
    notices: [
      undone(
        'P',
        '/team/p',
        '/p',
        'it holds a shared folder (/team/p/s/club), which cannot be put inside another shared folder',
      ),
    ],
  },
  {
    name: 'a folder holding a shared folder moved within our own folder: moved on the server',
    local: ['P /q/', 'C /q/club/'],
    remote: ['P /p/', 'C /p/club/ editor'],
    synced: ['P /p/', 'C /p/club/'],
    operations: [moveRemote('P', '/p', '/q')],
    notices: [],
  },
  {
    name: 'a file moved here into a new folder in a share: the folder goes up first',
    local: ['T /team/', 'N /team/n/', 'A /team/n/a.txt'],
    remote: ['T /team/ editor', 'A /a.txt'],
    synced: ['T /team/', 'A /a.txt'],
    operations: [mkdirRemote('N', '/team/n')],
    notices: [waiting('/team/n/a.txt', 'its new folder is not on the server yet')],
  },
  {
    name: 'moved into a share where another file took its name on the server: ours moves back',
    local: ['T /team/', 'A /team/a.txt'],
    remote: ['T /team/ editor', 'A /a.txt', 'B /team/a.txt'],
    synced: ['T /team/', 'A /a.txt'],
    operations: [moveLocal('A', '/team/a.txt', '/a.txt', true)],
  },
  {
    name: 'a folder moved into a share, a new server folder at its place (a lost record): merged',
    local: ['T /team/', 'D /team/d/', 'F /team/d/f.txt'],
    remote: ['T /team/ editor', 'D /d/', 'F /d/f.txt', 'R /team/d/'],
    synced: ['T /team/', 'D /d/', 'F /d/f.txt'],
    operations: [copyUp('D', '/team/d', 'folder')],
  },
  {
    name: 'a folder moved here out of a share it was copied from: nothing of the share is deleted',
    local: ['T /team/', 'D /d/', 'F /d/f.txt'],
    remote: ['T /team/ editor', 'D /team/d/', 'F /team/d/f.txt'],
    synced: ['T /team/', 'D /team/d/', 'F /team/d/f.txt'],
    operations: [copyUp('D', '/d', 'folder')],
    notices: [],
  },
  {
    name: 'editor share: a move inside it is a move there',
    local: ['T /team/', 'A /team/b.txt'],
    remote: ['T /team/ editor', 'A /team/a.txt'],
    synced: ['T /team/', 'A /team/a.txt'],
    operations: [moveRemote('A', '/team/a.txt', '/team/b.txt')],
  },
  {
    name: 'a new local folder and a new server folder at one path, as two items: they merge',
    local: ['N /d/'],
    remote: ['D /d/', 'A /d/a.txt'],
    synced: [],
    operations: [mkdirLocal('D', '/d')],
  },
  {
    name: 'a new local folder where the server renamed a folder to: it takes that folder over',
    local: ['D /old/', 'N /new/'],
    remote: ['D /new/'],
    synced: ['D /old/'],
    operations: [mkdirRemote('N', '/new')],
    notices: [waiting('/new', 'its place here is not free yet')],
  },
  {
    name: 'a new folder where a folder moved into it is still recorded: that stale base goes',
    local: ['N /d0/', 'A /d0/d0/', 'F /d0/d0/f.txt'],
    remote: [],
    synced: ['A /d0/'],
    operations: [forget('A')],
    notices: [
      waiting('/d0', 'another item is still recorded at its path'),
      waiting('/d0/d0', 'its folder is being created on the server'),
      waiting('/d0/d0/f.txt', 'its folder is being created on the server'),
    ],
  },
  {
    name: 'a folder restored here whose record was lost, the server renamed it: the old base goes',
    local: ['N /d1/', 'E /d1/d0/'],
    remote: ['D /d0/', 'E /d0/d0/'],
    synced: ['D /d1/', 'E /d1/d0/'],
    operations: [forget('D')],
    notices: [
      waiting('/d0', 'what is in it moves out first'),
      waiting('/d1', 'another item is still recorded at its path'),
      waiting('/d1/d0', 'its new folder is not on the server yet'),
    ],
  },
  {
    name: 'both moved a folder into another, renamed here to its old name: the rename goes ahead',
    local: ['B /d0/', 'A /d0/d0/'],
    remote: ['B /d1/', 'A /d1/d0/'],
    synced: ['A /d0/', 'B /d1/'],
    operations: [moveRemote('B', '/d1', '/d0')],
  },
  {
    name: 'a rename chain here against a move there: the rename onto a stale base goes ahead',
    local: ['A /d0/', 'B /d1/'],
    remote: ['B /d2/', 'A /d2/d1/'],
    synced: ['A /d1/', 'B /d2/'],
    operations: [moveRemote('B', '/d2', '/d1')],
  },
  {
    name: 'mutually dependent deletions and moves do not recurse for ever',
    local: ['A /d0/', 'B /d0/d0/', 'S /d0/shared/', 'F /f0.txt'],
    remote: ['S /d0/ viewer', 'F /f0.txt'],
    synced: ['A /d0/', 'B /d0/d0/', 'S /shared/', 'F /f0.txt'],
    operations: [mkdirRemote('A', '/d0'), deleteLocal('B', '/d0/d0')],
  },
];

function planOf(
  row: Row,
  options: { allowMassDelete?: boolean; massDelete?: MassDeletePolicy } = {},
) {
  return planOperations({
    local: localTree(row.local),
    remote: remoteTree(row.remote),
    synced: syncedTree(row.synced),
    ...options,
  });
}

describe('planOperations, rule by rule', () => {
  it.each([...rows, ...regressions].map((row) => [row.name, row] as const))('%s', (_, row) => {
    const plan = planOf(row);
    expect(plan.operations).toEqual(row.operations);
    expect(plan.heldDeletes).toEqual([]);
    if (row.notices !== undefined) expect(plan.notices).toEqual(row.notices);
  });
});

/** `count` synced files deleted here out of `total`, under /d/ (deleted too when all go). */
function deletion(count: number, total: number): Row {
  const files = Array.from({ length: total }, (_, index) => `F${index} /d/f${index}.txt`);
  return {
    name: `${count} of ${total} deleted`,
    local: ['D /d/', ...files.slice(count)],
    remote: ['D /d/', ...files],
    synced: ['D /d/', ...files],
    operations: [],
  };
}

describe('the mass-delete guard', () => {
  it('holds deletions of more than 1,000 files, and says how many', () => {
    const row = deletion(1001, 1100);
    const plan = planOf(row);
    expect(plan.operations).toEqual([]);
    expect(plan.heldDeletes).toHaveLength(1001);
    expect(plan.heldDeleteFiles).toBe(1001);
  });

  it('holds one folder delete that takes more than 1,000 files', () => {
    const files = Array.from({ length: 1001 }, (_, index) => `F${index} /d/f${index}.txt`);
    const plan = planOf({
      name: 'folder',
      local: [],
      remote: ['D /d/', ...files],
      synced: ['D /d/', ...files],
      operations: [],
    });
    expect(plan.heldDeletes).toEqual([deleteRemote('D', '/d', 1001)]);
    expect(plan.heldDeleteFiles).toBe(1001);
  });

  it('holds deletions of more than half of 20 or more synced files', () => {
    const plan = planOf(deletion(11, 20));
    expect(plan.operations).toEqual([]);
    expect(plan.heldDeleteFiles).toBe(11);
  });

  it('lets half of the files go, and any share of fewer than 20', () => {
    expect(planOf(deletion(10, 20)).operations).toHaveLength(10);
    expect(planOf(deletion(2, 3)).operations).toHaveLength(2);
    expect(planOf(deletion(19, 19)).operations).toHaveLength(19);
  });

  it('releases held deletions with allowMassDelete', () => {
    const plan = planOf(deletion(11, 20), { allowMassDelete: true });
    expect(plan.operations).toHaveLength(11);
    expect(plan.heldDeletes).toEqual([]);
    expect(plan.heldDeleteFiles).toBe(0);
  });

  it('holds only the deletions: the other operations go ahead', () => {
    const row = deletion(11, 20);
    const plan = planOf({ ...row, local: [...row.local, 'N /new.txt'] });
    expect(plan.operations).toEqual([upload('N', '/new.txt')]);
    expect(plan.heldDeleteFiles).toBe(11);
  });

  /** The old copies of `count` files moved into /team in a folder /d: copied, to be deleted. */
  const copiedAcross = (count: number, deletedHere = 0): PlanInput => {
    const copies = Array.from({ length: count }, (_, n) => `F${n} /team/d/f${n}.txt`);
    const old = Array.from({ length: count }, (_, n) => `O${n} /d/f${n}.txt`);
    const gone = Array.from({ length: deletedHere }, (_, n) => `G${n} /d/g${n}.txt`);
    const tree = ['T /team/', 'D /team/d/', ...copies];
    return {
      local: localTree(tree),
      remote: remoteTree(['T /team/ editor', 'D /team/d/', ...copies, 'Z /d/', ...old, ...gone]),
      synced: [
        ...syncedTree([...tree, ...gone]),
        ...syncedTree(['Z /d/', ...old]).map((row) => ({ ...row, copiedAcross: true })),
      ],
    };
  };

  it('lets the deletes that complete moves across a share’s boundary go: 1,001 files', () => {
    const plan = planOperations(copiedAcross(1001));
    expect(plan.operations).toEqual([deleteRemote('Z', '/d', 0)]);
    expect(plan.heldDeletes).toEqual([]);
  });

  it('still holds a mass delete made here beside them, and counts only that', () => {
    const input = copiedAcross(30);
    const files = Array.from({ length: 20 }, (_, n) => `U${n} /u/u${n}.txt`);
    const policy: MassDeletePolicy = { maxFiles: 10, maxFraction: 0.5, fractionFloorFiles: 20 };
    const plan = planOperations({
      local: [...input.local, ...localTree(['K /u/', ...files.slice(11)])],
      remote: [...input.remote, ...remoteTree(['K /u/', ...files])],
      synced: [...input.synced, ...syncedTree(['K /u/', ...files])],
      massDelete: policy,
    });
    expect(plan.operations).toEqual([deleteRemote('Z', '/d', 0)]);
    expect(plan.heldDeleteFiles).toBe(11);
    expect(plan.heldDeletes).toHaveLength(11);
  });

  it('holds the old copy’s folder when it also takes files deleted here', () => {
    const policy: MassDeletePolicy = { maxFiles: 2, maxFraction: 1, fractionFloorFiles: 100 };
    const plan = planOperations({ ...copiedAcross(5, 3), massDelete: policy });
    expect(plan.operations).toEqual([]);
    expect(plan.heldDeletes).toEqual([deleteRemote('Z', '/d', 3)]);
    expect(plan.heldDeleteFiles).toBe(3);
  });

  it('follows the policy it is given', () => {
    const policy: MassDeletePolicy = { maxFiles: 2, maxFraction: 1, fractionFloorFiles: 100 };
    expect(planOf(deletion(3, 10), { massDelete: policy }).heldDeleteFiles).toBe(3);
    expect(isMassDelete(3, 10, policy)).toBe(true);
    expect(isMassDelete(2, 10, policy)).toBe(false);
    expect(isMassDelete(1000, 5000)).toBe(false);
    expect(isMassDelete(11, 20)).toBe(true);
    expect(isMassDelete(10, 20)).toBe(false);
  });
});
