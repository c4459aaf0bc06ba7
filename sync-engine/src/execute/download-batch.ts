/**
 * Downloads of many small files together, as one unit of work: one `/files/blocks_batch` for
 * their block lists, blocks no local file holds fetched per namespace in a few
 * `/blocks/download_batch` requests (each decoded, so verified), each file written and placed
 * as download-file.ts does (a few at once, so their fsyncs overlap), and the lot recorded in one
 * state transaction. Each file keeps its own outcome, as in upload-batch.ts.
 */
import { decodeBlock, loadBlockFingerprint } from '../blocks/index.js';
import type { Operation } from '../plan/index.js';
import type { BlockId, FileBlocksResponse, NamespaceId } from '../protocol/index.js';
import { RemoteError } from '../remote/index.js';
import type { BatchOutcome } from './batch-outcome.js';
import {
  downloadPremise,
  placeDownload,
  recordDownload,
  type DownloadPremise,
  type PlacedDownload,
} from './download-file.js';
import type { ExecuteContext } from './execute-context.js';
import { fromLocalCopy, type FetchedBlock } from './fetch-blocks.js';

type Download = Extract<Operation, { kind: 'download' }>;

/** Listings per request (the server takes up to 1000). */
const LIST_MAX_FILES = 1000;
/** Blocks per fetch request (the server takes up to 4096), and their plaintext bytes. */
const GET_MAX_BLOCKS = 1024;
const GET_MAX_BYTES = 16 * 1024 * 1024;
/** Files written at once: their fsyncs run side by side in the OS. */
const WRITE_CONCURRENCY = 8;

interface Listed {
  readonly index: number;
  readonly premise: DownloadPremise;
  readonly listing: FileBlocksResponse;
}

/** Every block the listed files need, as plaintext: from local copies, else from the server. */
async function gatherBlocks(
  context: ExecuteContext,
  listed: readonly Listed[],
): Promise<Map<BlockId, FetchedBlock>> {
  const found = new Map<BlockId, FetchedBlock>();
  const fingerprint = await loadBlockFingerprint();
  const wanted = new Map<NamespaceId, Map<BlockId, number>>();
  for (const { listing } of listed) {
    for (const block of listing.blocks) {
      if (found.has(block.id)) continue;
      const local = await fromLocalCopy(context, block.id, fingerprint);
      if (local !== undefined) {
        found.set(block.id, { id: block.id, ...local, fromDisk: true });
        continue;
      }
      let ids = wanted.get(listing.namespace);
      if (ids === undefined) wanted.set(listing.namespace, (ids = new Map()));
      ids.set(block.id, block.size);
    }
  }
  for (const [namespace, ids] of wanted) {
    const key = await context.namespaceKey(namespace, context.signal);
    let chunk: BlockId[] = [];
    let bytes = 0;
    const fetchChunk = async () => {
      const encoded = await context.remote.getBlocks({ namespace, ids: chunk }, context.signal);
      for (const [at, id] of chunk.entries()) {
        const block = encoded[at]!;
        await context.throttle('down', block.length, context.signal);
        context.report.transferred('down', block.length);
        const plain = decodeBlock(block, key, id);
        found.set(id, { id, bytes: plain, xxhash: fingerprint(plain), fromDisk: false });
      }
      chunk = [];
      bytes = 0;
    };
    for (const [id, size] of ids) {
      if (chunk.length > 0 && (chunk.length >= GET_MAX_BLOCKS || bytes + size > GET_MAX_BYTES))
        await fetchChunk();
      chunk.push(id);
      bytes += size;
    }
    if (chunk.length > 0) await fetchChunk();
  }
  return found;
}

/** Downloads `operations` (small files) together; one outcome per operation, in order. */
export async function downloadFiles(
  context: ExecuteContext,
  operations: readonly Download[],
): Promise<BatchOutcome[]> {
  const outcomes: BatchOutcome[] = operations.map(() => 'stale');
  const premises: Array<{ index: number; premise: DownloadPremise }> = [];
  for (const [index, operation] of operations.entries()) {
    try {
      const premise = await downloadPremise(context, operation);
      if (premise !== undefined) premises.push({ index, premise });
    } catch (error) {
      if (context.signal.aborted) throw error;
      outcomes[index] = { error };
    }
  }
  const listed: Listed[] = [];
  for (let start = 0; start < premises.length; start += LIST_MAX_FILES) {
    const chunk = premises.slice(start, start + LIST_MAX_FILES);
    const listings = await context.remote.getFileBlocksBatch(
      chunk.map(({ premise }) => ({ path: premise.remote.path, rev: premise.remote.rev })),
      context.signal,
    );
    for (const [at, { index, premise }] of chunk.entries()) {
      const listing = listings[at]!;
      if (listing instanceof RemoteError) outcomes[index] = { error: listing };
      else listed.push({ index, premise, listing });
    }
  }
  const blocks = await gatherBlocks(context, listed);

  const placed: Array<{ index: number; placed: PlacedDownload }> = [];
  let next = 0;
  const writer = async () => {
    while (next < listed.length) {
      const { index, premise, listing } = listed[next++]!;
      try {
        const done = await placeDownload(
          context,
          premise,
          listing.size,
          listing.blocks.map((block) => blocks.get(block.id)!),
        );
        if (done !== undefined) placed.push({ index, placed: done });
      } catch (error) {
        if (context.signal.aborted) throw error;
        outcomes[index] = { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, listed.length) }, writer));
  context.state.transaction(() => {
    for (const entry of placed) recordDownload(context, entry.placed);
  });
  for (const { index, placed: done } of placed) {
    outcomes[index] = 'done';
    context.report.synced('download', done.premise.operation.path, { sizeBytes: done.sizeBytes });
  }
  return outcomes;
}
