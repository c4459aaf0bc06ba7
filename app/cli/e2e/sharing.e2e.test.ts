/**
 * Two people through a share, each on a real `ferry` device: Ann shares /Proj with Bob as
 * editor (`ferry share /Proj --with … --role editor`) and the server mounts it in Bob's root;
 * edits flow both ways. Then /Pub as viewer: Bob's local edit is never uploaded (Ann's copy and
 * the server's stay as they were), it is kept in a conflicted copy beside the restored server
 * version, and `ferry status --json` of Bob's running `ferry sync` lists a read_only problem.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2eBed, type E2eBed, type E2eDevice } from './e2e-bed.fixture.js';
import type { FerryEvent } from './ferry-process.fixture.js';
import { fileEntry, snapshotTree, type TreeSnapshot } from './tree-snapshot.fixture.js';
import { waitUntil } from './wait-until.fixture.js';

let bed: E2eBed;
let ann: E2eDevice;
let bob: E2eDevice;

beforeAll(async () => {
  bed = await startE2eBed();
  ann = bed.device('ann-laptop');
  bob = bed.device('bob-laptop');
  await ann.signup('ann@e2e.example', 'Ann');
  await bob.signup('bob@e2e.example', 'Bob');
});
afterAll(async () => {
  await bed?.close();
});

/** The part of a snapshot under `prefix` (a folder path), keys kept as they are. */
function subtree(tree: TreeSnapshot, prefix: string): TreeSnapshot {
  return Object.fromEntries(
    Object.entries(tree).filter(([key]) => key === prefix || key.startsWith(`${prefix}/`)),
  );
}

interface ShareJson {
  readonly path: string;
  readonly role: string;
  readonly ownerEmail: string;
  readonly recipientEmail: string;
}

interface StatusJson {
  readonly running: boolean;
  readonly problems: readonly { code: string; path?: string; message: string }[];
}

describe('a folder shared with an editor', () => {
  it("appears in the editor's folder, and edits flow both ways", async () => {
    await mkdir(ann.at('/Proj/specs'), { recursive: true });
    await writeFile(ann.at('/Proj/plan.txt'), 'plan v1 by Ann\n');
    await writeFile(ann.at('/Proj/specs/api.md'), '# API\n');
    await writeFile(ann.at('/private.txt'), 'not shared\n');
    await ann.syncOnce();

    const share = await ann.json<ShareJson>([
      'share',
      '/Proj',
      '--with',
      'bob@e2e.example',
      '--role',
      'editor',
    ]);
    expect(share).toMatchObject({
      path: '/Proj',
      role: 'editor',
      ownerEmail: 'ann@e2e.example',
      recipientEmail: 'bob@e2e.example',
    });

    await bob.syncOnce();
    // Only the shared folder reaches Bob, mounted at the top of his folder.
    expect(await snapshotTree(bob.folder)).toEqual({
      '/Proj': 'folder',
      '/Proj/plan.txt': fileEntry('plan v1 by Ann\n'),
      '/Proj/specs': 'folder',
      '/Proj/specs/api.md': fileEntry('# API\n'),
    });

    await writeFile(bob.at('/Proj/plan.txt'), 'plan v2 by Bob\n');
    await writeFile(bob.at('/Proj/specs/from-bob.md'), 'added by Bob\n');
    await bob.syncOnce();
    await ann.syncOnce();
    await writeFile(ann.at('/Proj/specs/api.md'), '# API v2 by Ann\n');
    await ann.syncOnce();
    await bob.syncOnce();

    const expected = {
      '/Proj': 'folder',
      '/Proj/plan.txt': fileEntry('plan v2 by Bob\n'),
      '/Proj/specs': 'folder',
      '/Proj/specs/api.md': fileEntry('# API v2 by Ann\n'),
      '/Proj/specs/from-bob.md': fileEntry('added by Bob\n'),
    };
    expect(await snapshotTree(bob.folder)).toEqual(expected);
    expect(subtree(await snapshotTree(ann.folder), '/Proj')).toEqual(expected);
    expect(await snapshotTree(ann.folder)).toHaveProperty(['/private.txt']);
  });
});

describe('a folder shared with a viewer', () => {
  it("keeps the viewer's local edit in a conflicted copy, uploads nothing, and reports it", async () => {
    await mkdir(ann.at('/Pub'));
    await writeFile(ann.at('/Pub/readme.txt'), 'published by Ann\n');
    await ann.syncOnce();
    await ann.ferryOk(['share', '/Pub', '--with', 'bob@e2e.example', '--role', 'viewer']);

    const sync = bob.startSync(['--ui-port', '0']);
    await waitUntil(
      () =>
        readFile(bob.at('/Pub/readme.txt'), 'utf8').then(
          (text) => text === 'published by Ann\n',
          () => false,
        ),
      { what: "Ann's /Pub/readme.txt on Bob's device" },
    );
    await sync.waitForEvent(
      (event) => event.type === 'state' && event.state === 'idle',
      'Bob idle',
    );
    const from = sync.events.length;

    await writeFile(bob.at('/Pub/readme.txt'), 'edited by Bob, a viewer\n');
    const kept = await sync.waitForEvent(
      (event: FerryEvent) =>
        event.type === 'problem' &&
        (event.problem as { code: string }).code === 'read_only' &&
        /conflicted copy/.test((event.problem as { message: string }).message),
      "Bob's engine reports the edit as read only",
      { from },
    );
    const copyPath = (kept.problem as { path: string }).path;
    expect(copyPath).toMatch(
      /^\/Pub\/readme \(conflicted copy from bob-laptop \d{4}-\d{2}-\d{2} \d{6}\)\.txt$/,
    );

    // The server's version is back at the path, Bob's edit beside it.
    await waitUntil(
      () =>
        readFile(bob.at('/Pub/readme.txt'), 'utf8').then(
          (text) => text === 'published by Ann\n',
          () => false,
        ),
      { what: "the server's version restored at Bob's /Pub/readme.txt" },
    );
    expect(await readFile(bob.at(copyPath), 'utf8')).toBe('edited by Bob, a viewer\n');
    expect((await readdir(bob.at('/Pub'))).sort()).toEqual(
      [copyPath.slice('/Pub/'.length), 'readme.txt'].sort(),
    );

    // A file the viewer adds there stays on the viewer's device only.
    await writeFile(bob.at('/Pub/notes-by-bob.txt'), 'new file by Bob, a viewer\n');
    await sync.waitForEvent(
      (event: FerryEvent) =>
        event.type === 'problem' &&
        (event.problem as { code: string; path?: string }).code === 'read_only' &&
        (event.problem as { path?: string }).path === '/Pub/notes-by-bob.txt',
      "Bob's engine reports the new file as read only",
      { from },
    );
    expect(await readFile(bob.at('/Pub/notes-by-bob.txt'), 'utf8')).toBe(
      'new file by Bob, a viewer\n',
    );

    const status = await bob.json<StatusJson>(['status']);
    expect(status.running).toBe(true);
    expect(status.problems).toContainEqual(
      expect.objectContaining({ code: 'read_only', path: copyPath }),
    );
    expect(status.problems).toContainEqual(
      expect.objectContaining({ code: 'read_only', path: '/Pub/notes-by-bob.txt' }),
    );

    // Nothing reached the server: Ann's copy, the server's and its history are unchanged.
    await ann.syncOnce();
    expect(subtree(await snapshotTree(ann.folder), '/Pub')).toEqual({
      '/Pub': 'folder',
      '/Pub/readme.txt': fileEntry('published by Ann\n'),
    });
    expect(await bed.readOnServer(ann, '/Pub/readme.txt')).toBe('published by Ann\n');
    const history = await ann.json<{ revisions: unknown[] }>(['history', '/Pub/readme.txt']);
    expect(history.revisions).toHaveLength(1);

    expect(await sync.stop('SIGINT')).toBe(0);
  });
});
