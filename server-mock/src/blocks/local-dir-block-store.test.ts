import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import { describeBlockStoreContract } from './block-store.contract.js';
import { LocalDirBlockStore } from './local-dir-block-store.js';

const roots: string[] = [];

async function freshDirs(): Promise<{ root: string; hotDir: string; coldDir: string }> {
  const root = await mkdtemp(join(tmpdir(), 'ferry-blocks-'));
  roots.push(root);
  return { root, hotDir: join(root, 'hot'), coldDir: join(root, 'cold') };
}

afterAll(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

describeBlockStoreContract('LocalDirBlockStore', async () =>
  LocalDirBlockStore.open(await freshDirs()),
);

const NS = 'ns1' as NamespaceId;
const idOf = (bytes: Uint8Array): BlockId =>
  createHash('sha256').update(bytes).digest('hex') as BlockId;
const pathIn = (root: string, id: string): string =>
  join(root, NS, id.slice(0, 2), id.slice(2, 4), id);

function expectSameBytes(actual: Uint8Array | undefined, expected: Uint8Array): void {
  expect(actual).toBeDefined();
  expect(Buffer.from(actual!).equals(expected)).toBe(true);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('LocalDirBlockStore specifics', () => {
  let store: LocalDirBlockStore | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('keeps a block at <hot>/<ns>/<ab>/<cd>/<id> and moves the file to the cold dir', async () => {
    const dirs = await freshDirs();
    store = await LocalDirBlockStore.open(dirs);
    const bytes = randomBytes(4096);
    const id = idOf(bytes);
    await store.put(NS, id, bytes);
    expectSameBytes(await readFile(pathIn(dirs.hotDir, id)), bytes);
    expect(await filesUnder(dirs.root)).toEqual([pathIn(dirs.hotDir, id)]);

    await store.moveToCold(NS, id);
    expect(await filesUnder(dirs.root)).toEqual([pathIn(dirs.coldDir, id)]);
    await store.get(NS, id);
    expect(await filesUnder(dirs.root)).toEqual([pathIn(dirs.hotDir, id)]);
  });

  it('rejects hostile namespace and block ids without touching the disk', async () => {
    const dirs = await freshDirs();
    store = await LocalDirBlockStore.open(dirs);
    const goodId = idOf(Buffer.from('x'));
    const badNamespaces = [
      '..',
      '.',
      '',
      'a/b',
      'a\\b',
      '../../etc',
      'ns\0',
      '.tmp-x',
      'x'.repeat(129),
    ];
    const badIds = [
      '../' + goodId.slice(3),
      goodId.toUpperCase(),
      goodId.slice(1),
      goodId + '0',
      '',
    ];
    for (const ns of badNamespaces) {
      await expect(store.put(ns as NamespaceId, goodId, Buffer.from('x'))).rejects.toThrow(
        RangeError,
      );
      await expect(store.get(ns as NamespaceId, goodId)).rejects.toThrow(RangeError);
    }
    for (const id of badIds) {
      await expect(store.put(NS, id as BlockId, Buffer.from('x'))).rejects.toThrow(RangeError);
      await expect(store.delete(NS, id as BlockId)).rejects.toThrow(RangeError);
      await expect(store.moveToCold(NS, id as BlockId)).rejects.toThrow(RangeError);
    }
    const listing = store.list('../x' as NamespaceId)[Symbol.asyncIterator]();
    await expect(listing.next()).rejects.toThrow(RangeError);
    expect(await filesUnder(dirs.root)).toEqual([]);
  });

  it('skips temp files in listings and removes only abandoned ones on open', async () => {
    const dirs = await freshDirs();
    store = await LocalDirBlockStore.open(dirs);
    const bytes = randomBytes(100);
    const id = idOf(bytes);
    await store.put(NS, id, bytes);
    const shard = join(dirs.hotDir, NS, id.slice(0, 2), id.slice(2, 4));
    // Above any Linux pid_max (2^22): an owner that cannot be alive.
    const deadOwnerTemp = join(shard, `.tmp-${id}-p4194305-deadbeef0000`);
    // A write in flight in another live store on the same directory (this process).
    const liveOwnerTemp = join(shard, `.tmp-${id}-p${process.pid}-0123456789ab`);
    const coldShard = join(dirs.coldDir, NS, 'ab', 'cd');
    await mkdir(coldShard, { recursive: true });
    // No owner marker (older versions), last written two hours ago.
    const oldTemp = join(coldShard, `.tmp-abcd${'0'.repeat(60)}-000000000000`);
    const freshUnmarkedTemp = join(coldShard, `.tmp-abcd${'1'.repeat(60)}-000000000000`);
    await writeFile(deadOwnerTemp, 'half a block');
    await writeFile(liveOwnerTemp, 'a block being written');
    await writeFile(oldTemp, 'half a cold block');
    await writeFile(freshUnmarkedTemp, 'maybe in flight');
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(oldTemp, twoHoursAgo, twoHoursAgo);

    const listed: string[] = [];
    for await (const listedId of store.list(NS)) listed.push(listedId);
    expect(listed).toEqual([id]);

    const second = await LocalDirBlockStore.open(dirs);
    await second.close();
    expect(await exists(deadOwnerTemp)).toBe(false);
    expect(await exists(oldTemp)).toBe(false);
    expect(await exists(liveOwnerTemp)).toBe(true);
    expect(await exists(freshUnmarkedTemp)).toBe(true);
    expectSameBytes(await store.get(NS, id), bytes);
  });

  it("a second store opened on the directory leaves the first one's writes in flight alone", async () => {
    const dirs = await freshDirs();
    store = await LocalDirBlockStore.open(dirs);
    const blocks = Array.from({ length: 40 }, () => randomBytes(64 * 1024));
    const puts = Promise.all(blocks.map((b) => store!.put(NS, idOf(b), b)));
    const second = await LocalDirBlockStore.open(dirs);
    await puts;
    await second.close();
    for (const b of blocks) expectSameBytes(await store.get(NS, idOf(b)), b);
  });

  it('removes emptied shard and namespace directories on delete and move', async () => {
    const dirs = await freshDirs();
    store = await LocalDirBlockStore.open(dirs);
    const bytes = randomBytes(100);
    const id = idOf(bytes);
    await store.put(NS, id, bytes);
    await store.moveToCold(NS, id);
    expect(await readdir(dirs.hotDir)).toEqual([]);
    await store.delete(NS, id);
    expect(await readdir(dirs.coldDir)).toEqual([]);
  });

  it('keeps puts and deletes racing in one shard consistent: every put lands', async () => {
    const dirs = await freshDirs();
    store = await LocalDirBlockStore.open(dirs);
    const shardId = (n: number) => `abcd${n.toString(16).padStart(60, '0')}` as BlockId;
    const bytes = Buffer.from('block');
    for (let round = 0; round < 20; round += 1) {
      const kept = shardId(1000 + round);
      // One block leaves the shard while another arrives: the delete may empty and remove the
      // shard directory between the put's mkdir and its write.
      await store.put(NS, shardId(round), bytes);
      await Promise.all([store.delete(NS, shardId(round)), store.put(NS, kept, bytes)]);
      expectSameBytes(await store.get(NS, kept), bytes);
      await store.delete(NS, kept);
    }
    expect(await readdir(dirs.hotDir)).toEqual([]);
  });

  it('gzips a compressible block in the cold tier and reads it back intact', async () => {
    const dirs = await freshDirs();
    store = await LocalDirBlockStore.open(dirs);
    const bytes = Buffer.from('the same sentence again and again. '.repeat(30_000));
    const id = idOf(bytes);
    await store.put(NS, id, bytes);
    await store.moveToCold(NS, id);
    const coldFile = await readFile(pathIn(dirs.coldDir, id));
    expect(coldFile.subarray(0, 5)).toEqual(Buffer.from([0x46, 0x43, 0x42, 0x31, 1]));
    expect(coldFile.length).toBeLessThan(bytes.length / 10);
    expectSameBytes(await store.get(NS, id), bytes);
  });

  it('stores ciphertext-like (random) blocks raw in the cold tier: gzip would not save space', async () => {
    const dirs = await freshDirs();
    store = await LocalDirBlockStore.open(dirs);
    const bytes = randomBytes(1024 * 1024);
    const id = idOf(bytes);
    await store.put(NS, id, bytes);
    await store.moveToCold(NS, id);
    const coldFile = await readFile(pathIn(dirs.coldDir, id));
    expect(coldFile.subarray(0, 5)).toEqual(Buffer.from([0x46, 0x43, 0x42, 0x31, 0]));
    expectSameBytes(coldFile.subarray(5), bytes);
  });

  it("never gzips with coldCompression 'none'", async () => {
    const dirs = await freshDirs();
    store = await LocalDirBlockStore.open({ ...dirs, coldCompression: 'none' });
    const bytes = Buffer.alloc(10_000, 7);
    const id = idOf(bytes);
    await store.put(NS, id, bytes);
    await store.moveToCold(NS, id);
    expect((await readFile(pathIn(dirs.coldDir, id))).length).toBe(bytes.length + 5);
  });

  it('recovers from a crash mid-move: a block in both tiers is listed once and served', async () => {
    const dirs = await freshDirs();
    store = await LocalDirBlockStore.open(dirs);
    const bytes = randomBytes(2000);
    const id = idOf(bytes);
    await store.put(NS, id, bytes);
    await store.moveToCold(NS, id);
    // Simulate the crash window of a cold→hot restore: the hot copy written, the cold one not
    // yet removed.
    await mkdir(join(dirs.hotDir, NS, id.slice(0, 2), id.slice(2, 4)), { recursive: true });
    await writeFile(pathIn(dirs.hotDir, id), bytes);
    await store.close();

    store = await LocalDirBlockStore.open(dirs);
    const listed: string[] = [];
    for await (const listedId of store.list(NS)) listed.push(listedId);
    expect(listed).toEqual([id]);
    expect(await store.tierOf(NS, id)).toBe('hot');
    expectSameBytes(await store.get(NS, id), bytes);
    await store.moveToCold(NS, id);
    expect(await filesUnder(dirs.root)).toEqual([pathIn(dirs.coldDir, id)]);
  });

  it('fails a read of a corrupt cold file loudly instead of returning garbage', async () => {
    const dirs = await freshDirs();
    store = await LocalDirBlockStore.open(dirs);
    const id = idOf(Buffer.from('corrupt'));
    await mkdir(join(dirs.coldDir, NS, id.slice(0, 2), id.slice(2, 4)), { recursive: true });
    await writeFile(pathIn(dirs.coldDir, id), 'not a cold block file');
    await expect(store.get(NS, id)).rejects.toThrow(/FCB1/);
  });
});
