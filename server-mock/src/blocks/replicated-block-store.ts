/**
 * Two block stores as one (the seed's "cloud storage failure → replica"): every block is
 * written to both, and read from the primary, or from the replica when the primary fails or
 * lacks it. A write succeeds when at least one store took the block, so uploads go on while
 * one store is away; the store that missed it is named in the log, and the block is read from
 * the other. (Repairing the missed copies afterwards is the operator's sync job, e.g.
 * `aws s3 sync` or `rclone copy` between the buckets; docs/server.md.)
 */
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import type { BlockStore, BlockTier } from './block-store.js';

/** Options of {@link ReplicatedBlockStore}. */
export interface ReplicatedBlockStoreOptions {
  readonly primary: BlockStore;
  readonly replica: BlockStore;
  /** A failure of one store that the other covered; the default writes one line to stderr. */
  readonly onStoreFailure?: (store: 'primary' | 'replica', what: string, error: unknown) => void;
}

export class ReplicatedBlockStore implements BlockStore {
  private readonly primary: BlockStore;
  private readonly replica: BlockStore;
  private readonly onStoreFailure: NonNullable<ReplicatedBlockStoreOptions['onStoreFailure']>;

  constructor(options: ReplicatedBlockStoreOptions) {
    this.primary = options.primary;
    this.replica = options.replica;
    this.onStoreFailure = options.onStoreFailure ?? reportStoreFailure;
  }

  async put(namespace: NamespaceId, id: BlockId, encoded: Uint8Array): Promise<void> {
    await this.onBoth(`put block ${namespace}/${id}`, (store) => store.put(namespace, id, encoded));
  }

  async get(namespace: NamespaceId, id: BlockId): Promise<Uint8Array | undefined> {
    return this.firstAnswer(`read block ${namespace}/${id}`, (store) => store.get(namespace, id));
  }

  async tierOf(namespace: NamespaceId, id: BlockId): Promise<BlockTier | undefined> {
    return this.firstAnswer(`find block ${namespace}/${id}`, (store) =>
      store.tierOf(namespace, id),
    );
  }

  async moveToCold(namespace: NamespaceId, id: BlockId): Promise<void> {
    await this.onBoth(`move block ${namespace}/${id}`, (store) => store.moveToCold(namespace, id));
  }

  async delete(namespace: NamespaceId, id: BlockId): Promise<void> {
    await this.onBoth(`delete block ${namespace}/${id}`, (store) => store.delete(namespace, id));
  }

  async *list(namespace: NamespaceId): AsyncIterable<BlockId> {
    yield* this.union((store) => store.list(namespace));
  }

  async *listNamespaces(): AsyncIterable<NamespaceId> {
    yield* this.union((store) => store.listNamespaces());
  }

  async close(): Promise<void> {
    await Promise.all([this.primary.close(), this.replica.close()]);
  }

  /** Runs `task` on both stores at once; fails only when both failed (with the primary's error). */
  private async onBoth(what: string, task: (store: BlockStore) => Promise<void>): Promise<void> {
    const [primary, replica] = await Promise.allSettled([task(this.primary), task(this.replica)]);
    if (primary.status === 'rejected' && replica.status === 'rejected') throw primary.reason;
    if (primary.status === 'rejected') this.onStoreFailure('primary', what, primary.reason);
    if (replica.status === 'rejected') this.onStoreFailure('replica', what, replica.reason);
  }

  /** The primary's answer, else the replica's (when the primary failed or had nothing). */
  private async firstAnswer<T>(
    what: string,
    task: (store: BlockStore) => Promise<T | undefined>,
  ): Promise<T | undefined> {
    let failure: { error: unknown } | undefined;
    try {
      const answer = await task(this.primary);
      if (answer !== undefined) return answer;
    } catch (error) {
      failure = { error };
      this.onStoreFailure('primary', what, error);
    }
    try {
      return await task(this.replica);
    } catch (error) {
      throw failure === undefined ? error : failure.error;
    }
  }

  /**
   * Every item of either store, once. A listing is for the garbage-collection sweep, which
   * must not act on half a picture: it fails when either store cannot be listed.
   */
  private async *union<T>(listing: (store: BlockStore) => AsyncIterable<T>): AsyncIterable<T> {
    const seen = new Set<T>();
    for (const store of [this.primary, this.replica]) {
      for await (const item of listing(store)) {
        if (seen.has(item)) continue;
        seen.add(item);
        yield item;
      }
    }
  }
}

function reportStoreFailure(store: string, what: string, error: unknown): void {
  const reason = error instanceof Error ? error.message : String(error);
  console.error(`block store: the ${store} failed to ${what} (the other one served): ${reason}`);
}
