/**
 * Uploads of large files, announced first (streaming sync, docs/protocol.md): the file is read
 * once to list its blocks (chunked and hashed, nothing encoded) and the list is announced, so
 * other devices fetch each block as soon as it is stored (announced-streams.ts). The upload then
 * sends from that list (encodeListedBlocks): each block the server lacks is read again by range,
 * checked against the xxHash64 listed and encoded under the listed id, so the chunker and SHA-256
 * run once per file, not twice. An edit is listed against its synced version (chunk-against.ts):
 * an unchanged block costs a read and an xxHash64, keeps its id and is not sent.
 *
 * What keeps the list true to the file: every block sent is checked against it as it is read, and
 * the file's stat before the listing must still hold after the last block (upload-file.ts). A
 * block that changed ends the send with 'changed'; the caller then uploads the file as it reads
 * it now, never committing a list that differs from the bytes sent.
 */
import {
  chunkAgainst,
  encodeListedBlocks,
  hashBlock,
  listFileBlocks,
  ListedBlockChangedError,
  type EncodedFileBlock,
  type ListedBlock,
} from '../blocks/index.js';
import type { BlockId, NamespaceId } from '../protocol/index.js';
import { MAX_CHECK_HASHES } from '../protocol/index.js';
import type { LocalItem } from '../state/index.js';
import type { Operation } from '../plan/index.js';
import { sendBlock } from './send-block.js';
import { blocksToEditFrom } from './edited-blocks.js';
import type { ExecuteContext } from './execute-context.js';

type Upload = Extract<Operation, { kind: 'upload' }>;

/** Encoded blocks being sent at once: each holds its buffer until the server has stored it. */
const PUTS_IN_FLIGHT = 4;

/** A block of the listed file; `known` when it is its synced version's (on the server already). */
export interface ListedFileBlock extends ListedBlock {
  readonly known: boolean;
}

/** The file as listed: its blocks and its fingerprint (xxHash64 of the whole file). */
export interface FileList {
  readonly blocks: readonly ListedFileBlock[];
  readonly fingerprint: string;
}

/** Reads the file once and lists its blocks (against its synced version for an edit). */
export async function listFile(
  context: ExecuteContext,
  operation: Upload,
  local: LocalItem,
  namespace: NamespaceId,
): Promise<FileList> {
  const fingerprinter = await context.createFingerprinter();
  const blocks: ListedFileBlock[] = [];
  const previous = blocksToEditFrom(context, operation, namespace);
  if (previous !== undefined) {
    const read = (offset: number, length: number, into: Uint8Array) =>
      context.fs.readRange(operation.path, offset, length, context.signal, into);
    for await (const block of chunkAgainst(read, local.sizeBytes, previous)) {
      fingerprinter.update(block.bytes);
      const id = block.reused ? block.id : hashBlock(block.bytes);
      const { offset, size, xxhash } = block;
      blocks.push({ offset, size, id, xxhash, known: block.reused });
    }
  } else {
    const source = context.fs.readFile(operation.path, context.signal);
    const fingerprinted = (async function* () {
      for await (const chunk of source) {
        fingerprinter.update(chunk);
        yield chunk;
      }
    })();
    for await (const block of listFileBlocks(fingerprinted))
      blocks.push({ ...block, known: false });
  }
  return { blocks, fingerprint: fingerprinter.digest() };
}

/** Announces the listed file: pending until its commit, its blocks fetchable as they come. */
export async function announceList(
  context: ExecuteContext,
  operation: Upload,
  local: LocalItem,
  list: FileList,
): Promise<void> {
  await context.remote.announceFile(
    {
      path: operation.path,
      size: list.blocks.reduce((sum, block) => sum + block.size, 0),
      modified: Math.round(local.mtimeMs),
      blocks: list.blocks.map(({ id, size }) => ({ id, size })),
    },
    context.signal,
  );
}

/** The blocks of `blocks` the server lacks, each id once, in file order. */
export async function missingOf(
  context: ExecuteContext,
  namespace: NamespaceId,
  blocks: readonly ListedBlock[],
): Promise<ListedBlock[]> {
  const unique = new Map<BlockId, ListedBlock>();
  for (const block of blocks) if (!unique.has(block.id)) unique.set(block.id, block);
  const ids = [...unique.keys()];
  const missing = new Set<BlockId>();
  for (let at = 0; at < ids.length; at += MAX_CHECK_HASHES) {
    const hashes = ids.slice(at, at + MAX_CHECK_HASHES);
    for (const id of await context.remote.checkBlocks({ namespace, hashes }, context.signal)) {
      missing.add(id);
    }
  }
  return [...unique.values()].filter((block) => missing.has(block.id));
}

async function putBlock(
  context: ExecuteContext,
  namespace: NamespaceId,
  block: EncodedFileBlock,
): Promise<void> {
  try {
    await sendBlock(context, namespace, block);
  } finally {
    block.release();
  }
}

/**
 * Encodes `blocks` from the file at `path` (each checked against the list as it is read) and
 * sends them, a few at a time while the next ones are read and encoded. 'changed' when a block's
 * bytes are no longer the listed ones (what was sent before stays: valid blocks, only unused).
 */
export async function sendListed(
  context: ExecuteContext,
  path: string,
  namespace: NamespaceId,
  key: Uint8Array,
  blocks: readonly ListedBlock[],
): Promise<'sent' | 'changed'> {
  const read = (offset: number, length: number, into: Uint8Array) =>
    context.fs.readRange(path, offset, length, context.signal, into);
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const options = context.codec === undefined ? {} : { pool: context.codec };
  try {
    for await (const block of encodeListedBlocks(read, blocks, key, options)) {
      if (failure !== undefined) {
        block.release();
        break;
      }
      const put: Promise<void> = putBlock(context, namespace, block)
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => running.delete(put));
      running.add(put);
      while (running.size >= PUTS_IN_FLIGHT) await Promise.race(running);
    }
  } catch (error) {
    await Promise.all(running);
    if (error instanceof ListedBlockChangedError && !context.signal.aborted) return 'changed';
    throw error;
  }
  await Promise.all(running);
  if (failure !== undefined) throw failure.error;
  return 'sent';
}
