/**
 * POST /files/mkdir, /files/delete and /files/move: tree operations. Delete keeps history (and,
 * asked to, goes only if the file or folder did not change since the caller looked);
 * moves keep file ids (so history follows) and move whole folders in one transaction.
 */
import type { FastifyInstance } from 'fastify';
import {
  isSameOrDescendant,
  type RemotePath,
  entryMetadataSchema,
  pathSchema,
  revSchema,
} from 'sync-engine/protocol';
import type {
  DeleteRequest,
  DeleteResponse,
  EntryMetadata,
  MoveRequest,
  MoveResponse,
  PathRequest,
} from 'sync-engine/protocol';
import { UserView } from '../access/user-view.js';
import {
  accessOutcomeError,
  accessTarget,
  accessTo,
  isAccessOutcome,
} from '../access/write-access.js';
import { assertNever, ServerError } from '../errors.js';
import { cursorSchema, decodeCursorState } from '../journal/user-cursor.js';
import type { ServerContext } from '../server-context.js';
import { unshareIdleFoldersAt } from '../sharing/unshare-folder.js';
import { actorOf } from './authenticate.js';
import { requirePath, viewOf } from './request-paths.js';
import { toEntryMetadata } from './wire-entries.js';
import { authenticatedSchema, errorResponses } from './route-schemas.js';

const common = authenticatedSchema('files');
const pathBody = {
  type: 'object',
  properties: { path: pathSchema },
  required: ['path'],
  additionalProperties: false,
} as const;
const deleteBody = {
  type: 'object',
  properties: { path: pathSchema, rev: revSchema, unchangedSince: cursorSchema },
  required: ['path'],
  additionalProperties: false,
} as const;

/**
 * Where a move happens. A mount point (a shared folder in the caller's root) moves within the
 * root, whatever the caller's role in the share; anything else moves inside one namespace.
 */
function planMove(view: UserView, from: RemotePath, to: RemotePath) {
  const root = view.user.rootNamespace;
  const source = view.resolve(from);
  if (source.path === '/' && source.mountPath === from) {
    const target = view.resolve(to);
    if (target.namespace !== root) {
      throw new ServerError(
        'path_conflict',
        'a shared folder can only move within your own folders',
      );
    }
    const targets = [accessTarget(from, source, false), accessTarget(to, target)];
    return { namespace: root, nsFrom: from, nsTo: to, targets };
  }
  const writable = view.resolveForWrite(from);
  const target = view.resolveForWrite(to);
  if (writable.namespace !== target.namespace || target.path === '/') {
    // Blocks are encrypted per namespace: crossing into or out of a shared folder means
    // re-uploading, which the client does as upload + delete.
    throw new ServerError(
      'path_conflict',
      'cannot move into or out of a shared folder; copy and delete instead',
    );
  }
  const targets = [accessTarget(from, writable), accessTarget(to, target)];
  return { namespace: writable.namespace, nsFrom: writable.path, nsTo: target.path, targets };
}

export async function registerTreeRoutes(app: FastifyInstance, ctx: ServerContext) {
  app.post<{ Body: PathRequest }>(
    '/files/mkdir',
    {
      schema: {
        ...common,
        summary: 'Create a folder (and missing parents); idempotent',
        body: pathBody,
        response: { 200: entryMetadataSchema, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request): Promise<EntryMetadata> => {
      const userPath = requirePath(request.body.path);
      const target = (await viewOf(ctx, request)).resolveEntryForWrite(userPath);
      const actor = actorOf(ctx, request);
      const outcome = await ctx.store.createFolder(
        target.namespace,
        target.path,
        actor,
        accessTo(actor.userId, userPath, target),
      );
      if (isAccessOutcome(outcome)) throw accessOutcomeError(outcome);
      if (outcome.kind === 'path_conflict') throw new ServerError('path_conflict', outcome.message);
      if (outcome.kind === 'invalid_path') {
        throw new ServerError('invalid_path', `${userPath}: ${outcome.message}`);
      }
      return toEntryMetadata(outcome.entry, target.mountPath);
    },
  );

  app.post<{ Body: DeleteRequest }>(
    '/files/delete',
    {
      schema: {
        ...common,
        summary:
          'Delete a file or a folder with its contents (history is kept); optionally only if ' +
          'the file is still at `rev` and nothing at or under the path changed after ' +
          '`unchangedSince` (a cursor)',
        body: deleteBody,
        response: {
          200: {
            type: 'object',
            properties: { path: { type: 'string' }, deleted: { type: 'integer' } },
            required: ['path', 'deleted'],
          },
          ...errorResponses(400, 401, 403, 404, 409, 410),
        },
      },
    },
    async (request): Promise<DeleteResponse> => {
      const userPath = requirePath(request.body.path);
      if (userPath === '/') throw new ServerError('invalid_path', 'cannot delete the root');
      // Decoded before anything is touched: a cursor that is not one of ours changes nothing.
      const { rev, unchangedSince } = request.body;
      const since = unchangedSince === undefined ? undefined : decodeCursorState(unchangedSince);
      const view = await unshareIdleFoldersAt(ctx, {
        view: await viewOf(ctx, request),
        userPath,
        actor: actorOf(ctx, request),
      });
      const target = view.resolveEntryForWrite(userPath);
      const mounts = await ctx.store.listMounts(target.namespace);
      if (mounts.some((m) => isSameOrDescendant(m.path, target.path))) {
        throw new ServerError(
          'path_conflict',
          `${userPath} contains a shared folder: unshare it first`,
        );
      }
      const actor = actorOf(ctx, request);
      const outcome = await ctx.store.deleteEntry(
        target.namespace,
        target.path,
        actor,
        accessTo(actor.userId, userPath, target),
        {
          ...(rev === undefined ? {} : { rev }),
          ...(since === undefined
            ? {}
            : {
                unchangedSince: {
                  after: since.positions.get(target.namespace) ?? 0,
                  prunedMark: since.pruned.get(target.namespace) ?? 0,
                },
              }),
        },
      );
      if (isAccessOutcome(outcome)) throw accessOutcomeError(outcome);
      switch (outcome.kind) {
        case 'deleted':
          break;
        case 'not_found':
          throw new ServerError('not_found', `${userPath} does not exist`);
        case 'path_conflict':
          throw new ServerError('path_conflict', outcome.message);
        case 'rev_conflict':
          throw new ServerError(
            'rev_conflict',
            outcome.currentRev === null
              ? `${userPath} is a folder, not a file at revision ${rev}; nothing was deleted`
              : `${userPath} is at another revision now; nothing was deleted`,
            { details: { currentRev: outcome.currentRev } },
          );
        case 'path_changed':
          throw new ServerError(
            'path_changed',
            `${UserView.toUserPath(target.mountPath, outcome.path)} changed after the cursor; ` +
              'nothing was deleted (read the changes, then decide again)',
          );
        case 'cursor_expired':
          throw new ServerError('cursor_expired', outcome.message);
        default:
          return assertNever(outcome);
      }
      return { path: userPath, deleted: outcome.count };
    },
  );

  app.post<{ Body: MoveRequest }>(
    '/files/move',
    {
      schema: {
        ...common,
        summary: 'Move or rename a file or a folder',
        body: {
          type: 'object',
          properties: { from: pathSchema, to: pathSchema },
          required: ['from', 'to'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              from: { type: 'string' },
              to: { type: 'string' },
              moved: { type: 'integer' },
            },
            required: ['from', 'to', 'moved'],
          },
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request): Promise<MoveResponse> => {
      const from = requirePath(request.body.from, 'from');
      const to = requirePath(request.body.to, 'to');
      if (from === '/' || to === '/') throw new ServerError('invalid_path', 'cannot move the root');
      const view = await viewOf(ctx, request);
      const { namespace, nsFrom, nsTo, targets } = planMove(view, from, to);
      const actor = actorOf(ctx, request);
      const outcome = await ctx.store.moveEntry({
        namespace,
        from: nsFrom,
        to: nsTo,
        actor,
        access: { userId: actor.userId, targets },
      });
      if (isAccessOutcome(outcome)) throw accessOutcomeError(outcome);
      if (outcome.kind === 'not_found')
        throw new ServerError('not_found', `${from} does not exist`);
      if (outcome.kind === 'path_conflict') throw new ServerError('path_conflict', outcome.message);
      if (outcome.kind === 'invalid_path') {
        throw new ServerError('invalid_path', `moving ${from} to ${to}: ${outcome.message}`);
      }
      return { from, to, moved: outcome.count };
    },
  );
}
