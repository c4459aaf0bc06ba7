import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFileBlocks } from '../blocks/index.js';
import type { BlockId } from '../protocol/index.js';
import type { RemoteClient } from '../remote/index.js';
import { seededBytes, useTempDir, waitUntil } from '../testkit/index.js';
import { startRemoteTestServer, type RemoteTestServer } from '../testkit/remote-test-server.js';
import { createSyncDevice, type SyncDevice } from './sync-devices.fixture.js';

const tempDir = useTempDir('ferry-streaming-');
let server: RemoteTestServer;
const devices: SyncDevice[] = [];
afterEach(async () => {
  for (const device of devices.splice(0)) {
    await device.sync.stopStreams();
    device.close();
  }
  await server.close();
});

/** A remote that counts the blocks fetched, and what the server said of the file at each. */
function countingBlocks(remote: RemoteClient, onBlock: () => Promise<void>): RemoteClient {
  return {
    ...remote,
    getBlock: async (address, signal) => {
      const bytes = await remote.getBlock(address, signal);
      await onBlock();
      return bytes;
    },
  };
}

describe('streaming sync (issue 10)', () => {
  it('the other device fetches the blocks of an announced upload before its commit, then places the file', async () => {
    server = await startRemoteTestServer();
    const ann = await server.createUser('ann', 'A');
    const client = server.client({ token: ann.login.token });
    const status = async () => {
      const entries = await client.listFolder({ path: '/' }, AbortSignal.timeout(5000));
      const entry = entries.find((candidate) => candidate.path === '/video.mp4');
      return entry?.type === 'file' ? entry.status : undefined;
    };
    // Slowed down (24 MiB at 6 MB/s: about 4 s), so B's fetches can be seen while A sends.
    const a = await createSyncDevice(server, ann, tempDir(), 'A', {
      limitUpBytesPerSecond: 6_000_000,
    });
    const bDevice = await server.addDevice(ann, 'B');
    /** The file's status on the server at each block B received. */
    const seenAtFetch: Array<string | undefined> = [];
    const b = await createSyncDevice(
      server,
      {
        ...bDevice,
        client: countingBlocks(bDevice.client, async () => {
          seenAtFetch.push(await status());
        }),
      },
      tempDir(),
      'B',
    );
    devices.push(a, b);

    const bytes = seededBytes('random', 10, 24 * 1024 * 1024);
    await writeFile(path.join(a.folder, 'video.mp4'), bytes);
    const uploading = a.syncOnce();
    await waitUntil(async () => (await status()) === 'pending', {
      timeoutMs: 20_000,
      what: 'the announce',
    });
    // B's round sees the announce: nothing to download yet, but the stream starts.
    expect((await b.syncOnce()).agreed).toBe(true);
    expect(b.synced).toEqual([]);
    await waitUntil(() => seenAtFetch.length >= 2, { timeoutMs: 20_000, what: 'two blocks' });
    // B really had blocks while A had not committed: the server still said pending.
    expect(seenAtFetch.slice(0, 2)).toEqual(['pending', 'pending']);

    expect((await uploading).agreed).toBe(true);
    expect(await status()).toBe('uploaded');
    expect((await b.syncOnce()).agreed).toBe(true);
    expect(b.synced).toEqual(['download /video.mp4']);
    expect((await readFile(path.join(b.folder, 'video.mp4'))).equals(bytes)).toBe(true);
    // Each block came once, through the stream; the download fetched none again.
    const list = await client.getFileBlocks({ path: '/video.mp4' }, AbortSignal.timeout(5000));
    expect(seenAtFetch.length).toBe(list.blocks.length);
    expect(b.sync.streams.fetchedBlocks).toBe(list.blocks.length);
    expect(seenAtFetch.filter((seen) => seen === 'pending').length).toBeGreaterThanOrEqual(2);
    // Nothing is left in the temporary folder.
    expect(await readdir(path.join(b.folder, '.ferry', 'tmp'))).toEqual([]);
  });

  it('when the commit differs from the announce, the download fetches only the blocks the stream lacks', async () => {
    server = await startRemoteTestServer();
    const ann = await server.createUser('ann', 'A');
    const signal = AbortSignal.timeout(60_000);
    const namespace = ann.login.rootNamespace;
    const key = await ann.client.getNamespaceKey(namespace, signal);
    const encode = async (content: Uint8Array) => {
      const blocks = [];
      for await (const block of encodeFileBlocks(
        (async function* () {
          yield content;
        })(),
        key,
      )) {
        blocks.push({ id: block.id, size: block.size, encoded: block.encoded.slice() });
        block.release();
      }
      return blocks;
    };
    // Announced: 12 MiB. Committed: the same first 8 MiB, another tail.
    const announcedBytes = seededBytes('random', 11, 12 * 1024 * 1024);
    const committedBytes = new Uint8Array(announcedBytes);
    committedBytes.set(seededBytes('random', 12, 4 * 1024 * 1024), 8 * 1024 * 1024);
    const announced = await encode(announcedBytes);
    const committed = await encode(committedBytes);
    const shared = committed.filter((block) => announced.some((a) => a.id === block.id));
    expect(shared.length).toBeGreaterThanOrEqual(1);

    const fetched = new Map<BlockId, number>();
    const bDevice = await server.addDevice(ann, 'B');
    const b = await createSyncDevice(
      server,
      {
        ...bDevice,
        client: {
          ...bDevice.client,
          getBlock: async (address, blockSignal) => {
            const bytes = await bDevice.client.getBlock(address, blockSignal);
            fetched.set(address.id, (fetched.get(address.id) ?? 0) + 1);
            return bytes;
          },
        },
      },
      tempDir(),
      'B',
    );
    devices.push(b);

    await ann.client.announceFile(
      {
        path: '/video.mp4',
        size: announcedBytes.length,
        modified: 1_700_000_000_000,
        blocks: announced.map(({ id, size }) => ({ id, size })),
      },
      signal,
    );
    // Only the blocks both versions share are uploaded: the stream gets those, then waits.
    for (const block of shared) {
      await ann.client.putBlock({ namespace, id: block.id, encoded: block.encoded }, signal);
    }
    expect((await b.syncOnce()).agreed).toBe(true);
    await waitUntil(() => b.sync.streams.fetchedBlocks >= shared.length, {
      timeoutMs: 20_000,
      what: 'the shared blocks streamed',
    });
    for (const block of committed) {
      await ann.client.putBlock({ namespace, id: block.id, encoded: block.encoded }, signal);
    }
    const result = await ann.client.commitFile(
      {
        path: '/video.mp4',
        blocks: committed.map((block) => block.id),
        size: committedBytes.length,
        modified: 1_700_000_000_000,
      },
      signal,
    );
    expect(result.kind).toBe('committed');

    expect((await b.syncOnce()).agreed).toBe(true);
    expect(b.synced).toEqual(['download /video.mp4']);
    expect((await readFile(path.join(b.folder, 'video.mp4'))).equals(committedBytes)).toBe(true);
    // The shared blocks came once (the stream's), re-read from its file; the rest once each.
    for (const block of committed) expect(fetched.get(block.id), block.id).toBe(1);
    expect(await readdir(path.join(b.folder, '.ferry', 'tmp'))).toEqual([]);
  });
});
