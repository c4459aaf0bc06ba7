/**
 * Issue 10, "edits in a blink": a 1-byte edit of a big synced file uploads only the blocks that
 * changed, and the other device reads every block it already had from its own copy.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHUNK_MIN_BYTES } from '../blocks/index.js';
import type { BlockId } from '../protocol/index.js';
import type { RemoteClient } from '../remote/index.js';
import { useTempDir, writeSeededFile } from '../testkit/index.js';
import { startRemoteTestServer, type RemoteTestServer } from '../testkit/remote-test-server.js';
import { createSyncDevice, type SyncDevice } from './sync-devices.fixture.js';

const SIZE = 256 * 1024 * 1024;
const SEED = 11;
const tempDir = useTempDir('ferry-edit-blocks-');

/** The remote client, recording the ids of the blocks it sends and receives. */
function counting(client: RemoteClient) {
  const sent: BlockId[] = [];
  const received: BlockId[] = [];
  const remote: RemoteClient = Object.create(client) as RemoteClient;
  Object.assign(remote, {
    putBlock: (request: Parameters<RemoteClient['putBlock']>[0], signal: AbortSignal) => {
      sent.push(request.id);
      return client.putBlock(request, signal);
    },
    putBlocks: (request: Parameters<RemoteClient['putBlocks']>[0], signal: AbortSignal) => {
      sent.push(...request.blocks.map((block) => block.id));
      return client.putBlocks(request, signal);
    },
    getBlock: (address: Parameters<RemoteClient['getBlock']>[0], signal: AbortSignal) => {
      received.push(address.id);
      return client.getBlock(address, signal);
    },
    getBlocks: (request: Parameters<RemoteClient['getBlocks']>[0], signal: AbortSignal) => {
      received.push(...request.ids);
      return client.getBlocks(request, signal);
    },
  });
  return { remote, sent, received };
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk);
  return hash.digest('hex');
}

let server: RemoteTestServer;
let a: SyncDevice;
let b: SyncDevice;
let onA: ReturnType<typeof counting>;
let onB: ReturnType<typeof counting>;
const FILE = '/big.bin';

beforeEach(async () => {
  server = await startRemoteTestServer();
  const ann = await server.createUser('ann', 'A');
  const deviceB = await server.addDevice(ann, 'B');
  onA = counting(ann.client);
  onB = counting(deviceB.client);
  a = await createSyncDevice(server, ann, tempDir(), 'A', { remote: onA.remote });
  b = await createSyncDevice(server, deviceB, tempDir(), 'B', { remote: onB.remote });
  await writeSeededFile({
    path: path.join(a.folder, FILE),
    kind: 'random',
    seed: SEED,
    sizeBytes: SIZE,
  });
  expect((await a.syncOnce()).agreed).toBe(true);
  expect((await b.syncOnce()).agreed).toBe(true);
  onA.sent.length = 0;
  onB.received.length = 0;
}, 180_000);
afterEach(async () => {
  a.close();
  b.close();
  await server.close();
});

/** The synced block list of the file on `device`. */
function syncedBlocks(device: SyncDevice) {
  const row = device.state.items.synced.getByPath(FILE)!;
  return device.state.blocks.get(row.itemId, 'synced');
}

/** Syncs A then B; what was sent and fetched, and the blocks that are new to the file. */
async function syncEdit() {
  const before = new Set(syncedBlocks(a).map((block) => block.blockId));
  expect((await a.syncOnce()).agreed).toBe(true);
  expect((await b.syncOnce()).agreed).toBe(true);
  const after = syncedBlocks(a);
  expect(syncedBlocks(b)).toEqual(after);
  expect(await sha256Of(path.join(b.folder, FILE))).toBe(await sha256Of(path.join(a.folder, FILE)));
  const fresh = after.filter((block) => !before.has(block.blockId));
  return { fresh, sent: [...onA.sent], received: [...onB.received] };
}

describe('an edit of a 256 MiB synced file', () => {
  it('a 1-byte change in the middle uploads exactly one block, and B fetches only that one', async () => {
    // The byte is in the first CHUNK_MIN_BYTES of the block holding the middle of the file: the
    // chunker hashes no byte there (BoundaryScanner), so no boundary can move and exactly one
    // block changes, whatever the data.
    const middle = syncedBlocks(a).find((block) => block.offsetBytes + block.sizeBytes > SIZE / 2)!;
    const offset = middle.offsetBytes + CHUNK_MIN_BYTES / 2;
    const handle = await open(path.join(a.folder, FILE), 'r+');
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, offset);
    byte[0] = byte[0]! ^ 0xff;
    await handle.write(byte, 0, 1, offset);
    await handle.close();

    const { fresh, sent, received } = await syncEdit();
    expect(fresh.map((block) => [block.offsetBytes, block.sizeBytes])).toEqual([
      [middle.offsetBytes, middle.sizeBytes],
    ]);
    expect(sent).toEqual([fresh[0]!.blockId]);
    expect(received).toEqual([fresh[0]!.blockId]);
  }, 180_000);

  it('a byte inserted at the start (a new file renamed over it) sends and fetches only the first blocks', async () => {
    const edited = path.join(tempDir(), 'edited.bin');
    await writeSeededFile({
      path: edited,
      kind: 'random',
      seed: SEED,
      sizeBytes: SIZE,
      prefix: Uint8Array.of(0x42),
    });
    await rename(edited, path.join(a.folder, FILE));

    const { fresh, sent, received } = await syncEdit();
    // Content-defined chunking: the boundaries after the first block are found again, one byte on.
    expect(fresh.length).toBeGreaterThanOrEqual(1);
    expect(fresh.length).toBeLessThanOrEqual(2);
    expect(fresh[0]!.offsetBytes).toBe(0);
    expect(fresh.every((block) => block.offsetBytes < 32 * 1024 * 1024)).toBe(true);
    expect(sent.sort()).toEqual(fresh.map((block) => block.blockId).sort());
    expect(received.sort()).toEqual(fresh.map((block) => block.blockId).sort());
  }, 180_000);
});
