/**
 * A version's bytes, block by block in file order: a block some local file already holds (its
 * recorded block list says where) is read from disk and verified (fromLocalCopy); every other block is fetched
 * from the server and decoded, which verifies it against its id (SHA-256) and the namespace
 * key. A few fetches run ahead of the writer, so the connection stays busy while memory stays
 * bounded (at most FETCH_AHEAD blocks held).
 */
import {
  BlockBufferPool,
  CHUNK_AVG_BYTES,
  CHUNK_MAX_BYTES,
  decodeBlock,
  hashBlock,
  loadBlockFingerprint,
} from '../blocks/index.js';
import type { BlockId, FileBlock, NamespaceId } from '../protocol/index.js';
import { RemoteError } from '../remote/index.js';
import { isUnchanged, type ExecuteContext } from './execute-context.js';
import type { ItemId } from '../state/index.js';

const FETCH_AHEAD = 4;

/** Where the bytes of one block came from, for the tests and the transfer counters. */
export interface FetchedBlock {
  readonly id: BlockId;
  readonly bytes: Uint8Array;
  /** xxHash64 of the bytes, for the block list the download records. */
  readonly xxhash: string;
  readonly fromDisk: boolean;
  /**
   * Hands the bytes' buffer back for the next blocks once they are written; `bytes` must not be
   * used afterwards. Absent when the bytes are the caller's to keep.
   */
  readonly release?: () => void;
}

/**
 * Blocks of an announced upload (streaming sync): the server waits up to `waitMs` for each one
 * not stored yet; a wait that ends without it asks `stillComing` (is the upload still the same
 * one?) and waits again, or gives up with the server's not_found.
 */
export interface AwaitBlocks {
  readonly waitMs: number;
  readonly stillComing: () => Promise<boolean>;
}

/** Buffers for blocks read from local files: a whole file copied block by block reuses them. */
export function localReadBuffers(): BlockBufferPool {
  return new BlockBufferPool({
    maxBytes: CHUNK_MAX_BYTES,
    retainBytes: 2 * CHUNK_AVG_BYTES,
    maxFree: FETCH_AHEAD + 1,
  });
}

/**
 * The bytes of block `id` from a local file that holds it, verified: by the xxHash64 its list
 * recorded when that file is still as the local tree last saw it (same inode, size and mtime:
 * the list describes it), else by SHA-256 against the id. Undefined when no local file holds it
 * or the bytes are not it.
 */
/** Where a block's bytes lie on this disk. */
interface StreamSource {
  readonly path: string;
  readonly offsetBytes: number;
  readonly sizeBytes: number;
  readonly itemId?: ItemId;
  readonly xxhash?: string | undefined;
}

export async function fromLocalCopy(
  context: ExecuteContext,
  id: BlockId,
  fingerprint: (bytes: Uint8Array) => string,
  buffers?: BlockBufferPool,
): Promise<{ bytes: Uint8Array; xxhash: string; release?: () => void } | undefined> {
  // A synced local file, or the temporary file of a stream (verified by SHA-256: no list).
  const source: StreamSource | undefined =
    context.state.blocks.findLocalSource(id) ?? context.streams?.findBlock(id);
  if (source === undefined || source.sizeBytes > CHUNK_MAX_BYTES) return undefined;
  const buffer = buffers?.acquire();
  const release = buffer === undefined ? undefined : () => buffers!.release(buffer);
  try {
    let into: Uint8Array | undefined;
    if (buffer !== undefined) {
      buffers!.ensureLength(buffer, source.sizeBytes);
      into = new Uint8Array(buffer, 0, source.sizeBytes);
    }
    const row =
      source.itemId === undefined ? undefined : context.state.items.local.get(source.itemId);
    const before = await context.fs.stat(source.path, context.signal);
    const bytes = await context.fs.readRange(
      source.path,
      source.offsetBytes,
      source.sizeBytes,
      context.signal,
      into,
    );
    const after = await context.fs.stat(source.path, context.signal);
    const listHolds =
      source.xxhash !== undefined &&
      row !== undefined &&
      isUnchanged(row, before) &&
      isUnchanged(row, after);
    const xxhash = bytes.length === source.sizeBytes ? fingerprint(bytes) : undefined;
    const isBlock =
      xxhash !== undefined && (listHolds ? xxhash === source.xxhash : hashBlock(bytes) === id);
    if (isBlock) return release === undefined ? { bytes, xxhash } : { bytes, xxhash, release };
  } catch {
    // Unreadable: fetched instead.
  }
  release?.();
  return undefined;
}

async function fetchBlock(
  context: ExecuteContext,
  namespace: NamespaceId,
  key: Uint8Array,
  block: FileBlock,
  fingerprint: (bytes: Uint8Array) => string,
  buffers: BlockBufferPool,
  awaiting: AwaitBlocks | undefined,
): Promise<FetchedBlock> {
  const local = await fromLocalCopy(context, block.id, fingerprint, buffers);
  if (local !== undefined) return { id: block.id, ...local, fromDisk: true };
  const address = { namespace, id: block.id };
  let encoded: Uint8Array;
  for (;;) {
    try {
      encoded = await context.remote.getBlock(
        awaiting === undefined ? address : { ...address, waitMs: awaiting.waitMs },
        context.signal,
      );
      break;
    } catch (error) {
      const notYet = error instanceof RemoteError && error.code === 'not_found';
      if (!notYet || awaiting === undefined || !(await awaiting.stillComing())) throw error;
    }
  }
  await context.throttle('down', encoded.length, context.signal);
  context.report.transferred('down', encoded.length);
  const bytes = decodeBlock(encoded, key, block.id);
  return { id: block.id, bytes, xxhash: fingerprint(bytes), fromDisk: false };
}

/** The blocks of a version in order, each verified. */
export async function* fetchBlocks(
  context: ExecuteContext,
  namespace: NamespaceId,
  blocks: readonly FileBlock[],
  awaiting?: AwaitBlocks,
): AsyncGenerator<FetchedBlock> {
  const key = await context.namespaceKey(namespace, context.signal);
  const fingerprint = await loadBlockFingerprint();
  const buffers = localReadBuffers();
  const pending: Array<Promise<FetchedBlock>> = [];
  let next = 0;
  const fill = () => {
    while (pending.length < FETCH_AHEAD && next < blocks.length) {
      const promise = fetchBlock(
        context,
        namespace,
        key,
        blocks[next++]!,
        fingerprint,
        buffers,
        awaiting,
      );
      promise.catch(() => undefined); // observed when its turn comes
      pending.push(promise);
    }
  };
  fill();
  while (pending.length > 0) {
    const block = await pending.shift()!;
    fill();
    yield block;
  }
}
