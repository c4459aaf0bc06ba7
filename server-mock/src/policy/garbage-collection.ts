/**
 * Garbage collection of blocks (SPEC "Storage policy": reference counts plus a periodic sweep).
 * Two passes:
 *  1. Blocks metadata records with refcount 0, recorded before `nowMs - graceMs`: metadata
 *     forgets the row (atomically, only if still unreferenced), then the bytes are deleted.
 *     The grace keeps a block uploaded just before its commit.
 *  2. The sweep: blocks in the store that metadata does not know (a crash between writing the
 *     bytes and recording them, or between forgetting and deleting). The store has no upload
 *     time, so the collector remembers when it first saw each such orphan and deletes it only
 *     when it is still unknown `graceMs` later (in a later run; a restart starts the clock again).
 */
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import { blockAddressKey, type BlockAddress } from '../blocks/block-address.js';
import type { BlockStore } from '../blocks/block-store.js';
import type { BlockLock } from '../blocks/keyed-lock.js';

/**
 * What garbage collection needs from metadata (implemented by the metadata store's block
 * bookkeeping; the method names match it). All of a block's rows are keyed by namespace and id.
 */
export interface BlockReferenceSource {
  /**
   * Up to `limit` blocks with no reference that were recorded before `createdBeforeMs`. Called
   * again after each page is processed; forgotten blocks must no longer be listed.
   */
  listUnreferencedBlocks(createdBeforeMs: number, limit: number): Promise<readonly BlockAddress[]>;
  /**
   * Removes the block's row in one transaction if its refcount is still 0, so no commit can
   * reference it any more; true when removed (the collector then deletes the bytes).
   */
  forgetUnreferencedBlock(namespace: NamespaceId, id: BlockId): Promise<boolean>;
  /** True when metadata has a row for the block, referenced or not. */
  hasBlock(namespace: NamespaceId, id: BlockId): Promise<boolean>;
}

/** Configuration of a GarbageCollector. */
export interface GarbageCollectorOptions {
  readonly blockStore: BlockStore;
  readonly references: BlockReferenceSource;
  /** Unreferenced or unknown blocks younger than this are kept. Default: one day. */
  readonly graceMs?: number;
  /** Blocks asked of metadata per call. Default 500. */
  readonly pageSize?: number;
  /**
   * The per-block lock the upload route holds around "store.put, then record the block". With
   * it, a re-upload of a block cannot interleave with its deletion (without it, a put that
   * finds the bytes still present could be followed by their deletion). One process only.
   */
  readonly blockLock?: BlockLock;
}

/** One run's inputs. */
export interface CollectGarbageOptions {
  readonly nowMs: number;
  /** Whether to walk the whole store for orphans too (slower). Default true. */
  readonly sweepStore?: boolean;
  /** Stops the run between blocks (rejecting with the signal's reason). */
  readonly signal?: AbortSignal;
}

/** What one run did. */
export interface GarbageCollectionReport {
  /** Blocks deleted because their refcount was 0 past the grace period. */
  readonly unreferencedDeleted: number;
  /** Blocks deleted by the sweep: unknown to metadata for at least the grace period. */
  readonly orphansDeleted: number;
  /** Orphans seen but still within their grace period. */
  readonly orphansPending: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Default grace period: an upload commits well within a day. */
export const DEFAULT_GC_GRACE_MS = DAY_MS;

/** Deletes unreferenced and orphaned blocks; keep one instance so orphan sightings persist. */
export class GarbageCollector {
  private readonly blockStore: BlockStore;
  private readonly references: BlockReferenceSource;
  private readonly graceMs: number;
  private readonly pageSize: number;
  private readonly blockLock: BlockLock | undefined;
  /** Orphan key → when a sweep first saw it unknown to metadata (epoch ms). */
  private readonly orphanFirstSeenMs = new Map<string, number>();

  constructor(options: GarbageCollectorOptions) {
    this.blockStore = options.blockStore;
    this.references = options.references;
    this.graceMs = options.graceMs ?? DEFAULT_GC_GRACE_MS;
    this.pageSize = options.pageSize ?? 500;
    this.blockLock = options.blockLock;
  }

  /** One collection run: the refcount pass, then (by default) the sweep. */
  async collect(options: CollectGarbageOptions): Promise<GarbageCollectionReport> {
    const unreferencedDeleted = await this.deleteUnreferenced(options);
    if (options.sweepStore === false) {
      return { unreferencedDeleted, orphansDeleted: 0, orphansPending: 0 };
    }
    return { unreferencedDeleted, ...(await this.sweepOrphans(options)) };
  }

  private async deleteUnreferenced({ nowMs, signal }: CollectGarbageOptions): Promise<number> {
    let deleted = 0;
    for (;;) {
      const page = await this.references.listUnreferencedBlocks(
        nowMs - this.graceMs,
        this.pageSize,
      );
      let deletedInPage = 0;
      for (const block of page) {
        signal?.throwIfAborted();
        const wasDeleted = await this.underLock(block, async () => {
          if (!(await this.references.forgetUnreferencedBlock(block.namespace, block.id))) {
            return false;
          }
          // Crash here: bytes without a row, an orphan the sweep removes later.
          await this.blockStore.delete(block.namespace, block.id);
          return true;
        });
        if (wasDeleted) deletedInPage++;
      }
      deleted += deletedInPage;
      // A page where nothing could be forgotten would come back unchanged: stop, retry next run.
      if (page.length < this.pageSize || deletedInPage === 0) return deleted;
    }
  }

  private async sweepOrphans({
    nowMs,
    signal,
  }: CollectGarbageOptions): Promise<Omit<GarbageCollectionReport, 'unreferencedDeleted'>> {
    const stillOrphans = new Set<string>();
    let orphansDeleted = 0;
    for await (const namespace of this.blockStore.listNamespaces()) {
      // Decide while listing, delete afterwards: a store need not support deletes mid-listing.
      const expired: BlockAddress[] = [];
      for await (const id of this.blockStore.list(namespace)) {
        signal?.throwIfAborted();
        if (await this.references.hasBlock(namespace, id)) continue;
        const key = blockAddressKey({ namespace, id });
        const firstSeenMs = this.orphanFirstSeenMs.get(key) ?? nowMs;
        this.orphanFirstSeenMs.set(key, firstSeenMs);
        stillOrphans.add(key);
        if (nowMs - firstSeenMs >= this.graceMs) expired.push({ namespace, id });
      }
      for (const block of expired) {
        signal?.throwIfAborted();
        const wasDeleted = await this.underLock(block, async () => {
          if (await this.references.hasBlock(block.namespace, block.id)) return false;
          await this.blockStore.delete(block.namespace, block.id);
          return true;
        });
        if (wasDeleted) orphansDeleted++;
        this.orphanFirstSeenMs.delete(blockAddressKey(block));
        stillOrphans.delete(blockAddressKey(block));
      }
    }
    // Sightings of blocks since recorded or removed are stale: forget them.
    for (const key of this.orphanFirstSeenMs.keys()) {
      if (!stillOrphans.has(key)) this.orphanFirstSeenMs.delete(key);
    }
    return { orphansDeleted, orphansPending: stillOrphans.size };
  }

  private underLock<T>(block: BlockAddress, task: () => Promise<T>): Promise<T> {
    return this.blockLock === undefined ? task() : this.blockLock.run(blockAddressKey(block), task);
  }
}
