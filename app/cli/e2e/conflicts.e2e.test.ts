/**
 * Conflicts between two devices of one user, through `ferry sync --once` while the other
 * device's sync is not running (offline): the same file edited on both, edit vs delete (both
 * orders; the edit wins), rename vs edit (both orders), rename vs rename (the first wins).
 * Afterwards every edit's content is at its path, in a conflicted copy or in the history
 * (`ferry history PATH --json`), checked by content. `ferry conflicts --json` lists them, and
 * `ferry resolve PATH --keep mine|theirs|both` settles them, checked on disk on both devices.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2eBed, type E2eBed, type E2eDevice } from './e2e-bed.fixture.js';
import { expectSameTrees, fileEntry, snapshotTree } from './tree-snapshot.fixture.js';

let bed: E2eBed;
let a: E2eDevice;
let b: E2eDevice;

interface ConflictJson {
  readonly id: number;
  readonly path: string;
  readonly copyPath: string | null;
  readonly reason: string;
}
interface HistoryJson {
  readonly revisions: readonly { rev: string }[];
}

/** The original content of each file, and the edits each device makes while B is offline. */
const ORIGINAL = (name: string) => `${name}: the version both devices started from\n`;
const BY_A = (name: string) => `${name}: edited on A\n`;
const BY_B = (name: string) => `${name}: edited on B while offline\n`;
const FILES = [
  'mine.txt',
  'theirs.txt',
  'both.txt',
  'doomed.txt',
  'kept.txt',
  'draft.txt',
  'memo.txt',
  'name.txt',
];
const copyPattern = (base: string, ext: string) =>
  new RegExp(`^/${base} \\(conflicted copy from B \\d{4}-\\d{2}-\\d{2} \\d{6}\\)\\.${ext}$`);

beforeAll(async () => {
  bed = await startE2eBed();
  a = bed.device('A');
  b = bed.device('B');
  await a.signup('cora@e2e.example', 'Cora');
  await b.login('cora@e2e.example');
  await mkdir(a.folder, { recursive: true });
  for (const name of FILES) await writeFile(a.at(`/${name}`), ORIGINAL(name));
  await a.syncOnce();
  await b.syncOnce();
  await expectSameTrees([a, b]);
});
afterAll(async () => {
  await bed?.close();
});

/** Every file content on a device, by path. */
async function contentsOf(device: E2eDevice): Promise<Map<string, string>> {
  const contents = new Map<string, string>();
  for (const [key, value] of Object.entries(await snapshotTree(device.folder))) {
    if (value !== 'folder') contents.set(key, await readFile(device.at(key), 'utf8'));
  }
  return contents;
}

/** Whether `content` is one of the revisions `ferry history PATH --json` lists on `device`. */
async function isInHistory(device: E2eDevice, serverPath: string, content: string) {
  const history = await device.json<HistoryJson>(['history', serverPath]);
  for (const { rev } of history.revisions) {
    if ((await bed.readOnServer(device, serverPath, rev)) === content) return true;
  }
  return false;
}

/** Fails unless `content` is on both devices (at any path) or in the history of `serverPath`. */
async function expectEditKept(content: string, serverPath: string): Promise<void> {
  for (const device of [a, b]) {
    const onDisk = [...(await contentsOf(device)).values()].includes(content);
    if (onDisk) continue;
    expect(
      await isInHistory(device, serverPath, content),
      `${JSON.stringify(content)} on ${device.name} or in the history of ${serverPath}`,
    ).toBe(true);
  }
}

/** Syncs A and B alternately until both agree and their trees are identical. */
async function converge(): Promise<void> {
  await a.syncOnce();
  await b.syncOnce();
  await a.syncOnce();
  await expectSameTrees([a, b]);
}

describe('conflicts between two devices, one of them offline', () => {
  let copies: Record<string, string>;

  it('keeps every edit: at its path, in a conflicted copy, or in the history', async () => {
    // A works and syncs while B's sync is not running.
    for (const name of ['mine.txt', 'theirs.txt', 'both.txt', 'kept.txt', 'memo.txt'])
      await writeFile(a.at(`/${name}`), BY_A(name));
    await rm(a.at('/doomed.txt'));
    await rename(a.at('/draft.txt'), a.at('/final.txt'));
    await rename(a.at('/name.txt'), a.at('/name-by-A.txt'));
    await a.syncOnce();

    // Meanwhile, offline, B edits the same files, deletes one A edited, edits one A renamed…
    for (const name of ['mine.txt', 'theirs.txt', 'both.txt', 'doomed.txt', 'draft.txt'])
      await writeFile(b.at(`/${name}`), BY_B(name));
    await rm(b.at('/kept.txt'));
    await rename(b.at('/memo.txt'), b.at('/memo-by-B.txt'));
    await rename(b.at('/name.txt'), b.at('/name-by-B.txt'));
    // …then comes back online.
    await b.syncOnce();
    await converge();

    const tree = await snapshotTree(a.folder);
    const paths = Object.keys(tree);
    copies = {};
    for (const name of ['mine', 'theirs', 'both']) {
      const copy = paths.find((key) => copyPattern(name, 'txt').test(key));
      expect(copy, `a conflicted copy of /${name}.txt in ${paths.join(', ')}`).toBeDefined();
      copies[name] = copy!;
      // The server's version (A's, committed first) keeps the path; B's is the copy.
      expect(tree[`/${name}.txt`]).toBe(fileEntry(BY_A(`${name}.txt`)));
      expect(tree[copy!]).toBe(fileEntry(BY_B(`${name}.txt`)));
    }
    expect(tree).toMatchObject({
      // Edit vs delete: the edit wins, whichever came first.
      '/doomed.txt': fileEntry(BY_B('doomed.txt')),
      '/kept.txt': fileEntry(BY_A('kept.txt')),
      // Rename vs edit: the file keeps the new name and the edit.
      '/final.txt': fileEntry(BY_B('draft.txt')),
      '/memo-by-B.txt': fileEntry(BY_A('memo.txt')),
      // Rename vs rename: the first rename (A's) wins.
      '/name-by-A.txt': fileEntry(ORIGINAL('name.txt')),
    });
    for (const gone of ['/draft.txt', '/memo.txt', '/name.txt', '/name-by-B.txt'])
      expect(tree).not.toHaveProperty([gone]);

    for (const name of ['mine.txt', 'theirs.txt', 'both.txt']) {
      await expectEditKept(BY_A(name), `/${name}`);
      await expectEditKept(BY_B(name), `/${name}`);
    }
    await expectEditKept(BY_B('doomed.txt'), '/doomed.txt');
    await expectEditKept(BY_A('kept.txt'), '/kept.txt');
    await expectEditKept(BY_B('draft.txt'), '/final.txt');
    await expectEditKept(BY_A('memo.txt'), '/memo-by-B.txt');
  });

  it('lists the conflicts in ferry conflicts --json', async () => {
    const { conflicts } = await b.json<{ conflicts: ConflictJson[] }>(['conflicts']);
    const byPath = Object.fromEntries(conflicts.map((conflict) => [conflict.path, conflict]));
    for (const name of ['mine', 'theirs', 'both']) {
      expect(byPath[`/${name}.txt`]).toMatchObject({
        reason: 'edit_edit',
        copyPath: copies[name],
      });
    }
    // B's edit brought back the file A deleted: recorded, nothing set aside.
    expect(byPath['/doomed.txt']).toMatchObject({ reason: 'edit_delete', copyPath: null });
    expect(byPath['/name-by-A.txt']).toMatchObject({ reason: 'rename_rename', copyPath: null });
    expect(Object.keys(byPath).sort()).toEqual([
      '/both.txt',
      '/doomed.txt',
      '/mine.txt',
      '/name-by-A.txt',
      '/theirs.txt',
    ]);
    // A committed first and saw nothing to set aside.
    expect((await a.json<{ conflicts: ConflictJson[] }>(['conflicts'])).conflicts).toEqual([]);
  });

  it('resolves --keep mine, theirs and both, checked on disk on both devices', async () => {
    // By server path, by the conflicted copy's local path, and by a path relative to the folder.
    const mine = await b.json<ConflictJson & { keep: string }>([
      'resolve',
      '/mine.txt',
      '--keep',
      'mine',
    ]);
    expect(mine).toMatchObject({ path: '/mine.txt', keep: 'mine' });
    await b.ferryOk(['resolve', b.at(copies.theirs!), '--keep', 'theirs']);
    await b.ferryOk(['resolve', 'both.txt', '--keep', 'both'], { cwd: b.folder });
    await b.ferryOk(['resolve', '/name-by-A.txt', '--keep', 'theirs']);
    await b.ferryOk(['resolve', '/doomed.txt', '--keep', 'mine']);
    expect((await b.json<{ conflicts: ConflictJson[] }>(['conflicts'])).conflicts).toEqual([]);

    await b.syncOnce();
    await converge();
    for (const device of [a, b]) {
      const tree = await snapshotTree(device.folder);
      // mine: B's version at the path, the copy gone.
      expect(tree['/mine.txt'], device.name).toBe(fileEntry(BY_B('mine.txt')));
      expect(tree, device.name).not.toHaveProperty([copies.mine!]);
      // theirs: A's version at the path, the copy gone.
      expect(tree['/theirs.txt'], device.name).toBe(fileEntry(BY_A('theirs.txt')));
      expect(tree, device.name).not.toHaveProperty([copies.theirs!]);
      // both: both files stay.
      expect(tree['/both.txt'], device.name).toBe(fileEntry(BY_A('both.txt')));
      expect(tree[copies.both!], device.name).toBe(fileEntry(BY_B('both.txt')));
      // Resolving a conflict without a copy changes no file.
      expect(tree['/name-by-A.txt'], device.name).toBe(fileEntry(ORIGINAL('name.txt')));
      expect(tree['/doomed.txt'], device.name).toBe(fileEntry(BY_B('doomed.txt')));
    }
    // Nothing chosen away is lost: A's /mine.txt is in its history, B's /theirs.txt in the
    // history of the conflicted copy that carried it.
    expect(await isInHistory(a, '/mine.txt', BY_A('mine.txt'))).toBe(true);
    expect(await isInHistory(a, copies.theirs!, BY_B('theirs.txt'))).toBe(true);
    expect((await a.json<{ conflicts: ConflictJson[] }>(['conflicts'])).conflicts).toEqual([]);
    expect(path.basename(copies.both!)).toMatch(/^both \(conflicted copy from B /);
  });
});

describe('a conflict while ferry sync runs', () => {
  it('is reported as an event, listed and resolved through the running engine', async () => {
    await writeFile(a.at('/live.txt'), ORIGINAL('live.txt'));
    await a.syncOnce();
    await b.syncOnce();
    await writeFile(a.at('/live.txt'), BY_A('live.txt'));
    await a.syncOnce();
    await writeFile(b.at('/live.txt'), BY_B('live.txt'));

    // B comes online with a running engine; its control API answers `conflicts` and `resolve`.
    const sync = b.startSync(['--ui-port', '0']);
    const reported = await sync.waitForEvent(
      (event) => event.type === 'conflict' && (event.conflict as ConflictJson).path === '/live.txt',
      'a conflict event for /live.txt',
    );
    const copy = (reported.conflict as ConflictJson).copyPath!;
    expect(copy).toMatch(copyPattern('live', 'txt'));
    const { conflicts } = await b.json<{ conflicts: ConflictJson[] }>(['conflicts']);
    expect(conflicts).toEqual([expect.objectContaining({ path: '/live.txt', copyPath: copy })]);

    const from = sync.events.length;
    await b.ferryOk(['resolve', '/live.txt', '--keep', 'mine']);
    await sync.waitForEvent(
      (event) => event.type === 'synced' && event.action === 'upload' && event.path === '/live.txt',
      "B's running engine uploading its version of /live.txt",
      { from },
    );
    await sync.waitForEvent(
      (event) => event.type === 'state' && event.state === 'idle',
      'B idle after resolving',
      { from },
    );
    expect(await sync.stop('SIGINT')).toBe(0);

    await a.syncOnce();
    for (const device of [a, b]) {
      const tree = await snapshotTree(device.folder);
      expect(tree['/live.txt'], device.name).toBe(fileEntry(BY_B('live.txt')));
      expect(tree, device.name).not.toHaveProperty([copy]);
    }
    expect(await isInHistory(a, '/live.txt', BY_A('live.txt'))).toBe(true);
  });
});
