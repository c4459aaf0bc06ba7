import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteError, type RemoteClient } from '../remote/index.js';
import { useTempDir } from '../testkit/index.js';
import { startRemoteTestServer, type RemoteTestServer } from '../testkit/remote-test-server.js';
import { RoundStopped } from './folder-sync.js';
import { createSyncDevice, readTree, type SyncDevice } from './sync-devices.fixture.js';

const tempDir = useTempDir('ferry-lost-answer-');
let server: RemoteTestServer;
const devices: SyncDevice[] = [];
afterEach(async () => {
  for (const device of devices.splice(0)) device.close();
  await server.close();
});

/**
 * The server commits, and the connection is cut before its answer arrives: the one fault of a
 * real network that cannot be caused on loopback at the right instant, so it is injected here.
 */
function losingCommitAnswers(client: RemoteClient, lose: { count: number }): RemoteClient {
  const cut = () => {
    if (lose.count === 0) return false;
    lose.count -= 1;
    return true;
  };
  return {
    ...client,
    commitFile: async (request, signal) => {
      const answer = await client.commitFile(request, signal);
      if (cut()) throw new RemoteError('network_error', 'the connection was cut (injected)');
      return answer;
    },
    // Small files are committed in batches.
    commitFiles: async (requests, signal) => {
      const answers = await client.commitFiles(requests, signal);
      if (cut()) throw new RemoteError('network_error', 'the connection was cut (injected)');
      return answers;
    },
  };
}

describe('a commit whose answer was lost', () => {
  it.each([
    ['a new file', false],
    ['an edit', true],
  ])(
    'is recognised as our own at the next pull (%s): no conflict, one version',
    async (_name, edit) => {
      server = await startRemoteTestServer();
      const ann = await server.createUser('ann', 'A');
      const lose = { count: 0 };
      const a = await createSyncDevice(server, ann, tempDir(), 'A', {
        remote: losingCommitAnswers(ann.client, lose),
      });
      const b = await createSyncDevice(server, await server.addDevice(ann, 'B'), tempDir(), 'B');
      devices.push(a, b);
      const file = path.join(a.folder, 'notes.txt');
      if (edit) {
        await writeFile(file, 'first');
        expect((await a.syncOnce()).agreed).toBe(true);
      }
      await writeFile(file, 'the version whose answer is lost');
      lose.count = 1;
      await expect(a.syncOnce()).rejects.toBeInstanceOf(RoundStopped);
      expect(lose.count).toBe(0);

      expect((await a.syncOnce()).agreed).toBe(true);
      expect((await b.syncOnce()).agreed).toBe(true);
      expect(a.conflicts).toEqual([]);
      expect(await readFile(path.join(b.folder, 'notes.txt'), 'utf8')).toBe(
        'the version whose answer is lost',
      );
      const revisions = await ann.client.listRevisions(
        { path: '/notes.txt', limit: 10 },
        AbortSignal.timeout(5000),
      );
      expect(revisions.revisions).toHaveLength(edit ? 2 : 1);

      // The next edit is an ordinary upload on the version the lost answer would have named.
      await writeFile(file, 'edited again');
      expect((await a.syncOnce()).agreed).toBe(true);
      expect(a.conflicts).toEqual([]);
      expect((await b.syncOnce()).agreed).toBe(true);
      expect(await readFile(path.join(b.folder, 'notes.txt'), 'utf8')).toBe('edited again');
    },
  );
});

describe('a commit whose answer was lost, then moved by another device before our next pull', () => {
  it.each([
    ['a new file renamed', false, false],
    ['a new file saved over another', false, true],
    ['an edit renamed', true, false],
  ])('%s: the move comes here, one copy, no conflict', async (_name, edit, overAnother) => {
    server = await startRemoteTestServer();
    const ann = await server.createUser('ann', 'A');
    const lose = { count: 0 };
    const a = await createSyncDevice(server, ann, tempDir(), 'A', {
      remote: losingCommitAnswers(ann.client, lose),
    });
    const b = await createSyncDevice(server, await server.addDevice(ann, 'B'), tempDir(), 'B');
    devices.push(a, b);
    if (overAnother) await writeFile(path.join(a.folder, 'other.txt'), 'the other file');
    if (edit) await writeFile(path.join(a.folder, 'notes.txt'), 'first');
    if (edit || overAnother) {
      expect((await a.syncOnce()).agreed).toBe(true);
      expect((await b.syncOnce()).agreed).toBe(true);
    }
    await writeFile(path.join(a.folder, 'notes.txt'), 'the version whose answer is lost');
    lose.count = 1;
    await expect(a.syncOnce()).rejects.toBeInstanceOf(RoundStopped);
    expect((await b.syncOnce()).agreed).toBe(true);
    const target = overAnother ? 'other.txt' : 'renamed.txt';
    await rename(path.join(b.folder, 'notes.txt'), path.join(b.folder, target));
    expect((await b.syncOnce()).agreed).toBe(true);

    expect((await a.syncOnce()).agreed).toBe(true);
    expect((await b.syncOnce()).agreed).toBe(true);
    expect((await a.syncOnce()).agreed).toBe(true);
    const expected = { [`/${target}`]: 'the version whose answer is lost' };
    expect(await readTree(a.folder)).toEqual(expected);
    expect(await readTree(b.folder)).toEqual(expected);
    expect(a.conflicts).toEqual([]);
    const revisions = await ann.client.listRevisions(
      { path: `/${target}`, limit: 10 },
      AbortSignal.timeout(5000),
    );
    // Committed once (the path's history also keeps the file it replaced, or the first edit).
    expect(revisions.revisions).toHaveLength(edit || overAnother ? 2 : 1);
  });
});
