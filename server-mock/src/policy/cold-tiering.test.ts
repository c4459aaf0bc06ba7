import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import type { BlockAddress } from '../blocks/block-address.js';
import { LocalDirBlockStore } from '../blocks/local-dir-block-store.js';
import { DEFAULT_COLD_AFTER_MS, moveIdleBlocksToCold } from './cold-tiering.js';
import { MemoryBlockReferences } from './memory-block-references.js';

const NS = 'ns_cold' as NamespaceId;
const DAY = 24 * 60 * 60 * 1000;
const T0 = 1_700_000_000_000;

describe('moveIdleBlocksToCold', () => {
  let root: string;
  let store: LocalDirBlockStore;
  let metadata: MemoryBlockReferences;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'ferry-cold-'));
    store = await LocalDirBlockStore.open({
      hotDir: join(root, 'hot'),
      coldDir: join(root, 'cold'),
    });
    metadata = new MemoryBlockReferences();
  });
  afterEach(async () => {
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  async function storeBlock(
    lastAccessMs: number,
    bytes: Buffer = randomBytes(4096),
  ): Promise<BlockAddress> {
    const block = {
      namespace: NS,
      id: createHash('sha256').update(bytes).digest('hex') as BlockId,
    };
    await store.put(block.namespace, block.id, bytes);
    metadata.record(block, lastAccessMs);
    return block;
  }
  const tierOf = (block: BlockAddress) => store.tierOf(block.namespace, block.id);

  it('moves blocks idle past the threshold, records their tier, and leaves recent ones hot', async () => {
    const idle = await storeBlock(T0);
    const recent = await storeBlock(T0 + 20 * DAY);
    const report = await moveIdleBlocksToCold({
      blockStore: store,
      metadata,
      nowMs: T0 + DEFAULT_COLD_AFTER_MS + 1,
    });
    expect(report).toEqual({ moved: 1, missing: [] });
    expect(await tierOf(idle)).toBe('cold');
    expect(metadata.row(idle).tier).toBe('cold');
    expect(await tierOf(recent)).toBe('hot');
    expect(metadata.row(recent).tier).toBe('hot');
  });

  it('keeps cold blocks readable: a read brings back the same bytes and the hot tier', async () => {
    const bytes = Buffer.from('a block nobody has read for a month. '.repeat(1000));
    const block = await storeBlock(T0, bytes);
    await moveIdleBlocksToCold({ blockStore: store, metadata, nowMs: T0 + 31 * DAY });
    expect(await tierOf(block)).toBe('cold');
    const read = await store.get(block.namespace, block.id);
    expect(Buffer.from(read!).equals(bytes)).toBe(true);
    expect(await tierOf(block)).toBe('hot');
  });

  it('pages through many idle blocks', async () => {
    const blocks = [];
    for (let i = 0; i < 9; i++) blocks.push(await storeBlock(T0 + i));
    const report = await moveIdleBlocksToCold({
      blockStore: store,
      metadata,
      nowMs: T0 + 40 * DAY,
      idleForMs: 7 * DAY,
      pageSize: 2,
    });
    expect(report.moved).toBe(9);
    for (const block of blocks) expect(await tierOf(block)).toBe('cold');
  });

  it('corrects metadata for a block already cold and reports blocks whose bytes are missing', async () => {
    const alreadyCold = await storeBlock(T0);
    await store.moveToCold(alreadyCold.namespace, alreadyCold.id);
    const lost = await storeBlock(T0 - 1);
    await store.delete(lost.namespace, lost.id);
    const report = await moveIdleBlocksToCold({
      blockStore: store,
      metadata,
      nowMs: T0 + 60 * DAY,
      pageSize: 1,
    });
    expect(report).toEqual({ moved: 0, missing: [lost] });
    expect(metadata.row(alreadyCold).tier).toBe('cold');
  });

  it('stops when the signal aborts', async () => {
    const block = await storeBlock(T0);
    await expect(
      moveIdleBlocksToCold({
        blockStore: store,
        metadata,
        nowMs: T0 + 60 * DAY,
        signal: AbortSignal.abort(),
      }),
    ).rejects.toThrow();
    expect(await tierOf(block)).toBe('hot');
  });
});
