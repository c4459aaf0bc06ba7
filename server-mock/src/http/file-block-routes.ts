/**
 * GET /files/blocks: the block list of a file version, so a client downloads only the blocks it
 * does not hold already (GET /blocks/{namespace}/{id}, decoded with that namespace's key). The
 * version is found exactly as GET /files/download finds it (findServedVersion).
 */
import type { FastifyInstance } from 'fastify';
import { type FileBlocksResponse, type Rev, pathSchema, revSchema } from 'sync-engine/protocol';
import type { UserView } from '../access/user-view.js';
import type { ServerContext } from '../server-context.js';
import { layoutBlocks } from '../transfer/download-stream.js';
import { findServedVersion } from './file-history.js';
import { requirePath, viewOf } from './request-paths.js';
import { authenticatedSchema, errorResponses } from './route-schemas.js';

/**
 * OpenAPI/serialisation schema of a block list without a revision: what GET
 * /files/announced_blocks answers for an upload not committed yet (every field, or Fastify
 * drops it).
 */
export const blockListResponseSchema = {
  type: 'object',
  properties: {
    path: { type: 'string' },
    fileId: { type: 'string' },
    namespace: { type: 'string' },
    size: { type: 'integer' },
    contentHash: { type: 'string' },
    modified: { type: 'integer' },
    blocks: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'string' }, size: { type: 'integer' } },
        required: ['id', 'size'],
      },
    },
  },
  required: ['path', 'fileId', 'namespace', 'size', 'contentHash', 'modified', 'blocks'],
} as const;

/** The answer of GET /files/blocks: a block list of one committed version (`rev`). */
export const fileBlocksResponseSchema = {
  type: 'object',
  properties: { ...blockListResponseSchema.properties, rev: { type: 'string' } },
  required: [...blockListResponseSchema.required, 'rev'],
} as const;

/**
 * The block list of `path` (at `rev`) in `view`: GET /files/blocks and each file of
 * POST /files/blocks_batch. Throws invalid_path, not_found, path_conflict as download would.
 */
export async function listFileBlocks(
  ctx: ServerContext,
  view: UserView,
  query: { readonly path: string; readonly rev?: Rev | undefined },
): Promise<FileBlocksResponse> {
  const userPath = requirePath(query.path);
  const target = view.resolve(userPath);
  const version = await findServedVersion(ctx, { target, userPath, rev: query.rev });
  // No touchBlocks: listing reads no block bytes; GET /blocks marks what is really read.
  const spans = await layoutBlocks(ctx.store, version);
  return {
    path: userPath,
    fileId: version.fileId,
    namespace: version.namespace,
    rev: version.rev,
    size: version.size,
    contentHash: version.contentHash,
    modified: version.modifiedMs,
    blocks: spans.map((span) => ({ id: span.id, size: span.size })),
  };
}

export async function registerFileBlockRoutes(app: FastifyInstance, ctx: ServerContext) {
  app.get<{ Querystring: { path: string; rev?: string } }>(
    '/files/blocks',
    {
      schema: {
        ...authenticatedSchema('files'),
        summary: "A file's block list (ids and sizes, in file order); an old revision with rev=",
        querystring: {
          type: 'object',
          properties: { path: pathSchema, rev: revSchema },
          required: ['path'],
          additionalProperties: false,
        },
        response: { 200: fileBlocksResponseSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request): Promise<FileBlocksResponse> =>
      listFileBlocks(ctx, await viewOf(ctx, request), {
        path: request.query.path,
        rev: request.query.rev as Rev | undefined,
      }),
  );
}
