/**
 * POST /blocks/check, PUT and GET /blocks/{namespace}/{hash}: encoded blocks of one namespace.
 * A PUT is verified before anything is stored (block-uploads.ts); the batches of many blocks are
 * in block-batch-routes.ts.
 */
import type { FastifyInstance } from 'fastify';
import { MAX_ENCODED_BLOCK_BYTES } from 'sync-engine/blocks';
import {
  BLOCK_CONTENT_TYPE,
  MAX_BLOCK_WAIT_MS,
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
import { waitForBlock } from '../transfer/block-arrival.js';
import { requireNamespaceRole, storeUploadedBlock } from './block-uploads.js';
import { OpenLongPolls } from './open-long-polls.js';
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
      config: { durable: false },
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
        // A view of the body, not a copy: the copy was one more pass over every uploaded byte,
        // and as much garbage.
        const body = request.body;
        const encoded = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
        const block = { namespace, id: hash, encoded };
        return { id: hash, stored: await storeUploadedBlock(ctx, block, reservation) };
      } finally {
        await reservation.release();
      }
    },
  );

  // Readers waiting for a block (waitMs) are released at once when the server shuts down.
  const openWaits = new OpenLongPolls(ctx.shutdownSignal);

  app.get<{ Params: BlockParams; Querystring: { waitMs?: number } }>(
    '/blocks/:namespace/:hash',
    {
      schema: {
        summary: 'Download one encoded block; with waitMs, wait that long for it to be stored',
        ...authenticatedSchema('blocks'),
        params: blockParamsSchema,
        querystring: {
          type: 'object',
          properties: { waitMs: { type: 'integer', minimum: 0, maximum: MAX_BLOCK_WAIT_MS } },
          additionalProperties: false,
        },
        response: errorResponses(400, 401, 403, 404),
      },
    },
    async (request, reply) => {
      const { namespace, hash } = request.params;
      await requireNamespaceRole(ctx, request, namespace, false);
      const waitMs = request.query.waitMs ?? 0;
      let present = await ctx.store.hasBlock(namespace, hash);
      if (!present && waitMs > 0) {
        // A block of an announced upload not stored yet: wait for it (bounded), so the reader
        // gets it the moment it lands instead of asking again and again.
        const done = new AbortController();
        const onClose = () => done.abort();
        reply.raw.once('close', onClose);
        const forget = openWaits.add(onClose);
        try {
          present = await waitForBlock(ctx, {
            namespace,
            id: hash,
            timeoutMs: waitMs,
            signal: done.signal,
          });
        } finally {
          reply.raw.off('close', onClose);
          forget();
        }
      }
      const encoded = present ? await ctx.blocks.get(namespace, hash) : undefined;
      if (!encoded) throw new ServerError('not_found', `namespace has no block ${hash}`);
      await ctx.store.touchBlocks(namespace, [hash], ctx.now());
      return reply.type(BLOCK_CONTENT_TYPE).send(Buffer.from(encoded));
    },
  );
}
