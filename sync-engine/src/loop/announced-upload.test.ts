/**
 * Issue 10: an announced upload (a file of 16 MiB or more) is chunked and hashed once, for its
 * announce; the upload sends from that list, and a file changed in between is still synced to
 * its real bytes.
 */
import { open, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBlockCodecPool, type BlockCodecPool } from '../blocks/index.js';
import type * as HashBlockModule from '../blocks/hash-block.js';
import type { BlockId } from '../protocol/index.js';
import type { RemoteClient } from '../remote/index.js';
import { seededBytes, useTempDir } from '../testkit/index.js';
import { startRemoteTestServer, type RemoteTestServer } from '../testkit/remote-test-server.js';
import { createSyncDevice, type SyncDevice } from './sync-devices.fixture.js';

/** Bytes hashed with SHA-256 on this thread (the server verifies in its worker). */
const hashed = vi.hoisted(() => ({ bytes: 0 }));
vi.mock('../blocks/hash-block.js', async (importOriginal) => {
  const original = await importOriginal<typeof HashBlockModule>();
  return {
    ...original,
    hashBlock: (bytes: Uint8Array) => {
      hashed.bytes += bytes.length;
      return original.hashBlock(bytes);
    },
  };
});

const SIZE = 24 * 1024 * 1024;
/** An old mtime (seconds): the scan does not hold the file back as still being written. */
const MTIME_S = 1_700_000_000;
const tempDir = useTempDir('ferry-announced-upload-');
let server: RemoteTestServer;
const devices: SyncDevice[] = [];
const pools: BlockCodecPool[] = [];
afterEach(async () => {
  for (const device of devices.splice(0)) device.close();
  for (const pool of pools.splice(0)) await pool.close();
  await server.close();
});

/** A codec pool recording the id each encode was given (undefined: the worker hashes). */
function countingPool() {
  const pool = createBlockCodecPool({ workers: 1 });
  pools.push(pool);
  const ids: Array<BlockId | undefined> = [];
  const codec: BlockCodecPool = Object.create(pool) as BlockCodecPool;
  Object.assign(codec, {
    encode: (...args: Parameters<BlockCodecPool['encode']>) => {
      ids.push(args[2]?.id);
      return pool.encode(...args);
    },
  });
  return { codec, ids };
}

/** `client`, calling `after` once, right after the first announce was answered. */
function afterFirstAnnounce(client: RemoteClient, after: () => Promise<void>): RemoteClient {
  let isDone = false;
  const remote = Object.create(client) as RemoteClient;
  Object.assign(remote, {
    announceFile: async (...args: Parameters<RemoteClient['announceFile']>) => {
      await client.announceFile(...args);
      if (!isDone) {
        isDone = true;
        await after();
      }
    },
  });
  return remote;
}

/** Overwrites `bytes.length` bytes of the file at `offset`, in place (same inode and size). */
async function overwrite(file: string, offset: number, bytes: Uint8Array): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.write(bytes, 0, bytes.length, offset);
  } finally {
    await handle.close();
  }
}

async function setUp(
  remoteOf?: (client: RemoteClient, file: string) => RemoteClient,
  options: { pool: boolean } = { pool: true },
) {
  server = await startRemoteTestServer();
  const ann = await server.createUser('ann', 'A');
  const { codec, ids } = countingPool();
  const dir = tempDir();
  const file = path.join(dir, 'A', 'folder', 'video.mp4');
  const a = await createSyncDevice(server, ann, dir, 'A', {
    ...(options.pool ? { codec } : {}),
    ...(remoteOf === undefined ? {} : { remote: remoteOf(ann.client, file) }),
  });
  const b = await createSyncDevice(server, await server.addDevice(ann, 'B'), tempDir(), 'B');
  devices.push(a, b);
  const bytes = seededBytes('random', 21, SIZE);
  await writeFile(file, bytes);
  await utimes(file, MTIME_S, MTIME_S);
  return { ann, a, b, file, bytes, ids };
}

describe('an announced upload', () => {
  it('chunks and hashes the file once, and encodes each block under its listed id', async () => {
    const { ann, a, b, bytes, ids } = await setUp();
    hashed.bytes = 0;
    expect((await a.syncOnce()).agreed).toBe(true);
    // The listing for the announce hashed every byte once; the upload hashed none again.
    expect(hashed.bytes).toBe(SIZE);
    const list = await ann.client.getFileBlocks({ path: '/video.mp4' }, AbortSignal.timeout(5000));
    expect(ids).toEqual(list.blocks.map((block) => block.id));

    expect((await b.syncOnce()).agreed).toBe(true);
    expect((await readFile(path.join(b.folder, 'video.mp4'))).equals(bytes)).toBe(true);
  });

  it('without a codec pool too: encoded on the event loop, no byte hashed twice', async () => {
    const { a, b, bytes } = await setUp(undefined, { pool: false });
    hashed.bytes = 0;
    expect((await a.syncOnce()).agreed).toBe(true);
    expect(hashed.bytes).toBe(SIZE);
    expect((await b.syncOnce()).agreed).toBe(true);
    expect((await readFile(path.join(b.folder, 'video.mp4'))).equals(bytes)).toBe(true);
  });

  it('a file changed after its announce, its stat as before, is committed as it is now', async () => {
    const changed = seededBytes('random', 22, SIZE);
    const { a, b, file } = await setUp((client, target) =>
      afterFirstAnnounce(client, async () => {
        // Same size, same mtime: only the bytes tell.
        await overwrite(target, 0, changed);
        await utimes(target, MTIME_S, MTIME_S);
      }),
    );
    expect((await a.syncOnce()).agreed).toBe(true);
    expect((await b.syncOnce()).agreed).toBe(true);
    expect((await readFile(file)).equals(changed)).toBe(true);
    expect((await readFile(path.join(b.folder, 'video.mp4'))).equals(changed)).toBe(true);
  });

  it('a file edited after its announce (a new mtime) is uploaded again with its final bytes', async () => {
    const edit = seededBytes('random', 23, 1024 * 1024);
    const { a, b, file, bytes } = await setUp((client, target) =>
      afterFirstAnnounce(client, async () => {
        await overwrite(target, 12 * 1024 * 1024, edit);
        await utimes(target, MTIME_S + 60, MTIME_S + 60);
      }),
    );
    const expected = new Uint8Array(bytes);
    expected.set(edit, 12 * 1024 * 1024);
    // The upload ends stale (the file changed under it); the round's next scan sees the new
    // stat, so the same upload is tried again at once and sends the final bytes.
    expect((await a.syncOnce()).agreed).toBe(true);
    expect(a.synced).toEqual(['upload /video.mp4']);
    expect((await b.syncOnce()).agreed).toBe(true);
    expect((await readFile(file)).equals(expected)).toBe(true);
    expect((await readFile(path.join(b.folder, 'video.mp4'))).equals(expected)).toBe(true);
  });
});
