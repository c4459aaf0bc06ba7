/**
 * POST /shares, GET /shares, PATCH /shares/{id}, DELETE /shares/{id}. The owner shares, changes
 * roles and revokes; a recipient may also DELETE their share to leave it.
 */
import type { FastifyInstance } from 'fastify';
import type {
  CreateShareRequest,
  ListSharesResponse,
  ShareId,
  ShareMetadata,
  UpdateShareRequest,
} from 'sync-engine/protocol';
import { ServerError } from '../errors.js';
import type { ShareRecord } from '../metadata/records.js';
import type { ServerContext } from '../server-context.js';
import { shareFolder } from '../sharing/share-folder.js';
import { unshareFolder } from '../sharing/unshare-folder.js';
import { actorOf, callerOf } from './authenticate.js';
import { requirePath, viewOf } from './request-paths.js';
import { authenticatedSchema, errorResponses } from './route-schemas.js';
import { pathSchema } from 'sync-engine/protocol';

const common = authenticatedSchema('shares');
const roleSchema = { type: 'string', enum: ['viewer', 'editor'] } as const;
const idParams = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
  required: ['id'],
} as const;
const shareSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    namespace: { type: 'string' },
    role: roleSchema,
    ownerEmail: { type: 'string' },
    recipientEmail: { type: 'string' },
    path: { type: 'string' },
    created: { type: 'integer' },
  },
  required: ['id', 'namespace', 'role', 'ownerEmail', 'recipientEmail', 'path', 'created'],
} as const;

/** The share as `viewerId` sees it (path in their own root). */
async function describeShare(
  ctx: ServerContext,
  share: ShareRecord,
  viewerId: string,
): Promise<ShareMetadata> {
  const [owner, recipient] = await Promise.all([
    ctx.store.getUser(share.ownerId),
    ctx.store.getUser(share.recipientId),
  ]);
  const path = await ctx.store.mountPathOf(
    viewerId === share.ownerId ? share.ownerId : share.recipientId,
    share.namespace,
  );
  return {
    id: share.id,
    namespace: share.namespace,
    role: share.role,
    ownerEmail: owner?.email ?? '',
    recipientEmail: recipient?.email ?? '',
    path: path ?? '',
    created: share.createdMs,
  };
}

export async function registerShareRoutes(app: FastifyInstance, ctx: ServerContext) {
  app.post<{ Body: CreateShareRequest }>(
    '/shares',
    {
      schema: {
        ...common,
        summary: 'Share a folder with a user by email',
        body: {
          type: 'object',
          properties: {
            path: pathSchema,
            email: { type: 'string', minLength: 3, maxLength: 254 },
            role: roleSchema,
          },
          required: ['path', 'email', 'role'],
          additionalProperties: false,
        },
        response: { 200: shareSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request): Promise<ShareMetadata> => {
      const userPath = requirePath(request.body.path);
      if (userPath === '/') throw new ServerError('invalid_path', 'cannot share the root');
      const view = await viewOf(ctx, request);
      const share = await shareFolder(ctx, {
        view,
        userPath,
        email: request.body.email,
        role: request.body.role,
        actor: actorOf(ctx, request),
      });
      return describeShare(ctx, share, view.user.id);
    },
  );

  app.get(
    '/shares',
    {
      schema: {
        ...common,
        summary: 'Shares you own and shares you received',
        response: {
          200: {
            type: 'object',
            properties: {
              owned: { type: 'array', items: shareSchema },
              received: { type: 'array', items: shareSchema },
            },
            required: ['owned', 'received'],
          },
          ...errorResponses(401),
        },
      },
    },
    async (request): Promise<ListSharesResponse> => {
      const userId = callerOf(request).user.id;
      const { owned, received } = await ctx.store.listShares(userId);
      return {
        owned: await Promise.all(owned.map((s) => describeShare(ctx, s, userId))),
        received: await Promise.all(received.map((s) => describeShare(ctx, s, userId))),
      };
    },
  );

  app.patch<{ Params: { id: ShareId }; Body: UpdateShareRequest }>(
    '/shares/:id',
    {
      schema: {
        ...common,
        summary: "Change a recipient's role (owner only)",
        params: idParams,
        body: {
          type: 'object',
          properties: { role: roleSchema },
          required: ['role'],
          additionalProperties: false,
        },
        response: { 200: shareSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request): Promise<ShareMetadata> => {
      const userId = callerOf(request).user.id;
      const share = await ctx.store.getShare(request.params.id);
      if (!share || (share.ownerId !== userId && share.recipientId !== userId)) {
        throw new ServerError('not_found', 'no such share');
      }
      if (share.ownerId !== userId)
        throw new ServerError('forbidden', 'only the owner can change roles');
      const outcome = await ctx.store.updateShareRole(
        share.id,
        request.body.role,
        actorOf(ctx, request),
      );
      if (!outcome) throw new ServerError('not_found', 'no such share');
      return describeShare(ctx, outcome.share, userId);
    },
  );

  app.delete<{ Params: { id: ShareId } }>(
    '/shares/:id',
    {
      schema: {
        ...common,
        summary: 'Revoke a share (owner) or leave it (recipient)',
        params: idParams,
        response: {
          200: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
          ...errorResponses(401, 404),
        },
      },
    },
    async (request) => {
      const userId = callerOf(request).user.id;
      const share = await ctx.store.getShare(request.params.id);
      if (!share || (share.ownerId !== userId && share.recipientId !== userId)) {
        throw new ServerError('not_found', 'no such share');
      }
      const outcome = await ctx.store.deleteShare(share.id, actorOf(ctx, request));
      // The last share gone, the folder goes back into the owner's root as a plain folder. The
      // revoke stands if that fails: deleting the folder tries the way back again.
      if (outcome?.remainingShares === 0) {
        try {
          await unshareFolder(ctx, { namespace: share.namespace, actor: actorOf(ctx, request) });
        } catch (error) {
          request.log.warn({ err: error }, 'turning a no longer shared folder back failed');
        }
      }
      return { id: share.id };
    },
  );
}
