/**
 * A version's bytes, block by block in file order: a block some local file already holds (its
 * recorded block list says where) is read from disk and re-hashed; every other block is fetched
 * from the server and decoded, which verifies it against its id (SHA-256) and the namespace
 * key. A few fetches run ahead of the writer, so the connection stays busy while memory stays
 * bounded (at most FETCH_AHEAD blocks held).
 */
import { decodeBlock, hashBlock } from '../blocks/index.js';
import type { BlockId, FileBlock, NamespaceId } from '../protocol/index.js';
import { RemoteError } from '../remote/index.js';
import type { ExecuteContext } from './execute-context.js';

const FETCH_AHEAD = 4;

/** Where the bytes of one block came from, for the tests and the transfer counters. */
export interface FetchedBlock {
  readonly id: BlockId;
  readonly bytes: Uint8Array;
  readonly fromDisk: boolean;
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

export async function fromLocalCopy(
  context: ExecuteContext,
  id: BlockId,
): Promise<Uint8Array | undefined> {
  const source = context.state.blocks.findLocalSource(id) ?? context.streams?.findBlock(id);
  if (source === undefined) return undefined;
  try {
    const bytes = await context.fs.readRange(
      source.path,
      source.offsetBytes,
      source.sizeBytes,
      context.signal,
    );
    return bytes.length === source.sizeBytes && hashBlock(bytes) === id ? bytes : undefined;
  } catch {
    return undefined;
  }
}

async function fetchBlock(
  context: ExecuteContext,
  namespace: NamespaceId,
  key: Uint8Array,
  block: FileBlock,
  awaiting: AwaitBlocks | undefined,
): Promise<FetchedBlock> {
  const local = await fromLocalCopy(context, block.id);
  if (local !== undefined) return { id: block.id, bytes: local, fromDisk: true };
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
  return { id: block.id, bytes: decodeBlock(encoded, key, block.id), fromDisk: false };
}

/** The blocks of a version in order, each verified. */
export async function* fetchBlocks(
  context: ExecuteContext,
  namespace: NamespaceId,
  blocks: readonly FileBlock[],
  awaiting?: AwaitBlocks,
): AsyncGenerator<FetchedBlock> {
  const key = await context.namespaceKey(namespace, context.signal);
  const pending: Array<Promise<FetchedBlock>> = [];
  let next = 0;
  const fill = () => {
    while (pending.length < FETCH_AHEAD && next < blocks.length) {
      const promise = fetchBlock(context, namespace, key, blocks[next++]!, awaiting);
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
