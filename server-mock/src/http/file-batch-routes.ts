/**
 * POST /files/commit_batch and POST /files/blocks_batch: many commits, or many block lists, in
 * one request each (docs/protocol.md "Batches"), for trees of many small files. Each entry is
 * checked and answered exactly as its single route (commit-request.ts with commitBatch,
 * listFileBlocks) would; a failed entry carries that route's status and error body, and the
 * request itself answers 200.
 */
import type { FastifyInstance } from 'fastify';
import {
  MAX_BATCH_COMMITS,
  MAX_BATCH_FILES,
  type CommitBatchEntry,
  type CommitBatchRequest,
  type CommitBatchResponse,
  type FileBlocksBatchEntry,
  type FileBlocksBatchRequest,
  type FileBlocksBatchResponse,
  type Rev,
  fileMetadataSchema,
  parsePath,
  pathSchema,
  revSchema,
} from 'sync-engine/protocol';
import { commitBatch, type CommitBlocksInput } from '../commit/commit-blocks.js';
import { ServerError } from '../errors.js';
import type { ServerContext } from '../server-context.js';
import { actorOf } from './authenticate.js';
import {
  batchEntryErrorSchema,
  entryOf,
  failedEntryOf,
  type FailedEntry,
} from './batch-entries.js';
import { commitBodySchema, commitInputOf } from './commit-request.js';
import { fileBlocksResponseSchema, listFileBlocks } from './file-block-routes.js';
import { viewOf } from './request-paths.js';
import { authenticatedSchema, errorResponses } from './route-schemas.js';
import { toFileMetadata } from './wire-entries.js';

const common = authenticatedSchema('files');

const commitBatchResponseSchema = {
  type: 'object',
  properties: {
    results: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          status: { type: 'integer' },
          file: fileMetadataSchema,
          error: batchEntryErrorSchema,
        },
        required: ['status'],
      },
    },
  },
  required: ['results'],
} as const;

const blocksBatchResponseSchema = {
  type: 'object',
  properties: {
    files: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          status: { type: 'integer' },
          ...fileBlocksResponseSchema.properties,
          error: batchEntryErrorSchema,
        },
        required: ['status'],
      },
    },
  },
  required: ['files'],
} as const;

/** 400 when two commits name the same path (after NFC): their order would decide silently. */
function refuseRepeatedPaths(commits: readonly { readonly path: string }[]): void {
  const seen = new Set<string>();
  for (const [index, commit] of commits.entries()) {
    const parsed = parsePath(commit.path);
    if (!parsed.ok) continue;
    if (seen.has(parsed.path)) {
      throw new ServerError(
        'invalid_request',
        `commits/${index}: ${parsed.path} is committed twice in one batch`,
      );
    }
    seen.add(parsed.path);
  }
}

export async function registerFileBatchRoutes(app: FastifyInstance, ctx: ServerContext) {
  app.post<{ Body: CommitBatchRequest }>(
    '/files/commit_batch',
    {
      schema: {
        ...common,
        summary: 'Many commits in one request and one transaction; a result per commit, in order',
        body: {
          type: 'object',
          properties: {
            commits: {
              type: 'array',
              items: commitBodySchema,
              minItems: 1,
              maxItems: MAX_BATCH_COMMITS,
            },
          },
          required: ['commits'],
          additionalProperties: false,
        },
        response: { 200: commitBatchResponseSchema, ...errorResponses(400, 401, 413) },
      },
    },
    async (request): Promise<CommitBatchResponse> => {
      const { commits } = request.body;
      refuseRepeatedPaths(commits);
      const view = await viewOf(ctx, request);
      const actor = actorOf(ctx, request);
      const results: Array<CommitBatchEntry | undefined> = [];
      const inputs: CommitBlocksInput[] = [];
      const slots: number[] = [];
      for (const commit of commits) {
        try {
          inputs.push(commitInputOf(view, actor, commit));
          slots.push(results.length);
          results.push(undefined);
        } catch (error) {
          results.push(failedEntryOf(error));
        }
      }
      const committed = await commitBatch(ctx, inputs);
      for (const [k, result] of committed.entries()) {
        const input = inputs[k]!;
        results[slots[k]!] =
          result.kind === 'committed'
            ? { status: 200, file: toFileMetadata(result.entry, input.target.mountPath) }
            : failedEntryOf(result.error);
      }
      return { results: results as CommitBatchEntry[] };
    },
  );

  app.post<{ Body: FileBlocksBatchRequest }>(
    '/files/blocks_batch',
    {
      config: { durable: false },
      schema: {
        ...common,
        summary: 'The block lists of many files (GET /files/blocks each); an answer per file',
        body: {
          type: 'object',
          properties: {
            files: {
              type: 'array',
              items: {
                type: 'object',
                properties: { path: pathSchema, rev: revSchema },
                required: ['path'],
                additionalProperties: false,
              },
              minItems: 1,
              maxItems: MAX_BATCH_FILES,
            },
          },
          required: ['files'],
          additionalProperties: false,
        },
        response: { 200: blocksBatchResponseSchema, ...errorResponses(400, 401, 413) },
      },
    },
    async (request): Promise<FileBlocksBatchResponse> => {
      const view = await viewOf(ctx, request);
      const files: FileBlocksBatchEntry[] = [];
      for (const file of request.body.files) {
        const query = { path: file.path, rev: file.rev as Rev | undefined };
        const entry: FileBlocksBatchEntry | FailedEntry = await entryOf(async () => ({
          status: 200 as const,
          ...(await listFileBlocks(ctx, view, query)),
        }));
        files.push(entry);
      }
      return { files };
    },
  );
}
