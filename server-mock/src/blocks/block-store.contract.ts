/**
 * The behaviour every BlockStore implementation must have (block-store.ts). Run it from an
 * implementation's test file: `describeBlockStoreContract('LocalDirBlockStore', makeStore)`.
 * `makeStore` returns a fresh, empty store each time; the suite closes it after each test.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import type { BlockStore } from './block-store.js';

/** Creates a fresh, empty store for one test. */
export type MakeBlockStore = () => Promise<BlockStore>;

const NS_A = 'ns-a' as NamespaceId;
const NS_B = 'ns-b' as NamespaceId;

/** A block id for `bytes` (the store does not verify it, but ids look real). */
function idOf(bytes: Uint8Array): BlockId {
  return createHash('sha256').update(bytes).digest('hex') as BlockId;
}

function randomBlock(sizeBytes: number): { id: BlockId; bytes: Uint8Array } {
  const bytes = new Uint8Array(randomBytes(sizeBytes));
  return { id: idOf(bytes), bytes };
}

/** Byte comparison; vitest's deep equality is far too slow on multi-MiB buffers. */
function expectSameBytes(actual: Uint8Array | undefined, expected: Uint8Array): void {
  expect(actual).toBeDefined();
  expect(actual!.length).toBe(expected.length);
  expect(Buffer.from(actual!).equals(expected)).toBe(true);
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Registers the shared BlockStore suite under `describe(name)`. */
export function describeBlockStoreContract(name: string, makeStore: MakeBlockStore): void {
  describe(`BlockStore contract: ${name}`, () => {
    const opened: BlockStore[] = [];
    const open = async (): Promise<BlockStore> => {
      const store = await makeStore();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    it('answers undefined for an absent block', async () => {
      const store = await open();
      const { id } = randomBlock(16);
      expect(await store.get(NS_A, id)).toBeUndefined();
      expect(await store.tierOf(NS_A, id)).toBeUndefined();
    });

    it('returns exactly the bytes put, from the hot tier', async () => {
      const store = await open();
      for (const size of [0, 1, 1000, 5 * 1024 * 1024 + 3]) {
        const block = randomBlock(size);
        await store.put(NS_A, block.id, block.bytes);
        expect(await store.tierOf(NS_A, block.id)).toBe('hot');
        expectSameBytes(await store.get(NS_A, block.id), block.bytes);
      }
    });

    it('keeps namespaces apart: the same id in two namespaces is two blocks', async () => {
      const store = await open();
      const { id } = randomBlock(32);
      await store.put(NS_A, id, Buffer.from('ciphertext under key A'));
      await store.put(NS_B, id, Buffer.from('ciphertext under key B'));
      expect(Buffer.from((await store.get(NS_A, id))!).toString()).toBe('ciphertext under key A');
      await store.delete(NS_A, id);
      expect(await store.get(NS_A, id)).toBeUndefined();
      expect(Buffer.from((await store.get(NS_B, id))!).toString()).toBe('ciphertext under key B');
    });

    it('treats a second put of an existing block as a no-op (first bytes stay)', async () => {
      const store = await open();
      const { id } = randomBlock(32);
      await store.put(NS_A, id, Buffer.from('first'));
      await store.put(NS_A, id, Buffer.from('second'));
      expect(Buffer.from((await store.get(NS_A, id))!).toString()).toBe('first');
    });

    it('survives concurrent puts of the same block: one whole copy, listed once', async () => {
      const store = await open();
      const block = randomBlock(256 * 1024);
      await Promise.all(Array.from({ length: 8 }, () => store.put(NS_A, block.id, block.bytes)));
      expectSameBytes(await store.get(NS_A, block.id), block.bytes);
      expect(await collect(store.list(NS_A))).toEqual([block.id]);
    });

    it('moves a block to cold and reads it back transparently, restoring it to hot', async () => {
      const store = await open();
      const block = randomBlock(100_000);
      await store.put(NS_A, block.id, block.bytes);
      await store.moveToCold(NS_A, block.id);
      expect(await store.tierOf(NS_A, block.id)).toBe('cold');
      expect(await collect(store.list(NS_A))).toEqual([block.id]);
      expectSameBytes(await store.get(NS_A, block.id), block.bytes);
      expect(await store.tierOf(NS_A, block.id)).toBe('hot');
    });

    it('serves concurrent reads of a cold block', async () => {
      const store = await open();
      const block = randomBlock(64 * 1024);
      await store.put(NS_A, block.id, block.bytes);
      await store.moveToCold(NS_A, block.id);
      const reads = await Promise.all(Array.from({ length: 5 }, () => store.get(NS_A, block.id)));
      for (const read of reads) expectSameBytes(read, block.bytes);
    });

    it('makes moveToCold a no-op when absent or already cold, and put a no-op on a cold block', async () => {
      const store = await open();
      const absent = randomBlock(8);
      await store.moveToCold(NS_A, absent.id);
      expect(await store.tierOf(NS_A, absent.id)).toBeUndefined();
      const block = randomBlock(1024);
      await store.put(NS_A, block.id, block.bytes);
      await store.moveToCold(NS_A, block.id);
      await store.moveToCold(NS_A, block.id);
      await store.put(NS_A, block.id, Buffer.from('other bytes'));
      expect(await store.tierOf(NS_A, block.id)).toBe('cold');
      expectSameBytes(await store.get(NS_A, block.id), block.bytes);
    });

    it('deletes from either tier, and deleting an absent block is a no-op', async () => {
      const store = await open();
      const hot = randomBlock(10);
      const cold = randomBlock(20);
      await store.put(NS_A, hot.id, hot.bytes);
      await store.put(NS_A, cold.id, cold.bytes);
      await store.moveToCold(NS_A, cold.id);
      await store.delete(NS_A, hot.id);
      await store.delete(NS_A, cold.id);
      await store.delete(NS_A, randomBlock(5).id);
      expect(await store.get(NS_A, hot.id)).toBeUndefined();
      expect(await store.get(NS_A, cold.id)).toBeUndefined();
      expect(await store.tierOf(NS_A, cold.id)).toBeUndefined();
      expect(await collect(store.list(NS_A))).toEqual([]);
    });

    it('lists each block of a namespace once, and only namespaces that hold blocks', async () => {
      const store = await open();
      expect(await collect(store.listNamespaces())).toEqual([]);
      const blocks = Array.from({ length: 20 }, () => randomBlock(64));
      for (const block of blocks) await store.put(NS_A, block.id, block.bytes);
      for (const block of blocks.slice(0, 7)) await store.moveToCold(NS_A, block.id);
      const only = randomBlock(64);
      await store.put(NS_B, only.id, only.bytes);

      const listed = await collect(store.list(NS_A));
      expect([...listed].sort()).toEqual(blocks.map((b) => b.id).sort());
      expect((await collect(store.listNamespaces())).sort()).toEqual([NS_A, NS_B]);

      await store.delete(NS_B, only.id);
      expect(await collect(store.listNamespaces())).toEqual([NS_A]);
      expect(await collect(store.list('ns-never-used' as NamespaceId))).toEqual([]);
    });

    it('refuses every operation after close', async () => {
      const store = await open();
      const block = randomBlock(10);
      await store.put(NS_A, block.id, block.bytes);
      opened.splice(opened.indexOf(store), 1);
      await store.close();
      await expect(store.get(NS_A, block.id)).rejects.toThrow();
      await expect(store.put(NS_A, block.id, block.bytes)).rejects.toThrow();
      await expect(collect(store.list(NS_A))).rejects.toThrow();
    });
  });
}
