/**
 * GET /files/download_zip?path=P: the folder P (shares mounted inside it included) as one zip,
 * streamed (transfer/zip-stream.ts). Read access as GET /files/download: any role in the
 * caller's view. Entries are named below the folder's own name (`Team/docs/a.txt`); empty
 * folders are kept; files still pending (announced, not committed) are left out. A folder the
 * zip format cannot hold without ZIP64 (over 65,535 entries, or an archive of 4 GiB or more) is
 * refused with 413 before a byte is sent.
 */
import type { FastifyInstance } from 'fastify';
import { pathSchema, type EntryMetadata } from 'sync-engine/protocol';
import { ServerError } from '../errors.js';
import type { ServerContext } from '../server-context.js';
import { layoutBlocks, streamFileRange } from '../transfer/download-stream.js';
import { streamZip, zipArchiveBytes, ZIP_LIMITS, type ZipEntry } from '../transfer/zip-stream.js';
import type { UserView } from '../access/user-view.js';
import { findServedVersion } from './file-history.js';
import { listFolder } from './file-routes.js';
import { requirePath, viewOf } from './request-paths.js';
import { authenticatedSchema, errorResponses } from './route-schemas.js';

/** `attachment; filename="Team.zip"`, with the UTF-8 name for browsers (RFC 6266). */
function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}.zip"; filename*=UTF-8''${encodeURIComponent(name)}.zip`;
}

export async function registerZipRoutes(app: FastifyInstance, ctx: ServerContext) {
  app.get<{ Querystring: { path: string } }>(
    '/files/download_zip',
    {
      schema: {
        ...authenticatedSchema('files'),
        summary: 'A folder as one zip archive, streamed',
        querystring: {
          type: 'object',
          properties: { path: pathSchema },
          required: ['path'],
          additionalProperties: false,
        },
        response: errorResponses(400, 401, 404, 409, 413),
      },
    },
    async (request, reply) => {
      const folder = requirePath(request.query.path);
      const view = await viewOf(ctx, request);
      const entries = await listFolder(ctx, view, folder, true);
      if (entries.length + 1 > ZIP_LIMITS.entries) {
        throw new ServerError(
          'payload_too_large',
          `${folder} holds ${entries.length} entries; a zip holds ${ZIP_LIMITS.entries}`,
        );
      }
      const base = folder === '/' ? 'Ferry' : folder.slice(folder.lastIndexOf('/') + 1);
      const nameOf = (entry: EntryMetadata) =>
        `${base}${entry.path.slice(folder === '/' ? 0 : folder.length)}`;
      const archiveBytes = zipArchiveBytes(
        entries.map((entry) => ({
          nameBytes: Buffer.byteLength(nameOf(entry)) + (entry.type === 'folder' ? 1 : 0),
          sizeBytes: entry.type === 'file' ? entry.size : 0,
        })),
      );
      if (archiveBytes > ZIP_LIMITS.archiveBytes) {
        throw new ServerError(
          'payload_too_large',
          `${folder} would make a zip of ${archiveBytes} bytes; a zip holds under 4 GiB`,
        );
      }
      reply
        .header('content-disposition', attachment(base))
        .header('cache-control', 'no-store')
        .type('application/zip');
      return reply.send(streamZip(zipEntries(ctx, view, entries, nameOf)));
    },
  );
}

async function* zipEntries(
  ctx: ServerContext,
  view: UserView,
  entries: readonly EntryMetadata[],
  nameOf: (entry: EntryMetadata) => string,
): AsyncGenerator<ZipEntry> {
  for (const entry of entries) {
    if (entry.type === 'folder') {
      yield { name: `${nameOf(entry)}/`, modifiedMs: 0 };
      continue;
    }
    if (entry.status !== 'uploaded') continue;
    const userPath = requirePath(entry.path);
    const target = view.resolve(userPath);
    const version = await findServedVersion(ctx, { target, userPath, rev: undefined });
    if (version.size === 0) {
      yield { name: nameOf(entry), modifiedMs: entry.modified };
      continue;
    }
    const spans = await layoutBlocks(ctx.store, version);
    const key = await ctx.keyring.keyOf(target.namespace);
    yield {
      name: nameOf(entry),
      modifiedMs: entry.modified,
      open: () =>
        streamFileRange(ctx, {
          namespace: target.namespace,
          key,
          spans,
          range: { start: 0, end: version.size - 1 },
        }),
    };
  }
}
