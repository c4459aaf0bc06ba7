/**
 * GET /account (the caller's account and storage use) and GET /keys/{namespace} (a namespace's
 * data key, for users who can see the namespace).
 */
import type { FastifyInstance } from 'fastify';
import type { AccountResponse, NamespaceId, NamespaceKeyResponse } from 'sync-engine/protocol';
import { ServerError } from '../errors.js';
import type { ServerContext } from '../server-context.js';
import { callerOf } from './authenticate.js';
import { viewOf } from './request-paths.js';
import { authenticatedSchema, errorResponses } from './route-schemas.js';
import { namespaceSchema } from 'sync-engine/protocol';

export async function registerAccountRoutes(app: FastifyInstance, ctx: ServerContext) {
  app.get(
    '/account',
    {
      schema: {
        summary: 'The account and its storage use',
        ...authenticatedSchema('account'),
        response: {
          200: {
            type: 'object',
            properties: {
              userId: { type: 'string' },
              email: { type: 'string' },
              name: { type: 'string' },
              usedBytes: { type: 'integer' },
              quotaBytes: { type: 'integer' },
              rootNamespace: { type: 'string' },
            },
            required: ['email', 'name', 'usedBytes', 'quotaBytes'],
          },
          ...errorResponses(401),
        },
      },
    },
    async (request): Promise<AccountResponse> => {
      const { user } = callerOf(request);
      return {
        userId: user.id,
        email: user.email,
        name: user.name,
        usedBytes: await ctx.store.usedBytesOf(user.id),
        quotaBytes: user.quotaBytes,
        rootNamespace: user.rootNamespace,
      };
    },
  );

  app.get<{ Params: { namespace: NamespaceId } }>(
    '/keys/:namespace',
    {
      schema: {
        summary: "A namespace's data key (base64), for users who can see it",
        ...authenticatedSchema('keys'),
        params: {
          type: 'object',
          properties: { namespace: namespaceSchema },
          required: ['namespace'],
        },
        response: {
          200: {
            type: 'object',
            properties: { namespace: { type: 'string' }, key: { type: 'string' } },
            required: ['namespace', 'key'],
          },
          ...errorResponses(401, 403),
        },
      },
    },
    async (request): Promise<NamespaceKeyResponse> => {
      const { namespace } = request.params;
      const view = await viewOf(ctx, request);
      if (view.roleIn(namespace) === undefined) {
        throw new ServerError('forbidden', `no access to namespace ${namespace}`);
      }
      const key = await ctx.keyring.keyOf(namespace);
      return { namespace, key: Buffer.from(key).toString('base64') };
    },
  );
}
