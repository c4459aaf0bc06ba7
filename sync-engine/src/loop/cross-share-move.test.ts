/**
 * Moves into and out of a shared folder (issue 9): the server refuses them (each namespace has
 * its own key), so the engine copies the item to its new place and then deletes the old one.
 * Two users on the real server in-process: Ann owns /team and shares it with Bob as editor; each
 * has a device with a real folder and a real state. A second device of a user shows what that
 * user's own root holds on the server.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteError, type RemoteClient } from '../remote/index.js';
import { useTempDir } from '../testkit/index.js';
import { type RemoteTestServer, type TestDevice } from '../testkit/remote-test-server.js';
import { RoundStopped } from './folder-sync.js';
import { startShareBed, type ShareBed } from './share-bed.fixture.js';
import { createSyncDevice, readTree, type SyncDevice } from './sync-devices.fixture.js';

const tempDir = useTempDir('ferry-cross-share-');
let server: RemoteTestServer | undefined;
const devices: SyncDevice[] = [];
afterEach(async () => {
  for (const device of devices.splice(0)) device.close();
  await server?.close();
  server = undefined;
});

const signal = () => AbortSignal.timeout(10_000);

/** The share bed (share-bed.fixture.ts), closed after each test; B holds just the share. */
async function shareBed(
  files: Record<string, string>,
  wrapA?: (client: RemoteClient) => RemoteClient,
  role: 'editor' | 'viewer' = 'editor',
): Promise<ShareBed> {
  const bed = await startShareBed(tempDir(), files, {
    role,
    ...(wrapA === undefined ? {} : { wrapA }),
  });
  server = bed.server;
  devices.push(bed.a, bed.b);
  expect(await readTree(bed.b.folder)).toEqual({ '/team': '/', '/team/plan.txt': 'the plan' });
  return bed;
}

/** What a user's whole tree on the server holds (their root and the shares mounted in it). */
async function serverPaths(user: TestDevice): Promise<string[]> {
  const entries = await user.client.listFolder({ path: '/', recursive: true }, signal());
  return entries.map((entry) => entry.path).sort();
}

/** A client whose deletes fail (the connection drops) while `fail.count` is above 0. */
function failingDeletes(client: RemoteClient, fail: { count: number }): RemoteClient {
  return {
    ...client,
    deletePath: async (request, deleteSignal) => {
      if (fail.count > 0) {
        fail.count -= 1;
        throw new RemoteError('network_error', 'the connection dropped (injected)');
      }
      return client.deletePath(request, deleteSignal);
    },
  };
}

/**
 * A client that loses the answer of the next `lose.count` commits and folder creations (the
 * server did commit, or create).
 */
function losingCommitAnswers(client: RemoteClient, lose: { count: number }): RemoteClient {
  const cut = () => {
    if (lose.count === 0) return false;
    lose.count -= 1;
    return true;
  };
  return {
    ...client,
    commitFile: async (request, commitSignal) => {
      const answer = await client.commitFile(request, commitSignal);
      if (cut()) throw new RemoteError('network_error', 'the connection was cut (injected)');
      return answer;
    },
    commitFiles: async (requests, commitSignal) => {
      const answers = await client.commitFiles(requests, commitSignal);
      if (cut()) throw new RemoteError('network_error', 'the connection was cut (injected)');
      return answers;
    },
    createFolder: async (folder, folderSignal) => {
      const answer = await client.createFolder(folder, folderSignal);
      if (cut()) throw new RemoteError('network_error', 'the connection was cut (injected)');
      return answer;
    },
  };
}

const FOLDER = {
  '/docs/a.txt': 'alpha',
  // Over the batch limit (4 MiB): uploaded on its own.
  '/docs/big.txt': 'large '.repeat(1_000_000),
  '/docs/sub/b.txt': 'bravo '.repeat(20_000),
  '/docs/empty': '/',
  '/own.txt': 'mine',
};

describe('a move into or out of a shared folder', () => {
  it('copies a file and a folder moved into the share there, and deletes them in our root', async () => {
    const { ann, a, b } = await shareBed(FOLDER);
    await rename(path.join(a.folder, 'own.txt'), path.join(a.folder, 'team', 'own.txt'));
    await rename(path.join(a.folder, 'docs'), path.join(a.folder, 'team', 'docs'));
    const outcome = await a.syncOnce();
    expect(outcome.agreed).toBe(true);
    expect(outcome.failures).toEqual([]);
    expect((await b.syncOnce()).agreed).toBe(true);

    const moved = {
      '/team': '/',
      '/team/plan.txt': 'the plan',
      '/team/own.txt': 'mine',
      '/team/docs': '/',
      '/team/docs/a.txt': 'alpha',
      '/team/docs/big.txt': FOLDER['/docs/big.txt'],
      '/team/docs/sub': '/',
      '/team/docs/sub/b.txt': FOLDER['/docs/sub/b.txt'],
      '/team/docs/empty': '/',
    };
    expect(await readTree(b.folder)).toEqual(moved);
    expect(await readTree(a.folder)).toEqual(moved);
    // Gone from Ann's own root on the server: only the share holds them now.
    expect(await serverPaths(ann)).toEqual(Object.keys(moved).sort());
    expect([...a.conflicts, ...b.conflicts]).toEqual([]);
    // The engine's trees say the same: nothing left of the old copies.
    expect(
      a.state.items.remote
        .list()
        .map((row) => row.path)
        .sort(),
    ).toEqual(Object.keys(moved).sort());
    expect(
      a.state.items.synced
        .list()
        .map((row) => row.path)
        .sort(),
    ).toEqual(Object.keys(moved).sort());
  });

  it('sends every block of a large file it copies with the share’s key: one commit, never refused', async () => {
    // Its synced version's blocks are stored in Ann's root, under another key: chunked against
    // them, the copy would send nothing and its commit be refused for missing blocks.
    const answers: string[] = [];
    const { a, b } = await shareBed({ '/big.bin': 'large '.repeat(1_000_000) }, (client) => ({
      ...client,
      commitFile: async (request, commitSignal) => {
        const answer = await client.commitFile(request, commitSignal);
        answers.push(`${request.path} ${answer.kind}`);
        return answer;
      },
    }));
    answers.length = 0;
    await rename(path.join(a.folder, 'big.bin'), path.join(a.folder, 'team', 'big.bin'));
    expect((await a.syncOnce()).agreed).toBe(true);
    expect(answers).toEqual(['/team/big.bin committed']);
    expect((await b.syncOnce()).agreed).toBe(true);
    expect(await readFile(path.join(b.folder, 'team', 'big.bin'), 'utf8')).toBe(
      'large '.repeat(1_000_000),
    );
  });

  it('copies a file moved out of the share into the mover’s own root, and deletes it there', async () => {
    const { bob, dir, a, b } = await shareBed({});
    await writeFile(path.join(b.folder, 'team', 'notes.txt'), 'notes by Bob');
    expect((await b.syncOnce()).agreed).toBe(true);
    expect((await a.syncOnce()).agreed).toBe(true);
    expect(await readFile(path.join(a.folder, 'team', 'notes.txt'), 'utf8')).toBe('notes by Bob');

    await rename(path.join(b.folder, 'team', 'notes.txt'), path.join(b.folder, 'notes.txt'));
    expect((await b.syncOnce()).agreed).toBe(true);
    expect((await a.syncOnce()).agreed).toBe(true);
    expect(await readTree(a.folder)).toEqual({ '/team': '/', '/team/plan.txt': 'the plan' });
    expect(await serverPaths(bob)).toEqual(['/notes.txt', '/team', '/team/plan.txt']);
    // Bob's other device gets it in his own folder.
    const phone = await createSyncDevice(server!, await server!.addDevice(bob, 'phone'), dir, 'P');
    devices.push(phone);
    expect((await phone.syncOnce()).agreed).toBe(true);
    expect(await readTree(phone.folder)).toEqual({
      '/notes.txt': 'notes by Bob',
      '/team': '/',
      '/team/plan.txt': 'the plan',
    });
  });

  it('moves a file moved into a share where we are viewer back: nothing uploaded, nothing lost', async () => {
    const { bob, a, b } = await shareBed({}, undefined, 'viewer');
    await writeFile(path.join(b.folder, 'bobs.txt'), 'Bob’s own');
    expect((await b.syncOnce()).agreed).toBe(true);
    await rename(path.join(b.folder, 'bobs.txt'), path.join(b.folder, 'team', 'bobs.txt'));
    expect((await b.syncOnce()).agreed).toBe(true);
    // The server could take neither the move nor a copy: Bob's file is back where it was.
    expect(await readTree(b.folder)).toEqual({
      '/bobs.txt': 'Bob’s own',
      '/team': '/',
      '/team/plan.txt': 'the plan',
    });
    expect(await serverPaths(bob)).toEqual(['/bobs.txt', '/team', '/team/plan.txt']);
    expect((await a.syncOnce()).agreed).toBe(true);
    expect(await readTree(a.folder)).toEqual({ '/team': '/', '/team/plan.txt': 'the plan' });
  });

  it('keeps an edit made on the server to the old copy while it was copied', async () => {
    // Right after the copy's commit, Ann's phone edits the file at its old place.
    let meanwhile: (() => Promise<void>) | undefined;
    const { ann, dir, a, b } = await shareBed({ '/own.txt': 'mine' }, (client) => ({
      ...client,
      commitFiles: async (requests, commitSignal) => {
        const answers = await client.commitFiles(requests, commitSignal);
        const run = meanwhile;
        meanwhile = undefined;
        await run?.();
        return answers;
      },
    }));
    const phone = await createSyncDevice(server!, await server!.addDevice(ann, 'phone'), dir, 'P');
    devices.push(phone);
    expect((await phone.syncOnce()).agreed).toBe(true);
    meanwhile = async () => {
      await writeFile(path.join(phone.folder, 'own.txt'), 'edited on the phone');
      expect((await phone.syncOnce()).agreed).toBe(true);
    };
    await rename(path.join(a.folder, 'own.txt'), path.join(a.folder, 'team', 'own.txt'));
    expect((await a.syncOnce()).agreed).toBe(true);
    expect(meanwhile).toBeUndefined();
    // The copy is in the share; the edit beats the delete and comes back at the old place.
    const both = {
      '/own.txt': 'edited on the phone',
      '/team': '/',
      '/team/own.txt': 'mine',
      '/team/plan.txt': 'the plan',
    };
    expect(await readTree(a.folder)).toEqual(both);
    expect(await serverPaths(ann)).toEqual(Object.keys(both).sort());
    expect((await b.syncOnce()).agreed).toBe(true);
    expect(await readTree(b.folder)).toEqual({
      '/team': '/',
      '/team/own.txt': 'mine',
      '/team/plan.txt': 'the plan',
    });
  });

  it('finishes the delete after a crash between the copy and the delete', async () => {
    // Ann's deletes fail (the connection drops) and then her laptop "crashes": its state is
    // reopened by a new FolderSync, as after a restart.
    const fail = { count: 0 };
    const { ann, dir, a, b } = await shareBed(
      { '/docs/a.txt': 'alpha', '/own.txt': 'mine' },
      (client) => failingDeletes(client, fail),
    );
    await rename(path.join(a.folder, 'own.txt'), path.join(a.folder, 'team', 'own.txt'));
    await rename(path.join(a.folder, 'docs'), path.join(a.folder, 'team', 'docs'));
    fail.count = 1_000;
    await expect(a.syncOnce()).rejects.toBeInstanceOf(RoundStopped);
    // The copies are on the server, and the old copies still (nothing deleted, nothing lost).
    expect(await serverPaths(ann)).toEqual([
      '/docs',
      '/docs/a.txt',
      '/own.txt',
      '/team',
      '/team/docs',
      '/team/docs/a.txt',
      '/team/own.txt',
      '/team/plan.txt',
    ]);
    devices.splice(devices.indexOf(a), 1);
    a.close();

    const restarted = await createSyncDevice(server!, ann, dir, 'A');
    devices.push(restarted);
    const outcome = await restarted.syncOnce();
    expect(outcome.agreed).toBe(true);
    expect(outcome.failures).toEqual([]);
    const moved = {
      '/team': '/',
      '/team/docs': '/',
      '/team/docs/a.txt': 'alpha',
      '/team/own.txt': 'mine',
      '/team/plan.txt': 'the plan',
    };
    expect(await serverPaths(ann)).toEqual(Object.keys(moved).sort());
    expect(await readTree(restarted.folder)).toEqual(moved);
    expect((await b.syncOnce()).agreed).toBe(true);
    expect(await readTree(b.folder)).toEqual(moved);
    // Each copy was committed once.
    for (const file of ['/team/own.txt', '/team/docs/a.txt']) {
      const history = await ann.client.listRevisions({ path: file, limit: 10 }, signal());
      expect(history.revisions).toHaveLength(1);
    }
  });

  it('recognises copies whose answers were lost: each committed once, no conflict', async () => {
    const lose = { count: 0 };
    const { ann, a, b } = await shareBed({ '/own.txt': 'mine', '/docs/a.txt': 'alpha' }, (client) =>
      losingCommitAnswers(client, lose),
    );
    await rename(path.join(a.folder, 'own.txt'), path.join(a.folder, 'team', 'own.txt'));
    await rename(path.join(a.folder, 'docs'), path.join(a.folder, 'team', 'docs'));
    // The file's commit and the folder's creation, then the file in the folder.
    for (const lost of [2, 1]) {
      lose.count = lost;
      await expect(a.syncOnce()).rejects.toBeInstanceOf(RoundStopped);
      expect(lose.count).toBe(0);
    }
    const outcome = await a.syncOnce();
    expect(outcome.agreed).toBe(true);
    expect(a.conflicts).toEqual([]);
    const moved = {
      '/team': '/',
      '/team/docs': '/',
      '/team/docs/a.txt': 'alpha',
      '/team/own.txt': 'mine',
      '/team/plan.txt': 'the plan',
    };
    expect(await readTree(a.folder)).toEqual(moved);
    expect(await serverPaths(ann)).toEqual(Object.keys(moved).sort());
    for (const file of ['/team/own.txt', '/team/docs/a.txt']) {
      const history = await ann.client.listRevisions({ path: file, limit: 10 }, signal());
      expect(history.revisions).toHaveLength(1);
    }
    expect((await b.syncOnce()).agreed).toBe(true);
    expect(await readTree(b.folder)).toEqual(moved);
  });
});
