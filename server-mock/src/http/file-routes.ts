/**
 * POST /files/commit (its body: commit-request.ts), POST /files/announce, GET /files/list, GET /files/list_revisions,
 * POST /files/restore.
 */
import type { FastifyInstance } from 'fastify';
import {
  DEFAULT_REVISIONS_LIMIT,
  MAX_REVISIONS_LIMIT,
  type AnnounceRequest,
  type CommitRequest,
  type EntryMetadata,
  type FileId,
  type FileMetadata,
  type ListResponse,
  type ListRevisionsResponse,
  type RestoreRequest,
  type Rev,
  entryMetadataSchema,
  fileIdSchema,
  fileMetadataSchema,
  pathSchema,
  revSchema,
} from 'sync-engine/protocol';
import type { UserView } from '../access/user-view.js';
import { accessOutcomeError, accessTo, isAccessOutcome } from '../access/write-access.js';
import { ServerError } from '../errors.js';
import type { ServerContext } from '../server-context.js';
import { commitBlocks } from '../commit/commit-blocks.js';
import { actorOf } from './authenticate.js';
import { commitBodySchema, commitInputOf } from './commit-request.js';
import { findRevisionAt, listPathHistory, listRevisionsResponseSchema } from './file-history.js';
import { requirePath, viewOf } from './request-paths.js';
import { toEntryMetadata, toFileMetadata } from './wire-entries.js';
import { authenticatedSchema, errorResponses } from './route-schemas.js';
import { announcedBlocksSchema, requireBlocksAddUp } from './announced-blocks.js';

const common = authenticatedSchema('files');

/** Lists a folder of the caller's view, descending into mounted shares when recursive. */
export async function listFolder(
  ctx: ServerContext,
  view: UserView,
  userPath: string,
  recursive: boolean,
): Promise<EntryMetadata[]> {
  const target = view.resolve(requirePath(userPath));
  if (target.path !== '/') {
    const entry = await ctx.store.getEntry(target.namespace, target.path);
    if (!entry) throw new ServerError('not_found', `${userPath} does not exist`);
    if (!entry.isDir) throw new ServerError('path_conflict', `${userPath} is a file, not a folder`);
  }
  const entries = await ctx.store.listEntries(target.namespace, target.path, recursive);
  const result: EntryMetadata[] = [];
  for (const entry of entries) {
    result.push(toEntryMetadata(entry, target.mountPath));
    if (recursive && entry.mount) {
      const inner = await listFolder(
        ctx,
        view,
        toEntryMetadata(entry, target.mountPath).path,
        true,
      );
      result.push(...inner);
    }
  }
  return result;
}

export async function registerFileRoutes(app: FastifyInstance, ctx: ServerContext) {
  app.post<{ Body: CommitRequest }>(
    '/files/commit',
    {
      schema: {
        ...common,
        summary: 'Create a version from uploaded blocks (first writer wins)',
        body: commitBodySchema,
        response: { 200: fileMetadataSchema, ...errorResponses(400, 401, 403, 409, 412) },
      },
    },
    async (request): Promise<FileMetadata> => {
      const view = await viewOf(ctx, request);
      const input = commitInputOf(view, actorOf(ctx, request), request.body);
      const entry = await commitBlocks(ctx, input);
      return toFileMetadata(entry, input.target.mountPath);
    },
  );

  app.post<{ Body: AnnounceRequest }>(
    '/files/announce',
    {
      schema: {
        ...common,
        summary: 'Announce an upload: the file shows as pending until its commit',
        body: {
          type: 'object',
          properties: {
            path: pathSchema,
            size: { type: 'integer', minimum: 0 },
            modified: { type: 'integer', minimum: 0 },
            blocks: announcedBlocksSchema,
          },
          required: ['path', 'size', 'modified'],
          additionalProperties: false,
        },
        response: { 200: fileMetadataSchema, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request): Promise<FileMetadata> => {
      const userPath = requirePath(request.body.path);
      if (userPath === '/') throw new ServerError('invalid_path', 'cannot announce the root');
      const { blocks } = request.body;
      requireBlocksAddUp(blocks, request.body.size);
      const target = (await viewOf(ctx, request)).resolveEntryForWrite(userPath);
      const actor = actorOf(ctx, request);
      const outcome = await ctx.store.announceFile({
        namespace: target.namespace,
        path: target.path,
        size: request.body.size,
        modifiedMs: request.body.modified,
        ...(blocks === undefined ? {} : { blocks }),
        actor,
        access: accessTo(actor.userId, userPath, target),
      });
      if (outcome.kind === 'invalid_path') {
        throw new ServerError('invalid_path', `${userPath}: ${outcome.message}`);
      }
      if (isAccessOutcome(outcome)) throw accessOutcomeError(outcome);
      if (outcome.kind !== 'committed') {
        throw new ServerError(
          'path_conflict',
          'message' in outcome ? outcome.message : 'path conflict',
        );
      }
      return toFileMetadata(outcome.entry, target.mountPath);
    },
  );

  app.get<{ Querystring: { path: string; recursive?: boolean } }>(
    '/files/list',
    {
      schema: {
        ...common,
        summary: 'List a folder (recursively when asked)',
        querystring: {
          type: 'object',
          properties: { path: pathSchema, recursive: { type: 'boolean', default: false } },
          required: ['path'],
        },
        response: {
          200: {
            type: 'object',
            properties: { entries: { type: 'array', items: entryMetadataSchema } },
            required: ['entries'],
          },
          ...errorResponses(400, 401, 404, 409),
        },
      },
    },
    async (request): Promise<ListResponse> => {
      const view = await viewOf(ctx, request);
      return {
        entries: await listFolder(ctx, view, request.query.path, request.query.recursive ?? false),
      };
    },
  );

  app.get<{ Querystring: { path: string; limit?: number; fileId?: string } }>(
    '/files/list_revisions',
    {
      schema: {
        ...common,
        summary:
          'Revision history of every file that has lived at a path (deleted ones too), or of one',
        querystring: {
          type: 'object',
          properties: {
            path: pathSchema,
            limit: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_REVISIONS_LIMIT,
              default: DEFAULT_REVISIONS_LIMIT,
            },
            fileId: fileIdSchema,
          },
          required: ['path'],
          additionalProperties: false,
        },
        response: { 200: listRevisionsResponseSchema, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request): Promise<ListRevisionsResponse> => {
      const userPath = requirePath(request.query.path);
      return listPathHistory(ctx, {
        target: (await viewOf(ctx, request)).resolve(userPath),
        userPath,
        fileId: request.query.fileId as FileId | undefined,
        limit: request.query.limit ?? DEFAULT_REVISIONS_LIMIT,
      });
    },
  );

  app.post<{ Body: RestoreRequest }>(
    '/files/restore',
    {
      schema: {
        ...common,
        summary: 'Restore an old revision as the newest one',
        body: {
          type: 'object',
          properties: { path: pathSchema, rev: revSchema },
          required: ['path', 'rev'],
          additionalProperties: false,
        },
        response: { 200: fileMetadataSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request): Promise<FileMetadata> => {
      const userPath = requirePath(request.body.path);
      const target = (await viewOf(ctx, request)).resolveForWrite(userPath);
      const version = await findRevisionAt(ctx, {
        target,
        userPath,
        rev: request.body.rev as Rev,
      });
      const restored = await commitBlocks(ctx, {
        target,
        userPath,
        blocks: version.blocks,
        modifiedMs: version.modifiedMs,
        parentRev: null,
        force: true,
        restoredFrom: version.rev,
        reviveFileId: version.fileId,
        actor: actorOf(ctx, request),
      });
      return toFileMetadata(restored, target.mountPath);
    },
  );
}
