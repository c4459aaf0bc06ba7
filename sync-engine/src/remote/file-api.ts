/**
 * File metadata and tree operations: POST /files/commit, /files/announce, /files/restore,
 * /files/mkdir, /files/delete, /files/move, GET /files/blocks, /files/list,
 * /files/list_revisions (docs/protocol.md "Files"). A commit's expected outcomes are a result union the executor
 * switches on; everything else that fails is a thrown RemoteError.
 */
import type {
  AnnouncedBlocksResponse,
  AnnounceRequest,
  BlockId,
  CommitRequest,
  DeleteRequest,
  DeleteResponse,
  EntryMetadata,
  FileBlocksResponse,
  FileId,
  FileMetadata,
  FolderMetadata,
  ListResponse,
  ListRevisionsResponse,
  MoveRequest,
  MoveResponse,
  NamespaceId,
  Rev,
} from '../protocol/index.js';
import { hashBlock } from '../blocks/index.js';
import type { HttpTransport } from './http-transport.js';
import { RemoteError } from './remote-error.js';
import {
  announcedBlocksSchema,
  deleteSchema,
  fileBlocksSchema,
  fileSchema,
  folderSchema,
  listSchema,
  moveSchema,
  revisionsSchema,
  uploadedFileSchema,
} from './response-schemas.js';

/**
 * What a commit came to. Only `committed` changed anything on the server.
 * - `rev_conflict`: someone committed first; `currentRev` is theirs (null: a folder is there).
 * - `missing_blocks`: upload these blocks to the namespace, then commit again.
 * - `namespace_changed`: the path is in `namespace` now (a folder above it was shared):
 *   encode the blocks with that namespace's key, upload them there, commit again.
 */
export type CommitResult =
  | { readonly kind: 'committed'; readonly file: FileMetadata }
  | { readonly kind: 'rev_conflict'; readonly currentRev: Rev | null }
  | { readonly kind: 'missing_blocks'; readonly missing: readonly BlockId[] }
  | { readonly kind: 'namespace_changed'; readonly namespace: NamespaceId };

/** An announced file: `pending`, with no revision until its commit. */
export type AnnouncedFile = Omit<FileMetadata, 'rev'> & { readonly rev: Rev | null };

/** Which file version GET /files/blocks should list. */
export interface FileBlocksRequest {
  readonly path: string;
  /** Any kept revision of a file that has lived at `path`; default: the current one. */
  readonly rev?: Rev;
}

export interface FileApi {
  /**
   * Makes a new version of `path` from blocks the namespace holds, based on `parentRev` (null
   * for a new file). Missing parent folders are created.
   * @throws RemoteError `path_conflict` (a folder in the way), `forbidden` (viewer),
   *   `invalid_path`, and the transport codes.
   */
  commitFile(request: CommitRequest, signal: AbortSignal): Promise<CommitResult>;
  /** Marks a large upload as coming: other devices see it `pending` until the commit. */
  announceFile(request: AnnounceRequest, signal: AbortSignal): Promise<AnnouncedFile>;
  /**
   * A folder's entries sorted by path (recursive: the whole subtree, mounted shares included).
   * @throws RemoteError `not_found`, `path_conflict` (a file).
   */
  listFolder(
    request: { readonly path: string; readonly recursive?: boolean },
    signal: AbortSignal,
  ): Promise<readonly EntryMetadata[]>;
  /**
   * The block list of the version a download of `path` (at `rev`) would serve: ids and sizes in
   * file order, and the namespace to GET them from (GET /blocks/{namespace}/{id}, decoded with
   * that namespace's key), so a download fetches only the blocks it does not hold locally.
   * The answer is checked to be self-consistent: `rev` as asked, block sizes adding up to `size`,
   * `contentHash` the hash of the block ids (compare it with the expected revision's).
   * @throws RemoteError `not_found` (no such file or revision, or a new file only announced),
   *   `path_conflict` (a folder), `invalid_path`, `invalid_response`, and the transport codes.
   */
  getFileBlocks(request: FileBlocksRequest, signal: AbortSignal): Promise<FileBlocksResponse>;
  /**
   * The block list a pending upload announced (its blocks may still be arriving: fetch them with
   * getBlock's `waitMs`); undefined when `path` is not a pending upload with a block list.
   */
  getAnnouncedBlocks(
    path: string,
    signal: AbortSignal,
  ): Promise<AnnouncedBlocksResponse | undefined>;
  /** The history of every file that has lived at `path` (or of `fileId` only), newest first. */
  listRevisions(
    request: { readonly path: string; readonly limit?: number; readonly fileId?: FileId },
    signal: AbortSignal,
  ): Promise<ListRevisionsResponse>;
  /** Commits revision `rev`'s content as the newest version at `path` (no parent check). */
  restoreFile(
    request: { readonly path: string; readonly rev: Rev },
    signal: AbortSignal,
  ): Promise<FileMetadata>;
  /** Creates a folder and its missing parents; idempotent. */
  createFolder(path: string, signal: AbortSignal): Promise<FolderMetadata>;
  /**
   * Deletes a file, or a folder with everything below it (history is kept); given a request
   * with a precondition (`rev`, `unchangedSince`), only if it still holds on the server
   * (checked in the delete's transaction).
   * @throws RemoteError `not_found`; when the precondition fails, a RemoteError for which
   *   {@link isChangedSinceRefusal} is true (nothing was deleted); and the transport codes.
   */
  deletePath(request: string | DeleteRequest, signal: AbortSignal): Promise<DeleteResponse>;
  /** Moves a file or a whole folder in one step; file ids (and history) follow. */
  movePath(request: MoveRequest, signal: AbortSignal): Promise<MoveResponse>;
}

/** What is wrong with a block list's own figures, or undefined when they agree. */
export function blockListProblem(
  list: FileBlocksResponse,
  rev: Rev | undefined,
): string | undefined {
  if (rev !== undefined && list.rev !== rev) return `revision ${list.rev} instead of ${rev}`;
  const total = list.blocks.reduce((sum, block) => sum + block.size, 0);
  if (total !== list.size) return `blocks of ${total} bytes for a file of ${list.size}`;
  // The content hash is SHA-256 over the raw 32-byte ids, in file order (protocol/file-types.ts).
  const ids = Buffer.concat(list.blocks.map((block) => Buffer.from(block.id, 'hex')));
  if (hashBlock(ids) !== list.contentHash) return 'blocks that do not match its content hash';
  return undefined;
}

export function commitResultOf(error: unknown): CommitResult {
  if (error instanceof RemoteError) {
    // errorFromResponse guarantees each code's field, so none of these is undefined.
    if (error.code === 'rev_conflict' && error.currentRev !== undefined)
      return { kind: 'rev_conflict', currentRev: error.currentRev };
    if (error.code === 'missing_blocks' && error.missing !== undefined)
      return { kind: 'missing_blocks', missing: error.missing };
    if (error.code === 'namespace_changed' && error.namespace !== undefined)
      return { kind: 'namespace_changed', namespace: error.namespace };
  }
  throw error;
}

/**
 * True when a delete with a precondition was refused because the path changed on the server
 * after the view it was based on: the file is at another revision (`rev_conflict`), something at
 * or under the path was journaled after the cursor (`path_changed`), or the cursor is too old or
 * too new to tell (`cursor_expired`). Nothing was deleted; read the changes, then decide again.
 */
export function isChangedSinceRefusal(error: unknown): boolean {
  return (
    error instanceof RemoteError &&
    (error.code === 'rev_conflict' ||
      error.code === 'path_changed' ||
      error.code === 'cursor_expired')
  );
}

export function createFileApi(transport: HttpTransport): FileApi {
  return {
    async commitFile(request, signal) {
      const what = `commit ${request.path}`;
      let file: FileMetadata;
      try {
        file = await transport.call<FileMetadata>(
          { method: 'POST', path: '/files/commit', json: request, what, signal },
          uploadedFileSchema,
        );
      } catch (error) {
        return commitResultOf(error);
      }
      if (file.size !== request.size) {
        throw new RemoteError('invalid_response', `${what}: committed another size`);
      }
      return { kind: 'committed', file };
    },

    announceFile: (request, signal) =>
      transport.call<AnnouncedFile>(
        {
          method: 'POST',
          path: '/files/announce',
          json: request,
          what: `announce ${request.path}`,
          signal,
        },
        fileSchema,
      ),

    listFolder: async ({ path, recursive = false }, signal) =>
      (
        await transport.call<ListResponse>(
          {
            method: 'GET',
            path: '/files/list',
            query: { path, recursive },
            what: `list ${path}`,
            signal,
          },
          listSchema,
        )
      ).entries,

    async getFileBlocks({ path, rev }, signal) {
      const what = `list the blocks of ${path}${rev ? ` at ${rev}` : ''}`;
      const list = await transport.call<FileBlocksResponse>(
        { method: 'GET', path: '/files/blocks', query: { path, rev }, what, signal },
        fileBlocksSchema,
      );
      const problem = blockListProblem(list, rev);
      if (problem !== undefined) {
        throw new RemoteError('invalid_response', `${what}: the server sent ${problem}`);
      }
      return list;
    },

    async getAnnouncedBlocks(path, signal) {
      const what = `list the announced blocks of ${path}`;
      let list: AnnouncedBlocksResponse;
      try {
        list = await transport.call<AnnouncedBlocksResponse>(
          { method: 'GET', path: '/files/announced_blocks', query: { path }, what, signal },
          announcedBlocksSchema,
        );
      } catch (error) {
        if (error instanceof RemoteError && error.code === 'not_found') return undefined;
        throw error;
      }
      const total = list.blocks.reduce((sum, block) => sum + block.size, 0);
      if (total !== list.size) {
        throw new RemoteError(
          'invalid_response',
          `${what}: blocks of ${total} bytes, not ${list.size}`,
        );
      }
      return list;
    },

    listRevisions: ({ path, limit, fileId }, signal) =>
      transport.call<ListRevisionsResponse>(
        {
          method: 'GET',
          path: '/files/list_revisions',
          query: { path, limit, fileId },
          what: `list the revisions of ${path}`,
          signal,
        },
        revisionsSchema,
      ),

    restoreFile: (request, signal) =>
      transport.call<FileMetadata>(
        {
          method: 'POST',
          path: '/files/restore',
          json: request,
          what: `restore ${request.path} to ${request.rev}`,
          signal,
        },
        uploadedFileSchema,
      ),

    createFolder: (path, signal) =>
      transport.call<FolderMetadata>(
        { method: 'POST', path: '/files/mkdir', json: { path }, what: `mkdir ${path}`, signal },
        folderSchema,
      ),

    deletePath: (request, signal) => {
      const json = typeof request === 'string' ? { path: request } : request;
      return transport.call<DeleteResponse>(
        {
          method: 'POST',
          path: '/files/delete',
          json,
          // Deleting a folder that was shared first turns it back into a plain one.
          timing: 'slow',
          what: `delete ${json.path}`,
          signal,
        },
        deleteSchema,
      );
    },

    movePath: (request, signal) =>
      transport.call<MoveResponse>(
        {
          method: 'POST',
          path: '/files/move',
          json: request,
          // One transaction for a whole folder, however large.
          timing: 'slow',
          what: `move ${request.from} to ${request.to}`,
          signal,
        },
        moveSchema,
      ),
  };
}
