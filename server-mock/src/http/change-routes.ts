/**
 * The journal: GET /changes/latest_cursor, GET /changes, GET /notifications/longpoll, and the
 * user-facing GET /activity. One cursor covers every namespace the user can see
 * (journal/user-cursor.ts), so one long-poll serves them all. A long-poll also ends, with 401,
 * when its device is signed out.
 */
import type { FastifyInstance } from 'fastify';
import {
  DEFAULT_ACTIVITY_LIMIT,
  DEFAULT_CHANGES_LIMIT,
  DEFAULT_LONGPOLL_TIMEOUT_S,
  MAX_ACTIVITY_LIMIT,
  MAX_CHANGES_LIMIT,
  MAX_LONGPOLL_TIMEOUT_S,
  MIN_LONGPOLL_TIMEOUT_S,
  type ActivityCursor,
  type ActivityResponse,
  type ChangesResponse,
  type Cursor,
  type LatestCursorResponse,
  type LongPollResponse,
} from 'sync-engine/protocol';
import { UserView } from '../access/user-view.js';
import { signOutTopic } from '../auth/device-sessions.js';
import { ServerError } from '../errors.js';
import { hasChangesSince, latestCursor, readChanges } from '../journal/read-changes.js';
import { cursorSchema, decodeCursor } from '../journal/user-cursor.js';
import { waitForChange } from '../notify/index.js';
import type { ServerContext } from '../server-context.js';
import { callerOf } from './authenticate.js';
import { OpenLongPolls } from './open-long-polls.js';
import { viewOf } from './request-paths.js';
import { authenticatedSchema, errorResponses } from './route-schemas.js';

const common = authenticatedSchema('changes');

export async function registerChangeRoutes(app: FastifyInstance, ctx: ServerContext) {
  const openPolls = new OpenLongPolls(ctx.shutdownSignal);
  app.get(
    '/changes/latest_cursor',
    {
      config: { durable: true },
      schema: {
        ...common,
        summary: 'The cursor a new device starts listening from',
        response: {
          200: { type: 'object', properties: { cursor: { type: 'string' } }, required: ['cursor'] },
          ...errorResponses(401),
        },
      },
    },
    async (request): Promise<LatestCursorResponse> => ({
      cursor: await latestCursor(ctx.store, await viewOf(ctx, request)),
    }),
  );

  app.get<{ Querystring: { cursor: string; limit?: number } }>(
    '/changes',
    {
      config: { durable: true },
      schema: {
        ...common,
        summary: 'Journal entries since a cursor (410 when the cursor is too old)',
        querystring: {
          type: 'object',
          properties: {
            cursor: cursorSchema,
            limit: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_CHANGES_LIMIT,
              default: DEFAULT_CHANGES_LIMIT,
            },
          },
          required: ['cursor'],
          additionalProperties: false,
        },
        response: errorResponses(400, 401, 410),
      },
    },
    async (request): Promise<ChangesResponse> =>
      readChanges(ctx.store, callerOf(request).user, {
        cursor: request.query.cursor,
        limit: request.query.limit ?? DEFAULT_CHANGES_LIMIT,
      }),
  );

  app.get<{ Querystring: { cursor: string; timeout?: number } }>(
    '/notifications/longpoll',
    {
      schema: {
        ...common,
        summary: "Wait until the user's journal passes the cursor, or the timeout (seconds)",
        querystring: {
          type: 'object',
          properties: {
            cursor: cursorSchema,
            timeout: {
              type: 'integer',
              minimum: MIN_LONGPOLL_TIMEOUT_S,
              maximum: MAX_LONGPOLL_TIMEOUT_S,
              default: DEFAULT_LONGPOLL_TIMEOUT_S,
            },
          },
          required: ['cursor'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: { changes: { type: 'boolean' }, backoff: { type: 'integer' } },
            required: ['changes'],
          },
          ...errorResponses(400, 401),
        },
      },
    },
    async (request, reply): Promise<LongPollResponse> => {
      const cursor = request.query.cursor as Cursor;
      decodeCursor(cursor);
      const view = await viewOf(ctx, request);
      const { device } = callerOf(request);
      // A sign-out of this device publishes on its own topic and wakes the wait; checked once
      // more after subscribing (in isNewer), so a sign-out since authentication is not missed.
      const isSignedOut = async () => {
        const current = await ctx.store.getDevice(device.id);
        return current === undefined || current.revokedMs !== null;
      };
      // Ends the wait when the client goes away or the server shuts down.
      const done = new AbortController();
      const onClose = () => done.abort();
      reply.raw.once('close', onClose);
      const forget = openPolls.add(onClose);
      ctx.metrics.longPolls.inc();
      try {
        const changes = await waitForChange({
          bus: ctx.bus,
          topics: [...view.namespaces(), signOutTopic(device.id)],
          isNewer: async () => (await isSignedOut()) || hasChangesSince(ctx.store, view, cursor),
          timeoutMs: (request.query.timeout ?? DEFAULT_LONGPOLL_TIMEOUT_S) * 1000,
          signal: done.signal,
        });
        if (changes && (await isSignedOut())) {
          throw new ServerError('unauthorized', 'this device was signed out; sign in again');
        }
        // At shutdown, tell the client to come back a little later (to another instance).
        return ctx.shutdownSignal.aborted && !changes
          ? { changes: false, backoff: 1 }
          : { changes };
      } finally {
        ctx.metrics.longPolls.dec();
        reply.raw.off('close', onClose);
        forget();
      }
    },
  );

  app.get<{ Querystring: { cursor?: string; limit?: number } }>(
    '/activity',
    {
      schema: {
        ...common,
        tags: ['activity'],
        summary: 'Who edited, deleted, moved or shared what, oldest first after the cursor',
        querystring: {
          type: 'object',
          properties: {
            cursor: { type: 'string', pattern: '^[0-9]{1,15}$' },
            limit: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_ACTIVITY_LIMIT,
              default: DEFAULT_ACTIVITY_LIMIT,
            },
          },
          additionalProperties: false,
        },
        response: errorResponses(400, 401),
      },
    },
    async (request): Promise<ActivityResponse> => {
      const view: UserView = await viewOf(ctx, request);
      const after = Number(request.query.cursor ?? '0');
      const limit = request.query.limit ?? DEFAULT_ACTIVITY_LIMIT;
      const events = await ctx.store.listEvents(view.namespaces(), after, limit + 1);
      const page = events.slice(0, limit);
      const last = page[page.length - 1];
      return {
        events: page.map((e) => {
          const mountPath = view.mountPathOf(e.namespace);
          if (mountPath === undefined)
            throw new ServerError('internal_error', 'event of an invisible namespace');
          return {
            id: e.id,
            kind: e.kind,
            path: UserView.toUserPath(mountPath, e.path),
            ...(e.fromPath ? { fromPath: UserView.toUserPath(mountPath, e.fromPath) } : {}),
            namespace: e.namespace,
            actor: e.actorName,
            actorId: e.actorId,
            deviceName: e.deviceName,
            time: e.timeMs,
          };
        }),
        cursor: String(last?.id ?? after) as ActivityCursor,
        hasMore: events.length > limit,
      };
    },
  );
}
