/**
 * The EngineControl methods that ask the server about the account rather than the engine about
 * the folder: the file browser, file history and restore, and sharing. Each is one request,
 * reshaped for the UI (contract types, epoch-ms names), its failure turned into a ControlError
 * a person can read. Takes only the server calls it needs (a narrow port, STYLE.md section 9).
 */
import type {
  CreateShareRequest,
  EntryMetadata,
  FileMetadata,
  ListRevisionsResponse,
  ListSharesResponse,
  Rev,
  ShareId,
  ShareMetadata,
} from '../protocol/index.js';
import type { DownloadTickets } from './download-tickets.js';
import {
  ControlError,
  type EngineControl,
  type FileRevision,
  type FolderEntry,
  type ShareInfo,
  type ShareRole,
} from './contract.js';

/** The server calls the account methods make (the remote client has them all). */
export interface AccountServer {
  listFolder(
    request: { readonly path: string; readonly recursive?: boolean },
    signal: AbortSignal,
  ): Promise<readonly EntryMetadata[]>;
  listRevisions(
    request: { readonly path: string; readonly limit?: number },
    signal: AbortSignal,
  ): Promise<ListRevisionsResponse>;
  restoreFile(
    request: { readonly path: string; readonly rev: Rev },
    signal: AbortSignal,
  ): Promise<FileMetadata>;
  listShares(signal: AbortSignal): Promise<ListSharesResponse>;
  createShare(request: CreateShareRequest, signal: AbortSignal): Promise<ShareMetadata>;
  updateShare(
    request: { readonly id: ShareId; readonly role: ShareRole },
    signal: AbortSignal,
  ): Promise<ShareMetadata>;
  deleteShare(id: ShareId, signal: AbortSignal): Promise<{ readonly id: ShareId }>;
  downloadZip(path: string, signal: AbortSignal): Promise<ZipDownloadStream>;
}

/** A folder's zip as the server streams it. */
export interface ZipDownloadStream {
  readonly fileName: string;
  readonly body: AsyncIterable<Uint8Array>;
}

/** The methods {@link createAccountControl} implements. */
export type AccountControl = Pick<
  EngineControl,
  | 'listFolder'
  | 'listRevisions'
  | 'restoreRevision'
  | 'listShares'
  | 'shareFolder'
  | 'changeShareRole'
  | 'revokeShare'
  | 'createZipDownload'
> & {
  /**
   * The zip a ticket of createZipDownload names, streamed from the server; undefined for an
   * unknown, used or expired ticket. For the control server's `/api/downloads/<ticket>`.
   */
  openZipDownload(ticket: string, signal: AbortSignal): Promise<ZipDownloadStream | undefined>;
};

/** Options of {@link createAccountControl}. */
export interface AccountControlOptions {
  readonly server: AccountServer;
  /** Aborted when the engine closes. */
  readonly signal: AbortSignal;
  /** Called after a change on the server the engine should pull at once (a restore). */
  readonly onServerChanged: () => void;
  /** Where zip download tickets are kept. */
  readonly tickets: DownloadTickets;
}

/** Most revisions a history lists; the server's own cap. */
const REVISIONS_LISTED = 1000;

export function createAccountControl(options: AccountControlOptions): AccountControl {
  const { server, signal } = options;
  const ask = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw toControlError(what, error);
    }
  };
  return {
    listFolder: (path) =>
      ask(`list ${path}`, async () => {
        const entries = await server.listFolder({ path }, signal);
        return entries.map(folderEntry).sort(foldersFirst);
      }),
    listRevisions: (path) =>
      ask(`list the history of ${path}`, async () => {
        const history = await server.listRevisions({ path, limit: REVISIONS_LISTED }, signal);
        const deleted = new Set(history.files.filter((f) => f.deleted).map((f) => f.fileId));
        return history.revisions.map((revision): FileRevision => ({
          rev: revision.rev,
          sizeBytes: revision.size,
          modifiedMs: revision.modified,
          committedMs: revision.committed,
          author: revision.author,
          deviceName: revision.deviceName,
          ofDeletedFile: deleted.has(revision.fileId),
        }));
      }),
    restoreRevision: (path, rev) =>
      ask(`restore ${path}`, async () => {
        const file = await server.restoreFile({ path, rev: rev as Rev }, signal);
        options.onServerChanged();
        return { rev: file.rev };
      }),
    listShares: () =>
      ask('list shares', async () => {
        const shares = await server.listShares(signal);
        return { owned: shares.owned.map(shareInfo), received: shares.received.map(shareInfo) };
      }),
    shareFolder: (path, email, role) =>
      ask(`share ${path}`, async () =>
        shareInfo(await server.createShare({ path, email, role }, signal)),
      ),
    changeShareRole: (shareId, role) =>
      ask('change the role', async () =>
        shareInfo(await server.updateShare({ id: shareId as ShareId, role }, signal)),
      ),
    revokeShare: (shareId) =>
      ask('stop sharing', async () => {
        const { id } = await server.deleteShare(shareId as ShareId, signal);
        return { id };
      }),
    createZipDownload: (path) =>
      ask(`download ${path}`, async () => {
        // Asked now, so that a missing folder or a file says so in the window, not in a
        // download the browser saves.
        await server.listFolder({ path }, signal);
        return { url: `/api/downloads/${options.tickets.create(path)}` };
      }),
    openZipDownload: async (ticket, requestSignal) => {
      const path = options.tickets.take(ticket);
      if (path === undefined) return undefined;
      return ask(`download ${path}`, () =>
        server.downloadZip(path, AbortSignal.any([signal, requestSignal])),
      );
    },
  };
}

function folderEntry(entry: EntryMetadata): FolderEntry {
  const name = entry.path.slice(entry.path.lastIndexOf('/') + 1);
  if (entry.type === 'file') {
    return {
      path: entry.path,
      name,
      type: 'file',
      sizeBytes: entry.size,
      modifiedMs: entry.modified,
      sharedRole: null,
    };
  }
  return {
    path: entry.path,
    name,
    type: 'folder',
    sizeBytes: null,
    modifiedMs: null,
    sharedRole: entry.mount?.role ?? null,
  };
}

function foldersFirst(a: FolderEntry, b: FolderEntry): number {
  if (a.type !== b.type) return a.type === 'folder' ? -1 : 1;
  return a.name.localeCompare(b.name);
}

function shareInfo(share: ShareMetadata): ShareInfo {
  return {
    id: share.id,
    role: share.role,
    ownerEmail: share.ownerEmail,
    recipientEmail: share.recipientEmail,
    path: share.path,
    createdMs: share.created,
  };
}

/** What a remote client's error (`code`, `serverMessage`) means to a person. */
function toControlError(what: string, error: unknown): ControlError {
  if (error instanceof ControlError) return error;
  const { code, serverMessage } = error as { code?: unknown; serverMessage?: unknown };
  const reason = typeof serverMessage === 'string' && serverMessage !== '' ? serverMessage : '';
  const say = (text: string) => `Could not ${what}: ${reason || text}`;
  switch (code) {
    case 'not_found':
      return new ControlError('path_not_found', say('it is not on the server'), { cause: error });
    case 'forbidden':
      return new ControlError('forbidden', say('you are not allowed to'), { cause: error });
    case 'network_error':
    case 'timeout':
    case 'unavailable':
    case 'tls_error':
      return new ControlError('offline', `Could not ${what}: the server cannot be reached`, {
        cause: error,
      });
    case 'aborted':
      return new ControlError('engine_stopped', 'the engine is shutting down', { cause: error });
    case undefined:
    case 'internal_error':
    case 'invalid_response':
      return new ControlError('internal_error', `Could not ${what}`, { cause: error });
    default:
      return new ControlError('server_refused', say(String(code).replaceAll('_', ' ')), {
        cause: error,
      });
  }
}
