/**
 * POST /blocks/upload_batch and POST /blocks/download_batch: many encoded blocks of one
 * namespace in one request each, as block frames (sync-engine/protocol block-frames.ts), for
 * trees of many small files (docs/protocol.md "Batches"). Each uploaded block is verified and
 * stored exactly as PUT /blocks/{namespace}/{hash} stores it (block-uploads.ts), several at once
 * so their fsyncs overlap; the answer comes once every one is durable.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { MAX_ENCODED_BLOCK_BYTES } from 'sync-engine/blocks';
import {
  BLOCK_CONTENT_TYPE,
  BlockFrameError,
  BlockFrameReader,
  MAX_BATCH_BLOCKS,
  MAX_BATCH_UPLOAD_BYTES,
  blockFrameHeader,
  blockIdSchema,
  namespaceSchema,
  type BlockFrame,
  type BlockId,
  type DownloadBatchRequest,
  type NamespaceId,
  type UploadBatchResponse,
} from 'sync-engine/protocol';
import { ServerError } from '../errors.js';
import type { ServerContext } from '../server-context.js';
import { QuotaReservation } from '../transfer/quota-reservation.js';
import { callerOf } from './authenticate.js';
import { requireNamespaceRole, storeUploadedBlock } from './block-uploads.js';
import { authenticatedSchema, errorResponses } from './route-schemas.js';

/** Blocks verified and written at once: their fsyncs run side by side in the OS. */
const STORE_CONCURRENCY = 8;

export async function registerBlockBatchRoutes(app: FastifyInstance, ctx: ServerContext) {
  app.addContentTypeParser(
    BLOCK_CONTENT_TYPE,
    { parseAs: 'buffer', bodyLimit: MAX_BATCH_UPLOAD_BYTES },
    (_request, body, done) => done(null, body),
  );
  app.post<{ Querystring: { namespace: NamespaceId }; Body: Buffer }>(
    '/blocks/upload_batch',
    {
      schema: {
        summary: 'Upload many encoded blocks of one namespace (a sequence of block frames)',
        ...authenticatedSchema('blocks'),
        querystring: {
          type: 'object',
          properties: { namespace: namespaceSchema },
          required: ['namespace'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              stored: { type: 'array', items: { type: 'string' } },
              present: { type: 'array', items: { type: 'string' } },
            },
            required: ['stored', 'present'],
          },
          ...errorResponses(400, 401, 403, 413, 415, 507),
        },
      },
    },
    async (request): Promise<UploadBatchResponse> => {
      const { namespace } = request.query;
      await requireNamespaceRole(ctx, request, namespace, true);
      if (!Buffer.isBuffer(request.body)) {
        throw new ServerError('unsupported_media_type', `send the frames as ${BLOCK_CONTENT_TYPE}`);
      }
      let frames: BlockFrame[];
      try {
        const reader = new BlockFrameReader({
          maxFrameBytes: MAX_ENCODED_BLOCK_BYTES,
          maxFrames: MAX_BATCH_BLOCKS,
        });
        frames = reader.push(request.body);
        reader.end();
      } catch (error) {
        if (error instanceof BlockFrameError)
          throw new ServerError('invalid_request', error.message);
        throw error;
      }
      if (frames.length === 0) throw new ServerError('invalid_request', 'no block frames');
      const reservation = QuotaReservation.create(ctx, {
        writerId: callerOf(request).user.id,
        label: `namespace ${namespace}`,
      });
      const stored: boolean[] = frames.map(() => false);
      try {
        let next = 0;
        const worker = async () => {
          while (next < frames.length) {
            const at = next++;
            const { id, encoded } = frames[at]!;
            stored[at] = await storeUploadedBlock(ctx, { namespace, id, encoded }, reservation);
          }
        };
        await Promise.all(
          Array.from({ length: Math.min(STORE_CONCURRENCY, frames.length) }, worker),
        );
      } finally {
        await reservation.release();
      }
      // A block sent twice in one batch is stored once: its second frame finds it present.
      const newly = new Set<BlockId>();
      const present = new Set<BlockId>();
      for (const [at, frame] of frames.entries()) {
        if (stored[at]) newly.add(frame.id);
        else present.add(frame.id);
      }
      for (const id of newly) present.delete(id);
      return { stored: [...newly], present: [...present] };
    },
  );

  app.post<{ Body: DownloadBatchRequest }>(
    '/blocks/download_batch',
    {
      // Reads; its only write is the blocks' access times (durable-replies.ts).
      config: { durable: false },
      schema: {
        summary: 'Download many encoded blocks of one namespace (answered as block frames)',
        ...authenticatedSchema('blocks'),
        body: {
          type: 'object',
          properties: {
            namespace: namespaceSchema,
            ids: { type: 'array', items: blockIdSchema, minItems: 1, maxItems: MAX_BATCH_BLOCKS },
          },
          required: ['namespace', 'ids'],
          additionalProperties: false,
        },
        response: errorResponses(400, 401, 403, 404),
      },
    },
    async (request, reply) => {
      const { namespace, ids } = request.body;
      await requireNamespaceRole(ctx, request, namespace, false);
      // All or nothing: a missing block is found before any byte of the answer goes.
      for (const id of ids) {
        if (!(await ctx.store.hasBlock(namespace, id))) {
          throw new ServerError('block_not_found', `namespace has no block ${id}`, {
            details: { missing: [id] },
          });
        }
      }
      await ctx.store.touchBlocks(namespace, [...new Set(ids)], ctx.now());
      // Read one block at a time as the answer is written: memory holds one block, not the lot.
      async function* frames() {
        for (const id of ids) {
          const encoded = await ctx.blocks.get(namespace, id);
          if (encoded === undefined) throw new Error(`block ${id} vanished while being sent`);
          yield Buffer.from(blockFrameHeader(id, encoded.length));
          yield Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
        }
      }
      return reply.type(BLOCK_CONTENT_TYPE).send(Readable.from(frames()));
    },
  );
}
