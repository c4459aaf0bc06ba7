/**
 * Uploads of many small files together, as one unit of work: each file is read, chunked and
 * encrypted as upload-file.ts does, then the whole batch asks `/blocks/check` once per
 * namespace, sends the missing blocks in a few `/blocks/upload_batch` requests, commits every
 * file in one `/files/commit_batch`, and records the lot in one state transaction (one fsync).
 * Small files are latency-bound: per-file requests and transactions are what make them slow.
 *
 * Each file keeps its own outcome: one that changed while it was read is stale, one the server
 * refuses is settled like a single upload (conflicted copy, new namespace), and an error of one
 * file does not fail the others. Only a failure of a whole request fails the whole batch.
 */
import { encodeFileBlocks, type EncodedFileBlock } from '../blocks/index.js';
import type { Operation } from '../plan/index.js';
import type { BlockId, NamespaceId } from '../protocol/index.js';
import { MAX_CHECK_HASHES } from '../protocol/index.js';
import type { BlockRef } from '../state/index.js';
import { crashPoint } from './crash-points.js';
import { isUnchanged, namespaceFor, type ExecuteContext } from './execute-context.js';
import type { BatchOutcome } from './batch-outcome.js';
import {
  commitRequestOf,
  preparedUpload,
  readFingerprinted,
  refOf,
  recordIntent,
  recordUpload,
  settleRefusedUpload,
  uploadPremise,
  type PreparedUpload,
} from './upload-file.js';

type Upload = Extract<Operation, { kind: 'upload' }>;

/** Files up to this size go in batches; larger ones stream on their own. */
export const BATCH_FILE_MAX_BYTES = 4 * 1024 * 1024;
/** A batch's limits: files, and bytes held in memory (the encoded blocks until sent). */
export const BATCH_MAX_FILES = 200;
export const BATCH_MAX_BYTES = 4 * 1024 * 1024;
/** Blocks per upload request (the server takes up to 4096 and 64 MiB). */
const PUT_MAX_BLOCKS = 1024;
const PUT_MAX_BYTES = 16 * 1024 * 1024;
/** Commits per request (the server takes up to 1000). */
const COMMIT_MAX_FILES = 1000;

interface ReadFile {
  readonly prepared: PreparedUpload;
  readonly encoded: readonly EncodedFileBlock[];
}

/** Reads, chunks and encrypts one file; undefined when it is no longer as planned. */
async function readForUpload(
  context: ExecuteContext,
  operation: Upload,
): Promise<ReadFile | undefined> {
  const local = await uploadPremise(context, operation);
  if (local === undefined) return undefined;
  const namespace = namespaceFor(context, operation.path);
  const key = await context.namespaceKey(namespace, context.signal);
  const fingerprinter = await context.createFingerprinter();
  const encoded: EncodedFileBlock[] = [];
  const source = readFingerprinted(context, operation.path, fingerprinter);
  for await (const block of encodeFileBlocks(source, key)) encoded.push(block);
  const blocks: BlockRef[] = encoded.map(refOf);
  return {
    prepared: preparedUpload({
      operation,
      local,
      namespace,
      blocks,
      fingerprint: fingerprinter.digest(),
    }),
    encoded,
  };
}

function* chunksOf<T>(items: readonly T[], maxItems: number, sizeOf?: (item: T) => number) {
  let chunk: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf?.(item) ?? 0;
    if (chunk.length > 0 && (chunk.length >= maxItems || bytes + size > PUT_MAX_BYTES)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(item);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

/** Sends the blocks of `files` the server lacks, per namespace, in few requests. */
async function sendMissingBlocks(context: ExecuteContext, files: readonly ReadFile[]) {
  const byNamespace = new Map<NamespaceId, Map<BlockId, EncodedFileBlock>>();
  for (const file of files) {
    let blocks = byNamespace.get(file.prepared.namespace);
    if (blocks === undefined) byNamespace.set(file.prepared.namespace, (blocks = new Map()));
    for (const block of file.encoded) blocks.set(block.id, block);
  }
  for (const [namespace, blocks] of byNamespace) {
    const missing: EncodedFileBlock[] = [];
    for (const ids of chunksOf([...blocks.keys()], MAX_CHECK_HASHES)) {
      const lacking = await context.remote.checkBlocks({ namespace, hashes: ids }, context.signal);
      for (const id of lacking) missing.push(blocks.get(id)!);
    }
    for (const chunk of chunksOf(missing, PUT_MAX_BLOCKS, (block) => block.encoded.length)) {
      const bytes = chunk.reduce((sum, block) => sum + block.encoded.length, 0);
      await context.throttle('up', bytes, context.signal);
      await context.remote.putBlocks(
        {
          namespace,
          blocks: chunk.map((block) => ({ id: block.id, encoded: block.encoded })),
        },
        context.signal,
      );
      context.report.transferred('up', bytes);
      crashPoint('upload:between-blocks');
    }
  }
}

/** Uploads `operations` (small files) together; one outcome per operation, in order. */
export async function uploadFiles(
  context: ExecuteContext,
  operations: readonly Upload[],
): Promise<BatchOutcome[]> {
  const outcomes: BatchOutcome[] = operations.map(() => 'stale');
  const read: Array<{ index: number; file: ReadFile }> = [];
  try {
    crashPoint('upload:before-blocks');
    for (const [index, operation] of operations.entries()) {
      try {
        const file = await readForUpload(context, operation);
        if (file !== undefined) read.push({ index, file });
      } catch (error) {
        if (context.signal.aborted) throw error;
        outcomes[index] = { error };
      }
    }
    await sendMissingBlocks(
      context,
      read.map(({ file }) => file),
    );
  } finally {
    for (const { file } of read) for (const block of file.encoded) block.release();
  }
  // Still as read? A file written meanwhile is not committed (the next scan uploads it again).
  const ready: Array<{ index: number; prepared: PreparedUpload }> = [];
  for (const { index, file } of read) {
    const after = await context.fs.stat(file.prepared.operation.path, context.signal);
    if (isUnchanged(file.prepared.local, after)) ready.push({ index, prepared: file.prepared });
  }
  if (ready.length === 0) return outcomes;
  context.state.transaction(() => {
    for (const { prepared } of ready) recordIntent(context, prepared);
  });
  crashPoint('upload:before-commit');
  for (const chunk of chunksOf(ready, COMMIT_MAX_FILES)) {
    const results = await context.remote.commitFiles(
      chunk.map(({ prepared }) => commitRequestOf(prepared)),
      context.signal,
    );
    crashPoint('upload:after-commit');
    const committed = chunk.flatMap((entry, at) => {
      const result = results[at]!;
      return result.kind === 'committed' ? [{ ...entry, file: result.file }] : [];
    });
    context.state.transaction(() => {
      for (const { prepared, file } of committed) recordUpload(context, prepared, file);
    });
    for (const { index, prepared } of committed) {
      outcomes[index] = 'done';
      context.report.synced('upload', prepared.operation.path, { sizeBytes: prepared.sizeBytes });
    }
    for (const [at, { index, prepared }] of chunk.entries()) {
      const result = results[at]!;
      if (result.kind === 'committed') continue;
      try {
        if (result.kind === 'failed') throw result.error;
        outcomes[index] = await settleRefusedUpload(context, prepared, result);
      } catch (error) {
        if (context.signal.aborted) throw error;
        outcomes[index] = { error };
      }
    }
  }
  return outcomes;
}
