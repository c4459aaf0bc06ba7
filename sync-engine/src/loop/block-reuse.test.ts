import { appendFile, copyFile, open, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seededBytes, useTempDir } from '../testkit/index.js';
import { startRemoteTestServer, type RemoteTestServer } from '../testkit/remote-test-server.js';
import { createSyncDevice, type SyncDevice } from './sync-devices.fixture.js';

/** Buffer.equals: vitest's deep equality walks millions of elements one by one (minutes). */
function expectSameBytes(actual: Buffer, expected: Buffer): void {
  expect(actual.length).toBe(expected.length);
  expect(actual.equals(expected)).toBe(true);
}

const tempDir = useTempDir('ferry-block-reuse-');
let server: RemoteTestServer;
let a: SyncDevice;
let b: SyncDevice;
const SIZE = 12 * 1024 * 1024;

beforeEach(async () => {
  server = await startRemoteTestServer();
  const ann = await server.createUser('ann', 'A');
  a = await createSyncDevice(server, ann, tempDir(), 'A');
  b = await createSyncDevice(server, await server.addDevice(ann, 'B'), tempDir(), 'B');
  await writeFile(path.join(a.folder, 'big.bin'), seededBytes('random', 7, SIZE));
  expect((await a.syncOnce()).agreed).toBe(true);
  expect((await b.syncOnce()).agreed).toBe(true);
});
afterEach(async () => {
  a.close();
  b.close();
  await server.close();
});

describe('downloads reuse the blocks a device already has', () => {
  it('an append to a big file fetches only its last blocks, and the result is byte-identical', async () => {
    expect(b.transferred.down).toBeGreaterThanOrEqual(SIZE);
    const before = { down: b.transferred.down, up: a.transferred.up };
    await appendFile(path.join(a.folder, 'big.bin'), 'a few more bytes');
    expect((await a.syncOnce()).agreed).toBe(true);
    expect((await b.syncOnce()).agreed).toBe(true);
    expectSameBytes(
      await readFile(path.join(b.folder, 'big.bin')),
      await readFile(path.join(a.folder, 'big.bin')),
    );
    // Content-defined chunking: only the last block changes (at most 16 MiB, about 4 on average).
    expect(b.transferred.down - before.down).toBeLessThan(SIZE / 2);
    expect(a.transferred.up - before.up).toBeLessThan(SIZE / 2);
  });

  it('a local block whose bytes changed under an unchanged stat is fetched, not reused', async () => {
    // B's copy is damaged in place and its mtime put back: the stat still matches B's local
    // tree, so the block is verified by its recorded xxHash, which no longer matches.
    const onB = path.join(b.folder, 'big.bin');
    const before = await stat(onB);
    const handle = await open(onB, 'r+');
    await handle.write(Buffer.from('damage'), 0, 6, 1000);
    await handle.close();
    await utimes(onB, before.atime, before.mtime);
    const downBefore = b.transferred.down;
    await appendFile(path.join(a.folder, 'big.bin'), 'a few more bytes');
    expect((await a.syncOnce()).agreed).toBe(true);
    expect((await b.syncOnce()).agreed).toBe(true);
    expectSameBytes(await readFile(onB), await readFile(path.join(a.folder, 'big.bin')));
    // The damaged first block and the new last one came from the server; the others from disk.
    const blocks = b.state.blocks.get(b.state.items.synced.getByPath('/big.bin')!.itemId, 'synced');
    const fetched = b.transferred.down - downBefore;
    const expected = blocks[0]!.sizeBytes + blocks.at(-1)!.sizeBytes;
    expect(fetched).toBeGreaterThanOrEqual(expected);
    expect(fetched).toBeLessThan(expected + 4096); // block headers and tags only
  });

  it('a copy of a file is built from the local original: nothing is downloaded or uploaded', async () => {
    const before = { down: b.transferred.down, up: a.transferred.up };
    await copyFile(path.join(a.folder, 'big.bin'), path.join(a.folder, 'copy.bin'));
    expect((await a.syncOnce()).agreed).toBe(true);
    expect((await b.syncOnce()).agreed).toBe(true);
    expectSameBytes(
      await readFile(path.join(b.folder, 'copy.bin')),
      await readFile(path.join(a.folder, 'big.bin')),
    );
    expect(b.transferred.down - before.down).toBe(0);
    expect(a.transferred.up - before.up).toBe(0);
  });
});
