/**
 * History lookups by path (docs/protocol.md "Files"): the files that have lived at a path are
 * the one living there now and every file deleted there, so a deleted file's history stays
 * reachable after another file takes its path. GET /files/list_revisions lists them;
 * download?rev=, blocks?rev= and restore accept a revision of any of them.
 */
import type { FileId, ListRevisionsResponse, Rev } from 'sync-engine/protocol';
import type { ResolvedPath } from '../access/user-view.js';
import { ServerError } from '../errors.js';
import type { VersionRecord } from '../metadata/records.js';
import type { ServerContext } from '../server-context.js';

/** OpenAPI/serialisation schema of the list_revisions answer (every field, or Fastify drops it). */
export const listRevisionsResponseSchema = {
  type: 'object',
  properties: {
    fileId: { type: 'string' },
    files: {
      type: 'array',
      items: {
        type: 'object',
        properties: { fileId: { type: 'string' }, deleted: { type: 'boolean' } },
        required: ['fileId', 'deleted'],
      },
    },
    revisions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          rev: { type: 'string' },
          fileId: { type: 'string' },
          size: { type: 'integer' },
          contentHash: { type: 'string' },
          modified: { type: 'integer' },
          committed: { type: 'integer' },
          deviceId: { type: ['string', 'null'] },
          deviceName: { type: ['string', 'null'] },
          author: { type: 'string' },
          authorId: { type: 'string' },
        },
        required: ['rev', 'fileId', 'size', 'contentHash', 'modified', 'committed', 'author'],
      },
    },
  },
  required: ['fileId', 'files', 'revisions'],
} as const;

/** A path has no history: a folder lives there and no file was deleted there, or nothing. */
async function noHistory(ctx: ServerContext, target: ResolvedPath, userPath: string) {
  const live =
    target.path === '/' ? undefined : await ctx.store.getEntry(target.namespace, target.path);
  if (live?.isDir || target.path === '/') {
    return new ServerError('path_conflict', `${userPath} is a folder`);
  }
  return new ServerError('not_found', `${userPath} has no history`);
}

/** The revisions of the files that have lived at the path, or of `fileId` only. */
export async function listPathHistory(
  ctx: ServerContext,
  request: { target: ResolvedPath; userPath: string; fileId?: FileId; limit: number },
): Promise<ListRevisionsResponse> {
  const { target, userPath } = request;
  const files = await ctx.store.listFilesAt(target.namespace, target.path);
  const first = files[0];
  if (!first) throw await noHistory(ctx, target, userPath);
  const chosen = request.fileId ? files.filter((f) => f.fileId === request.fileId) : files;
  if (chosen.length === 0) {
    throw new ServerError('not_found', `${userPath} has no history of file ${request.fileId}`);
  }
  const versions: VersionRecord[] = [];
  for (const file of chosen) {
    const room = request.limit - versions.length;
    if (room <= 0) break;
    versions.push(...(await ctx.store.listVersions(target.namespace, file.fileId, room)));
  }
  return {
    fileId: first.fileId,
    files: files.map((f) => ({ fileId: f.fileId, deleted: f.deleted })),
    revisions: versions.map((v) => ({
      rev: v.rev,
      fileId: v.fileId,
      size: v.size,
      contentHash: v.contentHash,
      modified: v.modifiedMs,
      committed: v.committedMs,
      deviceId: v.deviceId,
      deviceName: v.deviceName,
      author: v.authorName,
      authorId: v.authorId,
    })),
  };
}

/**
 * Revision `rev` of a file that has lived at the path (live, or deleted there); throws
 * not_found otherwise, so a revision of any other file, or of another namespace, is never served.
 */
export async function findRevisionAt(
  ctx: ServerContext,
  request: { target: ResolvedPath; userPath: string; rev: Rev },
): Promise<VersionRecord> {
  const { target, userPath, rev } = request;
  const version = await ctx.store.getVersion(target.namespace, rev);
  const files = version ? await ctx.store.listFilesAt(target.namespace, target.path) : [];
  if (!version || !files.some((f) => f.fileId === version.fileId)) {
    throw new ServerError('not_found', `${userPath} has no revision ${rev}`);
  }
  return version;
}

/** The current version of the file living at the path (404 when none, 409 for a folder). */
async function currentVersion(
  ctx: ServerContext,
  target: ResolvedPath,
  userPath: string,
): Promise<VersionRecord> {
  const entry =
    target.path === '/' ? undefined : await ctx.store.getEntry(target.namespace, target.path);
  if (entry?.isDir) throw new ServerError('path_conflict', `${userPath} is a folder`);
  // A file only announced has no revision yet: nothing to serve.
  const version = entry?.rev ? await ctx.store.getVersion(target.namespace, entry.rev) : undefined;
  if (!version) throw new ServerError('not_found', `${userPath} does not exist`);
  return version;
}

/**
 * The version a read of the path serves (GET /files/download, GET /files/blocks): revision
 * `rev` of any file that has lived at the path (also a deleted one), else the current version
 * of the file living there.
 */
export function findServedVersion(
  ctx: ServerContext,
  request: { target: ResolvedPath; userPath: string; rev: Rev | undefined },
): Promise<VersionRecord> {
  const { target, userPath, rev } = request;
  return rev
    ? findRevisionAt(ctx, { target, userPath, rev })
    : currentVersion(ctx, target, userPath);
}
