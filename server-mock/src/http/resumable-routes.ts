/**
 * Resumable uploads (SPEC "HTTP API"): POST /files/upload?uploadType=resumable starts a session
 * (session URL in `Location`); PUT <session URL> with `Content-Range: bytes a-b/total` sends a
 * piece (308 + `Range: bytes=0-N` while incomplete, 200 + metadata when done); `bytes *\/total`
 * asks how much arrived. Sessions survive restarts and expire after uploadSessionTtlMs.
 */
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  UPLOAD_CONTENT_LENGTH_HEADER,
  type FileMetadata,
  type RemotePath,
  type Rev,
  fileMetadataSchema,
} from 'sync-engine/protocol';
import type { ResolvedPath } from '../access/user-view.js';
import { assertNever, ServerError } from '../errors.js';
import type { UploadSessionRecord } from '../metadata/upload-session-store.js';
import { createId } from '../new-ids.js';
import type { ServerContext } from '../server-context.js';
import { parseContentRange } from '../transfer/content-range.js';
import {
  appendPiece,
  createStagingFile,
  discardUpload,
  finishUpload,
} from '../transfer/resumable-upload.js';
import { parseDecimalLength } from '../transfer/decimal-header.js';
import { quotaExceededError } from '../transfer/quota-reservation.js';
import { callerOf } from './authenticate.js';
import { viewOf } from './request-paths.js';
import { acceptStreamedBodies, type UploadQuery } from './upload-bodies.js';
import { toFileMetadata } from './wire-entries.js';
import { authenticatedSchema, errorResponses } from './route-schemas.js';

export const UPLOAD_SESSION_ROUTE = '/files/upload/sessions';

/** Starts a session; answers 200 with an empty body and the session URL in Location. */
export async function startResumableUpload(
  ctx: ServerContext,
  input: {
    request: FastifyRequest<{ Querystring: UploadQuery }>;
    reply: FastifyReply;
    target: ResolvedPath;
    userPath: RemotePath;
  },
): Promise<FastifyReply> {
  const { request, reply, target } = input;
  const caller = callerOf(request);
  const total = parseDecimalLength(request.headers[UPLOAD_CONTENT_LENGTH_HEADER]);
  if (total === undefined) {
    throw new ServerError(
      'invalid_request',
      `${UPLOAD_CONTENT_LENGTH_HEADER} must give the file size in bytes as a decimal number`,
    );
  }
  const nowMs = ctx.now();
  const session: UploadSessionRecord = {
    id: createId('upload'),
    userId: caller.user.id,
    deviceId: caller.device.id,
    namespace: target.namespace,
    path: target.path,
    userPath: input.userPath,
    totalBytes: total,
    receivedBytes: 0,
    parentRev: (request.query.parentRev as Rev | undefined) ?? null,
    modifiedMs: request.query.modified ?? nowMs,
    createdMs: nowMs,
    expiresMs: nowMs + ctx.config.uploadSessionTtlMs,
  };
  // The session reserves its size of the quota atomically with its creation: of parallel
  // starts only those that fit open, and an open session is never refused for quota later.
  const created = await ctx.store.createUploadSession(session);
  switch (created.kind) {
    case 'created':
      break;
    case 'quota_exceeded':
      throw quotaExceededError(created);
    case 'no_write_access':
      throw new ServerError('forbidden', `you can no longer write to ${input.userPath}`);
    default:
      assertNever(created);
  }
  try {
    await createStagingFile(ctx.config, session.id);
  } catch (error) {
    await discardUpload(ctx, session.id);
    throw error;
  }
  // Never from the Host header when the server knows its address: a client (or a proxy) must
  // not steer the session URL elsewhere.
  const origin = ctx.publicBaseUrl() ?? `${request.protocol}://${request.host}`;
  // Returned, not only sent: Fastify then knows the handler answered (its onSend hooks are
  // async, so the reply is still going out when the handler's promise settles).
  return reply
    .code(200)
    .header('location', `${origin}${UPLOAD_SESSION_ROUTE}/${session.id}`)
    .send();
}

function sendProgress(reply: FastifyReply, received: number): FastifyReply {
  if (received > 0) reply.header('range', `bytes=0-${received - 1}`);
  return reply.code(308).send();
}

async function sessionFor(ctx: ServerContext, request: FastifyRequest, id: string) {
  const session = await ctx.store.getUploadSession(id);
  // Another user's session looks exactly like a missing one.
  if (!session || session.userId !== callerOf(request).user.id) {
    throw new ServerError('not_found', 'no such upload session');
  }
  // Access may have changed since the session began (a share revoked, a role lowered).
  const role = (await viewOf(ctx, request)).roleIn(session.namespace);
  if (role === undefined) throw new ServerError('not_found', 'no such upload session');
  if (role === 'viewer') throw new ServerError('forbidden', 'you can no longer write there');
  if (session.expiresMs < ctx.now()) {
    await discardUpload(ctx, id);
    throw new ServerError('upload_expired', 'the upload session expired; start again');
  }
  return session;
}

export async function registerResumableRoutes(app: FastifyInstance, ctx: ServerContext) {
  acceptStreamedBodies(app);
  app.put<{ Params: { id: string } }>(
    `${UPLOAD_SESSION_ROUTE}/:id`,
    {
      schema: {
        summary: 'Send a piece of a resumable upload, or ask how much arrived',
        ...authenticatedSchema('files'),
        params: {
          type: 'object',
          properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
          required: ['id'],
        },
        response: {
          200: fileMetadataSchema,
          ...errorResponses(400, 401, 403, 404, 409, 410, 503, 507),
        },
      },
    },
    async (request, reply): Promise<FileMetadata | FastifyReply> => {
      const range = parseContentRange(request.headers['content-range']);
      if (!range)
        throw new ServerError(
          'invalid_upload',
          'Content-Range must be bytes a-b/total or bytes */total',
        );
      // One piece at a time per session: pieces append at the durable offset.
      return ctx.blockLock.run(`upload:${request.params.id}`, async () => {
        let session = await sessionFor(ctx, request, request.params.id);
        if (range.total !== session.totalBytes) {
          throw new ServerError(
            'invalid_upload',
            `total ${range.total} differs from the session's ${session.totalBytes}`,
          );
        }
        if (range.kind === 'piece') {
          if (range.start > session.receivedBytes) {
            throw new ServerError(
              'invalid_upload',
              `piece starts at ${range.start}, but only ${session.receivedBytes} bytes arrived`,
            );
          }
          const declared = request.headers['content-length'];
          if (
            declared !== undefined &&
            parseDecimalLength(declared) !== range.end - range.start + 1
          ) {
            throw new ServerError(
              'invalid_upload',
              'Content-Length differs from the Content-Range',
            );
          }
          const body = (request.body as Readable | undefined) ?? (async function* () {})();
          const received = await appendPiece(ctx, session, {
            body: body as Readable,
            skip: session.receivedBytes - range.start,
            maxBytes: range.end + 1 - session.receivedBytes,
          });
          session = { ...session, receivedBytes: received };
        }
        if (session.receivedBytes < session.totalBytes)
          return sendProgress(reply, session.receivedBytes);
        const stored = await finishUpload(ctx, session);
        return toFileMetadata(stored.entry, stored.target.mountPath);
      });
    },
  );
}
