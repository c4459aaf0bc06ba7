/**
 * A BlockStore wrapper for tests that must force an interleaving or a fault at one block write:
 * every call goes to the real store underneath; `pauseAfterPut` holds one matching `put` after
 * its bytes are durable (so the test can run the garbage collector "in the middle"), `listed`
 * tells when the GC sweep has walked a namespace, and `failPuts` makes matching puts throw
 * before storing anything. Injected through startServer's `components.blocks`.
 */
import path from 'node:path';
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import type { BlockStore, BlockTier } from '../src/blocks/block-store.js';
import { LocalDirBlockStore } from '../src/blocks/local-dir-block-store.js';

/** Which puts a pause or a fault applies to. */
export type PutMatcher = (namespace: NamespaceId, id: BlockId) => boolean;

/** A put held after it stored its bytes. */
export interface HeldPut {
  /** Resolves with the block once a matching put has stored its bytes and waits. */
  readonly reached: Promise<{ namespace: NamespaceId; id: BlockId }>;
  /** Lets the held put return (and later matching puts run freely). */
  release(): void;
}

export class FaultyBlockStore implements BlockStore {
  private pause:
    { match: PutMatcher; reach: (b: { namespace: NamespaceId; id: BlockId }) => void } | undefined;
  private released: Promise<void> = Promise.resolve();
  private failure: { match: PutMatcher; afterPuts: number } | undefined;
  private listWaiters: Array<{ namespace: NamespaceId; resolve: () => void }> = [];

  constructor(private readonly inner: BlockStore) {}

  /** The next put matching `match` stores its bytes, then waits until `release()`. */
  pauseAfterPut(match: PutMatcher): HeldPut {
    let release!: () => void;
    this.released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const reached = new Promise<{ namespace: NamespaceId; id: BlockId }>((resolve) => {
      this.pause = { match, reach: resolve };
    });
    return { reached, release };
  }

  /** Matching puts after the first `afterPuts` matching ones throw (nothing stored). */
  failPuts(match: PutMatcher, afterPuts = 0): void {
    this.failure = { match, afterPuts };
  }

  /**
   * Resolves once a listing of `namespace` (the GC sweep's walk) has been read to its end: the
   * sweep has seen every block stored there by then.
   */
  listed(namespace: NamespaceId): Promise<void> {
    return new Promise((resolve) => this.listWaiters.push({ namespace, resolve }));
  }

  /** Ends any fault: puts behave normally again. */
  heal(): void {
    this.failure = undefined;
  }

  async put(namespace: NamespaceId, id: BlockId, encoded: Uint8Array): Promise<void> {
    const failure = this.failure;
    if (failure?.match(namespace, id)) {
      if (failure.afterPuts <= 0) throw new Error(`injected fault: put ${namespace}/${id}`);
      failure.afterPuts--;
    }
    await this.inner.put(namespace, id, encoded);
    const pause = this.pause;
    if (pause?.match(namespace, id)) {
      this.pause = undefined;
      pause.reach({ namespace, id });
      await this.released;
    }
  }

  get(namespace: NamespaceId, id: BlockId): Promise<Uint8Array | undefined> {
    return this.inner.get(namespace, id);
  }

  tierOf(namespace: NamespaceId, id: BlockId): Promise<BlockTier | undefined> {
    return this.inner.tierOf(namespace, id);
  }

  moveToCold(namespace: NamespaceId, id: BlockId): Promise<void> {
    return this.inner.moveToCold(namespace, id);
  }

  delete(namespace: NamespaceId, id: BlockId): Promise<void> {
    return this.inner.delete(namespace, id);
  }

  async *list(namespace: NamespaceId): AsyncIterable<BlockId> {
    yield* this.inner.list(namespace);
    const [done, waiting] = [
      this.listWaiters.filter((w) => w.namespace === namespace),
      this.listWaiters.filter((w) => w.namespace !== namespace),
    ];
    this.listWaiters = waiting;
    for (const waiter of done) waiter.resolve();
  }

  listNamespaces(): AsyncIterable<NamespaceId> {
    return this.inner.listNamespaces();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A FaultyBlockStore over the real local-directory store at the place startServer uses. */
export async function openFaultyBlockStore(dataDir: string): Promise<FaultyBlockStore> {
  const inner = await LocalDirBlockStore.open({
    hotDir: path.join(dataDir, 'blocks', 'hot'),
    coldDir: path.join(dataDir, 'blocks', 'cold'),
  });
  return new FaultyBlockStore(inner);
}
