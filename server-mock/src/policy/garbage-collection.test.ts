import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import { blockAddressKey, type BlockAddress } from '../blocks/block-address.js';
import { KeyedLock } from '../blocks/keyed-lock.js';
import { LocalDirBlockStore } from '../blocks/local-dir-block-store.js';
import { GarbageCollector } from './garbage-collection.js';
import { MemoryBlockReferences } from './memory-block-references.js';

const NS = 'ns_gc' as NamespaceId;
const HOUR = 60 * 60 * 1000;
const GRACE = 24 * HOUR;
const T0 = 1_700_000_000_000;

describe('GarbageCollector', () => {
  let root: string;
  let store: LocalDirBlockStore;
  let refs: MemoryBlockReferences;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'ferry-gc-'));
    store = await LocalDirBlockStore.open({
      hotDir: join(root, 'hot'),
      coldDir: join(root, 'cold'),
    });
    refs = new MemoryBlockReferences();
  });
  afterEach(async () => {
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  /** Stores a block's bytes and, unless `recorded` is false, its metadata row. */
  async function upload(nowMs: number, recorded = true): Promise<BlockAddress> {
    const bytes = randomBytes(64);
    const block = {
      namespace: NS,
      id: createHash('sha256').update(bytes).digest('hex') as BlockId,
    };
    await store.put(block.namespace, block.id, bytes);
    if (recorded) refs.record(block, nowMs);
    return block;
  }
  const isStored = async (block: BlockAddress): Promise<boolean> =>
    (await store.tierOf(block.namespace, block.id)) !== undefined;

  it('deletes unreferenced blocks past the grace period, and nothing else', async () => {
    const garbage = await upload(T0);
    const coldGarbage = await upload(T0);
    await store.moveToCold(coldGarbage.namespace, coldGarbage.id);
    const committed = await upload(T0);
    refs.addReference(committed, 1);
    const released = await upload(T0);
    refs.addReference(released, 1);
    refs.addReference(released, -1);
    const justUploaded = await upload(T0 + GRACE - HOUR);

    const report = await new GarbageCollector({
      blockStore: store,
      references: refs,
      graceMs: GRACE,
    }).collect({
      nowMs: T0 + GRACE + 1,
    });

    expect(report).toEqual({ unreferencedDeleted: 3, orphansDeleted: 0, orphansPending: 0 });
    for (const gone of [garbage, coldGarbage, released]) {
      expect(await isStored(gone)).toBe(false);
      expect(await refs.hasBlock(gone.namespace, gone.id)).toBe(false);
    }
    for (const kept of [committed, justUploaded]) {
      expect(await isStored(kept)).toBe(true);
      expect(await refs.hasBlock(kept.namespace, kept.id)).toBe(true);
    }
  });

  it('pages through many unreferenced blocks', async () => {
    for (let i = 0; i < 11; i++) await upload(T0 + i);
    const gc = new GarbageCollector({
      blockStore: store,
      references: refs,
      graceMs: GRACE,
      pageSize: 3,
    });
    expect((await gc.collect({ nowMs: T0 + 2 * GRACE })).unreferencedDeleted).toBe(11);
    expect(refs.rows.size).toBe(0);
  });

  it('keeps a block that a commit references after it was listed as garbage', async () => {
    const block = await upload(T0);
    // The commit lands between the listing and the forget: metadata refuses to forget.
    const racingRefs = Object.assign(Object.create(refs) as MemoryBlockReferences, {
      listUnreferencedBlocks: async (before: number, limit: number) => {
        const page = await refs.listUnreferencedBlocks(before, limit);
        if (refs.rows.get(blockAddressKey(block))?.refcount === 0) refs.addReference(block, 1);
        return page;
      },
    });
    const gc = new GarbageCollector({ blockStore: store, references: racingRefs, graceMs: GRACE });
    expect((await gc.collect({ nowMs: T0 + 2 * GRACE })).unreferencedDeleted).toBe(0);
    expect(await isStored(block)).toBe(true);
  });

  it('sweeps a block unknown to metadata only once it stayed unknown for the grace period', async () => {
    const orphan = await upload(T0, false);
    const recordedLater = await upload(T0, false);
    const gc = new GarbageCollector({ blockStore: store, references: refs, graceMs: GRACE });

    expect(await gc.collect({ nowMs: T0 })).toEqual({
      unreferencedDeleted: 0,
      orphansDeleted: 0,
      orphansPending: 2,
    });
    // The upload route records the block (and a commit references it) after the first sweep.
    refs.record(recordedLater, T0 + HOUR);
    refs.addReference(recordedLater, 1);
    expect((await gc.collect({ nowMs: T0 + GRACE - 1 })).orphansPending).toBe(1);
    expect(await gc.collect({ nowMs: T0 + GRACE })).toEqual({
      unreferencedDeleted: 0,
      orphansDeleted: 1,
      orphansPending: 0,
    });
    expect(await isStored(orphan)).toBe(false);
    expect(await isStored(recordedLater)).toBe(true);
  });

  it('finishes a deletion a crash interrupted (row forgotten, bytes left) through the sweep', async () => {
    const block = await upload(T0);
    expect(await refs.forgetUnreferencedBlock(block.namespace, block.id)).toBe(true);
    const gc = new GarbageCollector({ blockStore: store, references: refs, graceMs: GRACE });
    await gc.collect({ nowMs: T0 + GRACE });
    expect(await isStored(block)).toBe(true);
    await gc.collect({ nowMs: T0 + 2 * GRACE });
    expect(await isStored(block)).toBe(false);
  });

  it('skips the sweep when asked', async () => {
    const orphan = await upload(T0, false);
    const gc = new GarbageCollector({ blockStore: store, references: refs, graceMs: 0 });
    expect((await gc.collect({ nowMs: T0, sweepStore: false })).orphansPending).toBe(0);
    expect(await isStored(orphan)).toBe(true);
  });

  it('stops when the signal aborts', async () => {
    const block = await upload(T0);
    const gc = new GarbageCollector({ blockStore: store, references: refs, graceMs: GRACE });
    await expect(
      gc.collect({ nowMs: T0 + 2 * GRACE, signal: AbortSignal.abort() }),
    ).rejects.toThrow();
    expect(await isStored(block)).toBe(true);
  });

  it('with the shared block lock, never leaves a recorded block without its bytes when a re-upload races the deletion', async () => {
    const lock = new KeyedLock();
    const blocks: Array<{ address: BlockAddress; bytes: Buffer }> = [];
    for (let i = 0; i < 40; i++) {
      const bytes = randomBytes(64);
      const address = {
        namespace: NS,
        id: createHash('sha256').update(bytes).digest('hex') as BlockId,
      };
      await store.put(NS, address.id, bytes);
      refs.record(address, T0);
      blocks.push({ address, bytes });
    }
    // The upload route, as it must be written: put, then record, under the block's lock.
    const reupload = (block: { address: BlockAddress; bytes: Buffer }): Promise<void> =>
      lock.run(blockAddressKey(block.address), async () => {
        await store.put(block.address.namespace, block.address.id, block.bytes);
        refs.record(block.address, T0 + 2 * GRACE);
      });
    const gc = new GarbageCollector({
      blockStore: store,
      references: refs,
      graceMs: GRACE,
      blockLock: lock,
    });
    await Promise.all([gc.collect({ nowMs: T0 + 2 * GRACE }), ...blocks.map(reupload)]);

    for (const { address } of blocks) {
      if (await refs.hasBlock(address.namespace, address.id))
        expect(await isStored(address)).toBe(true);
    }
  });
});
