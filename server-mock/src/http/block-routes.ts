/**
 * POST /blocks/check, PUT and GET /blocks/{namespace}/{hash}: encoded blocks of one namespace.
 * A PUT is verified before anything is stored (block-uploads.ts); the batches of many blocks are
 * in block-batch-routes.ts.
 */
import type { FastifyInstance } from 'fastify';
import { MAX_ENCODED_BLOCK_BYTES } from 'sync-engine/blocks';
import {
  BLOCK_CONTENT_TYPE,
  MAX_CHECK_HASHES,
  type BlockId,
  type CheckBlocksRequest,
  type CheckBlocksResponse,
  type NamespaceId,
  type PutBlockResponse,
  blockIdSchema,
  namespaceSchema,
} from 'sync-engine/protocol';
import { ServerError } from '../errors.js';
import type { ServerContext } from '../server-context.js';
import { QuotaReservation } from '../transfer/quota-reservation.js';
import { callerOf } from './authenticate.js';
import { requireNamespaceRole, storeUploadedBlock } from './block-uploads.js';
import { authenticatedSchema, errorResponses } from './route-schemas.js';

type BlockParams = { namespace: NamespaceId; hash: BlockId };

const blockParamsSchema = {
  type: 'object',
  properties: { namespace: namespaceSchema, hash: blockIdSchema },
  required: ['namespace', 'hash'],
} as const;

export async function registerBlockRoutes(app: FastifyInstance, ctx: ServerContext) {
  app.addContentTypeParser(
    BLOCK_CONTENT_TYPE,
    { parseAs: 'buffer', bodyLimit: MAX_ENCODED_BLOCK_BYTES },
    (_request, body, done) => done(null, body),
  );

  app.post<{ Body: CheckBlocksRequest }>(
    '/blocks/check',
    {
      schema: {
        summary: 'Which of these blocks the namespace lacks (dedup)',
        ...authenticatedSchema('blocks'),
        body: {
          type: 'object',
          properties: {
            namespace: namespaceSchema,
            hashes: { type: 'array', items: blockIdSchema, maxItems: MAX_CHECK_HASHES },
          },
          required: ['namespace', 'hashes'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: { missing: { type: 'array', items: { type: 'string' } } },
            required: ['missing'],
          },
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request): Promise<CheckBlocksResponse> => {
      const { namespace, hashes } = request.body;
      await requireNamespaceRole(ctx, request, namespace, false);
      return { missing: await ctx.store.findMissingBlocks(namespace, hashes) };
    },
  );

  app.put<{ Params: BlockParams; Body: Buffer }>(
    '/blocks/:namespace/:hash',
    {
      schema: {
        summary: 'Upload one encoded block (idempotent)',
        ...authenticatedSchema('blocks'),
        params: blockParamsSchema,
        response: {
          200: {
            type: 'object',
            properties: { id: { type: 'string' }, stored: { type: 'boolean' } },
            required: ['id', 'stored'],
          },
          ...errorResponses(400, 401, 403, 413, 415, 507),
        },
      },
    },
    async (request): Promise<PutBlockResponse> => {
      const { namespace, hash } = request.params;
      await requireNamespaceRole(ctx, request, namespace, true);
      if (!Buffer.isBuffer(request.body)) {
        throw new ServerError('unsupported_media_type', `send the block as ${BLOCK_CONTENT_TYPE}`);
      }
      const reservation = QuotaReservation.create(ctx, {
        writerId: callerOf(request).user.id,
        label: `namespace ${namespace}`,
      });
      try {
        const block = { namespace, id: hash, encoded: new Uint8Array(request.body) };
        return { id: hash, stored: await storeUploadedBlock(ctx, block, reservation) };
      } finally {
        await reservation.release();
      }
    },
  );

  app.get<{ Params: BlockParams }>(
    '/blocks/:namespace/:hash',
    {
      schema: {
        summary: 'Download one encoded block',
        ...authenticatedSchema('blocks'),
        params: blockParamsSchema,
        response: errorResponses(401, 403, 404),
      },
    },
    async (request, reply) => {
      const { namespace, hash } = request.params;
      await requireNamespaceRole(ctx, request, namespace, false);
      const encoded = (await ctx.store.hasBlock(namespace, hash))
        ? await ctx.blocks.get(namespace, hash)
        : undefined;
      if (!encoded) throw new ServerError('not_found', `namespace has no block ${hash}`);
      await ctx.store.touchBlocks(namespace, [hash], ctx.now());
      return reply.type(BLOCK_CONTENT_TYPE).send(Buffer.from(encoded));
    },
  );
}
