/**
 * The embedded default BlockStore: one directory per tier on the local disk. Layout, temp files
 * and the cold format are described in block-paths.ts, durable-files.ts, cold-block-codec.ts and
 * docs/storage.md. Mutations of one block are serialised by a per-block lock inside the process;
 * hot reads take no lock. Meant for one server process per directory pair (several instances
 * share blocks through an object store instead).
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import { blockAddressKey } from './block-address.js';
import {
  assertBlockAddressShape,
  isBlockFileOfShard,
  isShardName,
  isStorableNamespace,
  shardDirOf,
} from './block-paths.js';
import type { BlockStore, BlockTier } from './block-store.js';
import { decodeColdBlock, encodeColdBlock, type ColdCompression } from './cold-block-codec.js';
import {
  ensureDirDurably,
  isNotFound,
  readFileIfExists,
  removeEmptyDirsUpTo,
  syncDir,
  unlinkIfExists,
  writeFileDurably,
} from './durable-files.js';
import { KeyedLock } from './keyed-lock.js';
import { removeAbandonedTempFiles } from './temp-files.js';

/** Attempts of a shard write whose directory a concurrent delete keeps removing (ENOENT). */
const SHARD_WRITE_ATTEMPTS = 5;

/** Where and how LocalDirBlockStore keeps blocks. */
export interface LocalDirBlockStoreOptions {
  /** Directory of the hot tier (created if missing). */
  readonly hotDir: string;
  /** Directory of the cold tier (created if missing); may be on a cheaper, slower disk. */
  readonly coldDir: string;
  /** Whether moveToCold may gzip a block (kept only when smaller). Default `'gzip'`. */
  readonly coldCompression?: ColdCompression;
}

interface BlockLocation {
  readonly key: string;
  readonly hotDir: string;
  readonly coldDir: string;
  readonly hotFile: string;
  readonly coldFile: string;
}

/** BlockStore on a hot and a cold directory; create it with `LocalDirBlockStore.open`. */
export class LocalDirBlockStore implements BlockStore {
  private readonly lock = new KeyedLock();
  private isClosed = false;

  private constructor(
    private readonly hotDir: string,
    private readonly coldDir: string,
    private readonly coldCompression: ColdCompression,
  ) {}

  /**
   * Creates both directories if needed and removes temporary files a crash left behind (they
   * are never visible as blocks, but hold disk space): only abandoned ones (dead owner or older
   * than an hour, see temp-files.ts), so the in-flight writes of another live store on the same
   * directory survive. Startup cost grows with the number of shard directories, not blocks.
   */
  static async open(options: LocalDirBlockStoreOptions): Promise<LocalDirBlockStore> {
    const store = new LocalDirBlockStore(
      options.hotDir,
      options.coldDir,
      options.coldCompression ?? 'gzip',
    );
    for (const root of [options.hotDir, options.coldDir]) {
      await mkdir(root, { recursive: true });
      for (const shardDir of await removeAbandonedTempFiles(root, Date.now())) {
        await syncDir(shardDir);
      }
    }
    return store;
  }

  async put(namespace: NamespaceId, id: BlockId, encoded: Uint8Array): Promise<void> {
    const at = this.locate(namespace, id);
    await this.lock.run(at.key, () =>
      withContext(`put block ${at.key}`, async () => {
        if ((await fileExists(at.hotFile)) || (await fileExists(at.coldFile))) return;
        await writeIntoShard(this.hotDir, at.hotDir, id, encoded);
      }),
    );
  }

  async get(namespace: NamespaceId, id: BlockId): Promise<Uint8Array | undefined> {
    const at = this.locate(namespace, id);
    const hot = await withContext(`read block ${at.key}`, () => readFileIfExists(at.hotFile));
    if (hot !== undefined) return hot;
    // Not hot: it may be cold, or moving between tiers right now; the lock waits for that move.
    return this.lock.run(at.key, () =>
      withContext(`read block ${at.key}`, async () => {
        const hotNow = await readFileIfExists(at.hotFile);
        if (hotNow !== undefined) return hotNow;
        const stored = await readFileIfExists(at.coldFile);
        if (stored === undefined) return undefined;
        const block = await decodeColdBlock(stored);
        // Hot copy durable before the cold one goes: a crash in between leaves both, never none.
        await writeIntoShard(this.hotDir, at.hotDir, id, block);
        await unlinkIfExists(at.coldFile);
        await syncDir(at.coldDir);
        await removeEmptyDirsUpTo(this.coldDir, at.coldDir);
        return block;
      }),
    );
  }

  async tierOf(namespace: NamespaceId, id: BlockId): Promise<BlockTier | undefined> {
    const at = this.locate(namespace, id);
    return withContext(`find block ${at.key}`, async () => {
      // Moves write the new copy before removing the old one, so a block is never in neither.
      if (await fileExists(at.hotFile)) return 'hot';
      if (await fileExists(at.coldFile)) return 'cold';
      return undefined;
    });
  }

  async moveToCold(namespace: NamespaceId, id: BlockId): Promise<void> {
    const at = this.locate(namespace, id);
    await this.lock.run(at.key, () =>
      withContext(`move block ${at.key} to the cold tier`, async () => {
        const block = await readFileIfExists(at.hotFile);
        if (block === undefined) return;
        const stored = await encodeColdBlock(block, this.coldCompression);
        await writeIntoShard(this.coldDir, at.coldDir, id, stored);
        await unlinkIfExists(at.hotFile);
        await syncDir(at.hotDir);
        await removeEmptyDirsUpTo(this.hotDir, at.hotDir);
      }),
    );
  }

  async delete(namespace: NamespaceId, id: BlockId): Promise<void> {
    const at = this.locate(namespace, id);
    await this.lock.run(at.key, () =>
      withContext(`delete block ${at.key}`, async () => {
        // The shard directories go too once empty (a refused upload must leave no trace, and
        // dead shards would slow listings); writers into the same shard retry on ENOENT.
        if (await unlinkIfExists(at.hotFile)) {
          await syncDir(at.hotDir);
          await removeEmptyDirsUpTo(this.hotDir, at.hotDir);
        }
        if (await unlinkIfExists(at.coldFile)) {
          await syncDir(at.coldDir);
          await removeEmptyDirsUpTo(this.coldDir, at.coldDir);
        }
      }),
    );
  }

  /**
   * Block ids of a namespace across both tiers, each once, shard by shard in lexical order.
   * Blocks added or removed during the iteration may or may not appear.
   */
  async *list(namespace: NamespaceId): AsyncIterable<BlockId> {
    this.assertOpen();
    assertBlockAddressShape(namespace);
    const tiers = [join(this.hotDir, namespace), join(this.coldDir, namespace)];
    for (const ab of await unionOfNames(tiers, isShardName)) {
      const abDirs = tiers.map((dir) => join(dir, ab));
      for (const cd of await unionOfNames(abDirs, isShardName)) {
        const shardDirs = abDirs.map((dir) => join(dir, cd));
        const ids = await unionOfNames(shardDirs, (name) => isBlockFileOfShard(name, ab, cd));
        yield* ids as BlockId[];
      }
    }
  }

  /** Namespaces with at least one block in either tier (empty shard directories don't count). */
  async *listNamespaces(): AsyncIterable<NamespaceId> {
    this.assertOpen();
    const names = await unionOfNames([this.hotDir, this.coldDir], isStorableNamespace);
    for (const namespace of names as NamespaceId[]) {
      const blocks = this.list(namespace)[Symbol.asyncIterator]();
      const first = await blocks.next();
      await blocks.return?.();
      if (first.done !== true) yield namespace;
    }
  }

  /** Waits for operations already started, then refuses new ones. Calling it twice is harmless. */
  async close(): Promise<void> {
    this.isClosed = true;
    await this.lock.idle();
  }

  private locate(namespace: NamespaceId, id: BlockId): BlockLocation {
    this.assertOpen();
    assertBlockAddressShape(namespace, id);
    const hotDir = shardDirOf(this.hotDir, namespace, id);
    const coldDir = shardDirOf(this.coldDir, namespace, id);
    return {
      key: blockAddressKey({ namespace, id }),
      hotDir,
      coldDir,
      hotFile: join(hotDir, id),
      coldFile: join(coldDir, id),
    };
  }

  private assertOpen(): void {
    if (this.isClosed) throw new Error('the block store is closed');
  }
}

/** Runs `task`, wrapping a failure in an error that says what was being done (cause kept). */
async function withContext<T>(what: string, task: () => Promise<T>): Promise<T> {
  try {
    return await task();
  } catch (error) {
    throw new Error(`${what}: ${(error as Error).message}`, { cause: error });
  }
}

async function fileExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** Sorted union of the entry names of `dirs` that pass `accept`; a missing dir counts as empty. */
async function unionOfNames(dirs: string[], accept: (name: string) => boolean): Promise<string[]> {
  const names = new Set<string>();
  for (const dir of dirs) {
    for (const name of await readdirIfExists(dir)) if (accept(name)) names.add(name);
  }
  return [...names].sort();
}

async function readdirIfExists(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (isNotFound(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw error;
  }
}

/**
 * Writes a block file durably into its shard directory, creating the directory. Another block's
 * delete may remove the (then empty) directory between the mkdir and the write: retry then.
 */
async function writeIntoShard(
  root: string,
  shardDir: string,
  name: string,
  data: Uint8Array,
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await ensureDirDurably(root, shardDir);
      await writeFileDurably(shardDir, name, data);
      return;
    } catch (error) {
      if (!isNotFound(error) || attempt >= SHARD_WRITE_ATTEMPTS) throw error;
    }
  }
}
