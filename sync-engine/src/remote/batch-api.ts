/**
 * The batch endpoints (docs/protocol.md "Batches"): many commits, block lists, block uploads and
 * downloads in one request each, for trees of many small files. Each entry of an answer is
 * checked and mapped as its single call's answer would be (file-api.ts, block-api.ts); a failed
 * entry becomes that call's RemoteError, and only a failure of the request fails them all.
 */
import { MAX_ENCODED_BLOCK_BYTES } from '../blocks/index.js';
import {
  BLOCK_CONTENT_TYPE,
  BLOCK_FRAME_HEADER_BYTES,
  BlockFrameError,
  BlockFrameReader,
  MAX_BATCH_BLOCKS,
  blockFrameHeader,
  type BlockId,
  type CommitRequest,
  type FileBlocksResponse,
  type FileMetadata,
  type NamespaceId,
} from '../protocol/index.js';
import { findShapeProblem, type Shape } from './check-shape.js';
import {
  blockListProblem,
  commitResultOf,
  type CommitResult,
  type FileBlocksRequest,
} from './file-api.js';
import type { HttpTransport } from './http-transport.js';
import { RemoteError } from './remote-error.js';
import { errorFromResponse } from './remote-error-mapping.js';
import { errorSchema, fileBlocksSchema, uploadedFileSchema } from './response-schemas.js';

/** A commit of a batch: as commitFile answers, or the error that entry alone failed with. */
export type CommitBatchResult =
  CommitResult | { readonly kind: 'failed'; readonly error: RemoteError };

export interface BatchApi {
  /** One request for many commits (≤ 1000); results in order, each as commitFile's, or 'failed'. */
  commitFiles(
    requests: readonly CommitRequest[],
    signal: AbortSignal,
  ): Promise<readonly CommitBatchResult[]>;
  /** Stores many encoded blocks of one namespace in one request (≤ 4096 blocks, ≤ 64 MiB). */
  putBlocks(
    request: {
      readonly namespace: NamespaceId;
      readonly blocks: readonly { readonly id: BlockId; readonly encoded: Uint8Array }[];
    },
    signal: AbortSignal,
  ): Promise<void>;
  /** Fetches many encoded blocks of one namespace in one request; in the order asked. */
  getBlocks(
    request: { readonly namespace: NamespaceId; readonly ids: readonly BlockId[] },
    signal: AbortSignal,
  ): Promise<readonly Uint8Array[]>;
  /** The block lists of many files in one request; in order, each the list or the error. */
  getFileBlocksBatch(
    requests: readonly FileBlocksRequest[],
    signal: AbortSignal,
  ): Promise<readonly (FileBlocksResponse | RemoteError)[]>;
}

const entries = (name: string): Shape => ({
  type: 'object',
  properties: {
    [name]: {
      type: 'array',
      items: { type: 'object', properties: { status: { type: 'integer' } }, required: ['status'] },
    },
  },
  required: [name],
});
const uploadAnswer: Shape = {
  type: 'object',
  properties: {
    stored: { type: 'array', items: { type: 'string' } },
    present: { type: 'array', items: { type: 'string' } },
  },
  required: ['stored', 'present'],
};

interface Entry {
  readonly status: number;
  readonly [field: string]: unknown;
}

/** A failed entry as the RemoteError its single call would have thrown. */
function entryError(entry: Entry, what: string, nowMs: number): RemoteError {
  const body = { error: entry.error };
  if (entry.status < 400 || findShapeProblem(errorSchema, body) !== undefined) {
    return new RemoteError('invalid_response', `${what}: a malformed batch entry`);
  }
  return errorFromResponse({ status: entry.status, headers: {}, body }, what, nowMs);
}

function answeredInOrder(answers: readonly unknown[], asked: number, what: string): void {
  if (answers.length !== asked) {
    throw new RemoteError(
      'invalid_response',
      `${what}: ${answers.length} answers for ${asked} entries`,
    );
  }
}

export function createBatchApi(transport: HttpTransport): BatchApi {
  return {
    async commitFiles(requests, signal) {
      const what = `commit ${requests.length} files`;
      const answer = await transport.call<{ results: Entry[] }>(
        {
          method: 'POST',
          path: '/files/commit_batch',
          json: { commits: requests },
          timing: 'slow',
          what,
          signal,
        },
        entries('results'),
      );
      answeredInOrder(answer.results, requests.length, what);
      return answer.results.map((entry, at): CommitBatchResult => {
        const request = requests[at]!;
        const entryWhat = `commit ${request.path}`;
        if (entry.status === 200) {
          const problem = findShapeProblem(uploadedFileSchema, entry.file);
          const file = entry.file as FileMetadata;
          if (problem !== undefined || file.size !== request.size || file.path !== request.path) {
            throw new RemoteError('invalid_response', `${entryWhat}: an unexpected answer`);
          }
          return { kind: 'committed', file };
        }
        const error = entryError(entry, entryWhat, Date.now());
        try {
          return commitResultOf(error);
        } catch {
          return { kind: 'failed', error };
        }
      });
    },

    async putBlocks({ namespace, blocks }, signal) {
      const what = `upload ${blocks.length} blocks`;
      const parts: Uint8Array[] = [];
      for (const block of blocks) {
        parts.push(blockFrameHeader(block.id, block.encoded.length), block.encoded);
      }
      const body = Buffer.concat(parts);
      const answer = await transport.call<{ stored: string[]; present: string[] }>(
        {
          method: 'POST',
          path: '/blocks/upload_batch',
          query: { namespace },
          body,
          headers: { 'content-type': BLOCK_CONTENT_TYPE },
          timing: 'slow',
          what,
          signal,
        },
        uploadAnswer,
      );
      const answered = new Set([...answer.stored, ...answer.present]);
      if (blocks.some((block) => !answered.has(block.id))) {
        throw new RemoteError('invalid_response', `${what}: the server left blocks unanswered`);
      }
    },

    async getBlocks({ namespace, ids }, signal) {
      const what = `download ${ids.length} blocks`;
      const response = await transport.send({
        method: 'POST',
        path: '/blocks/download_batch',
        json: { namespace, ids },
        maxResponseBytes: ids.length * (MAX_ENCODED_BLOCK_BYTES + BLOCK_FRAME_HEADER_BYTES),
        timing: 'slow',
        what,
        signal,
      });
      transport.expectStatus(response, what, [200]);
      let frames;
      try {
        const reader = new BlockFrameReader({
          maxFrameBytes: MAX_ENCODED_BLOCK_BYTES,
          maxFrames: Math.min(ids.length, MAX_BATCH_BLOCKS),
        });
        frames = reader.push(response.bytes);
        reader.end();
      } catch (error) {
        if (!(error instanceof BlockFrameError)) throw error;
        throw new RemoteError('invalid_response', `${what}: ${error.message}`);
      }
      answeredInOrder(frames, ids.length, what);
      return frames.map((frame, at) => {
        if (frame.id !== ids[at]) {
          throw new RemoteError(
            'invalid_response',
            `${what}: block ${frame.id} instead of ${ids[at]}`,
          );
        }
        return frame.encoded;
      });
    },

    async getFileBlocksBatch(requests, signal) {
      const what = `list the blocks of ${requests.length} files`;
      const answer = await transport.call<{ files: Entry[] }>(
        {
          method: 'POST',
          path: '/files/blocks_batch',
          json: {
            files: requests.map(({ path, rev }) => (rev === undefined ? { path } : { path, rev })),
          },
          timing: 'slow',
          what,
          signal,
        },
        entries('files'),
      );
      answeredInOrder(answer.files, requests.length, what);
      return answer.files.map((entry, at) => {
        const { path, rev } = requests[at]!;
        const entryWhat = `list the blocks of ${path}${rev ? ` at ${rev}` : ''}`;
        if (entry.status !== 200) return entryError(entry, entryWhat, Date.now());
        const list: Record<string, unknown> = { ...entry };
        delete list.status;
        const shapeProblem = findShapeProblem(fileBlocksSchema, list);
        const problem =
          shapeProblem ?? blockListProblem(list as unknown as FileBlocksResponse, rev);
        if (problem !== undefined) {
          throw new RemoteError('invalid_response', `${entryWhat}: the server sent ${problem}`);
        }
        return list as unknown as FileBlocksResponse;
      });
    },
  };
}
