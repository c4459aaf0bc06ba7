/**
 * Streaming sync, the server's part: an announce may bring the block list that is coming
 * (POST /files/announce `blocks`), kept with the pending file until its commit or expiry, and
 * GET /files/announced_blocks hands it to any member of the namespace, so another device can
 * fetch each block as soon as it is stored (GET /blocks/{namespace}/{id}?waitMs=, block-routes)
 * while the uploader is still sending the rest.
 */
import type { FastifyInstance } from 'fastify';
import { contentHashOf } from 'sync-engine/blocks';
import {
  MAX_BLOCK_PLAIN_BYTES,
  MAX_COMMIT_BLOCKS,
  type AnnouncedBlocksResponse,
  type FileBlock,
  blockIdSchema,
  pathSchema,
} from 'sync-engine/protocol';
import { UserView } from '../access/user-view.js';
import { ServerError } from '../errors.js';
import type { ServerContext } from '../server-context.js';
import { blockListResponseSchema } from './file-block-routes.js';
import { requirePath, viewOf } from './request-paths.js';
import { authenticatedSchema, errorResponses } from './route-schemas.js';

/** JSON schema of an announce's `blocks`: what a commit's block list allows, with sizes. */
export const announcedBlocksSchema = {
  type: 'array',
  maxItems: MAX_COMMIT_BLOCKS,
  items: {
    type: 'object',
    properties: {
      id: blockIdSchema,
      size: { type: 'integer', minimum: 1, maximum: MAX_BLOCK_PLAIN_BYTES },
    },
    required: ['id', 'size'],
    additionalProperties: false,
  },
} as const;

/** Throws invalid_request when announced blocks do not add up to the announced size. */
export function requireBlocksAddUp(blocks: readonly FileBlock[] | undefined, size: number): void {
  if (blocks === undefined) return;
  const total = blocks.reduce((sum, block) => sum + block.size, 0);
  if (total !== size) {
    throw new ServerError(
      'invalid_request',
      `the announced blocks add up to ${total} bytes, not the announced size ${size}`,
    );
  }
}

export async function registerAnnouncedBlockRoutes(app: FastifyInstance, ctx: ServerContext) {
  app.get<{ Querystring: { path: string } }>(
    '/files/announced_blocks',
    {
      schema: {
        ...authenticatedSchema('files'),
        summary: 'The block list a pending upload announced (blocks may still be arriving)',
        querystring: {
          type: 'object',
          properties: { path: pathSchema },
          required: ['path'],
          additionalProperties: false,
        },
        response: { 200: blockListResponseSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request): Promise<AnnouncedBlocksResponse> => {
      const userPath = requirePath(request.query.path);
      const target = (await viewOf(ctx, request)).resolve(userPath);
      const announced =
        target.path === '/'
          ? undefined
          : await ctx.store.getAnnouncedBlocks(target.namespace, target.path);
      if (announced === undefined) {
        throw new ServerError('not_found', `${userPath} is not a pending upload with a block list`);
      }
      const { entry, blocks, modified } = announced;
      return {
        path: UserView.toUserPath(target.mountPath, entry.path),
        fileId: entry.fileId,
        namespace: entry.namespace,
        size: blocks.reduce((sum, block) => sum + block.size, 0),
        contentHash: contentHashOf(blocks.map((block) => block.id)),
        modified,
        blocks,
      };
    },
  );
}
