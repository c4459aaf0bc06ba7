/**
 * POST /files/upload (simple `uploadType=media` uploads, and the start of resumable ones) and
 * GET /files/download (streamed, with Range and rev=). Bodies are streamed: neither direction
 * ever holds a whole file in memory.
 */
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  CONTENT_HASH_HEADER,
  REV_HEADER,
  type FileMetadata,
  type Rev,
  fileMetadataSchema,
  pathSchema,
  revSchema,
} from 'sync-engine/protocol';
import { ServerError } from '../errors.js';
import type { ServerContext } from '../server-context.js';
import { parseByteRange } from '../transfer/byte-range.js';
import { layoutBlocks, streamFileRange } from '../transfer/download-stream.js';
import { parseDecimalLength } from '../transfer/decimal-header.js';
import { QuotaReservation } from '../transfer/quota-reservation.js';
import { storeAndCommitFile } from '../transfer/store-file.js';
import { actorOf, callerOf } from './authenticate.js';
import { findServedVersion } from './file-history.js';
import { requirePath, viewOf } from './request-paths.js';
import { toFileMetadata } from './wire-entries.js';
import { authenticatedSchema, errorResponses } from './route-schemas.js';
import { startResumableUpload } from './resumable-routes.js';
import { acceptStreamedBodies, type UploadQuery } from './upload-bodies.js';

const common = authenticatedSchema('files');

export async function registerTransferRoutes(app: FastifyInstance, ctx: ServerContext) {
  acceptStreamedBodies(app);

  app.post<{ Querystring: UploadQuery }>(
    '/files/upload',
    {
      schema: {
        ...common,
        summary: 'Simple upload (body = file bytes) or start of a resumable upload',
        querystring: {
          type: 'object',
          properties: {
            uploadType: { type: 'string', enum: ['media', 'resumable'] },
            path: pathSchema,
            parentRev: revSchema,
            modified: { type: 'integer', minimum: 0 },
          },
          required: ['uploadType', 'path'],
          additionalProperties: false,
        },
        response: { 200: fileMetadataSchema, ...errorResponses(400, 401, 403, 409, 503, 507) },
      },
    },
    async (request, reply): Promise<FileMetadata | FastifyReply> => {
      const caller = callerOf(request);
      const userPath = requirePath(request.query.path);
      const target = (await viewOf(ctx, request)).resolveEntryForWrite(userPath);
      if (request.query.uploadType === 'resumable') {
        return startResumableUpload(ctx, { request, reply, target, userPath });
      }
      const reservation = QuotaReservation.create(ctx, {
        writerId: caller.user.id,
        label: userPath,
      });
      try {
        // Refuse what cannot fit before storing anything (dedup may make the real need
        // smaller). Without a length, each block is reserved before it is stored.
        const declared = parseDecimalLength(request.headers['content-length']);
        if (declared !== undefined) await reservation.ensure(target.namespace, declared);
        const body = (request.body as Readable | undefined) ?? (async function* () {})();
        const stored = await storeAndCommitFile(ctx, {
          source: body,
          reservation,
          commit: {
            target,
            userPath,
            modifiedMs: request.query.modified ?? ctx.now(),
            parentRev: (request.query.parentRev as Rev | undefined) ?? null,
            // Without parentRev a simple upload overwrites; with it, first writer wins.
            force: request.query.parentRev === undefined,
            actor: actorOf(ctx, request),
          },
        });
        return toFileMetadata(stored.entry, stored.target.mountPath);
      } finally {
        await reservation.release();
      }
    },
  );

  app.get<{ Querystring: { path: string; rev?: string } }>(
    '/files/download',
    {
      schema: {
        ...common,
        summary: "A file's bytes (Range honoured); an old revision with rev=",
        querystring: {
          type: 'object',
          properties: { path: pathSchema, rev: revSchema },
          required: ['path'],
          additionalProperties: false,
        },
        response: errorResponses(400, 401, 403, 404, 409, 416),
      },
    },
    async (request, reply) => {
      const userPath = requirePath(request.query.path);
      const target = (await viewOf(ctx, request)).resolve(userPath);
      const version = await findServedVersion(ctx, {
        target,
        userPath,
        rev: request.query.rev as Rev | undefined,
      });
      const spans = await layoutBlocks(ctx.store, version);
      const range = parseByteRange(request.headers.range, version.size);
      if (range === 'unsatisfiable') {
        reply.header('content-range', `bytes */${version.size}`);
        throw new ServerError(
          'range_not_satisfiable',
          `cannot serve ${request.headers.range} of ${version.size} bytes`,
        );
      }
      const served = range ?? { start: 0, end: version.size - 1 };
      await ctx.store.touchBlocks(target.namespace, [...new Set(version.blocks)], ctx.now());
      reply
        .header('accept-ranges', 'bytes')
        .header('etag', `"${version.rev}"`)
        .header(REV_HEADER, version.rev)
        .header(CONTENT_HASH_HEADER, version.contentHash)
        .header('content-length', String(Math.max(0, served.end - served.start + 1)))
        .type('application/octet-stream');
      if (range)
        reply
          .code(206)
          .header('content-range', `bytes ${range.start}-${range.end}/${version.size}`);
      if (version.size === 0) return reply.send(Buffer.alloc(0));
      const key = await ctx.keyring.keyOf(target.namespace);
      return reply.send(
        streamFileRange(ctx, { namespace: target.namespace, key, spans, range: served }),
      );
    },
  );
}
