/**
 * GET /files/download: a file's plaintext bytes, streamed, from any byte (Range) and of any kept
 * revision (docs/protocol.md "Files"). The server decodes the blocks; the engine still verifies
 * what it writes against the revision's content hash or its block list.
 */
import { CONTENT_HASH_HEADER, REV_HEADER, type Rev } from '../protocol/index.js';
import type { HttpTransport } from './http-transport.js';
import { RemoteError } from './remote-error.js';

export interface DownloadRequest {
  readonly path: string;
  /** Any kept revision of a file that has lived at `path`; default: the current one. */
  readonly rev?: Rev;
  /** First byte wanted (to resume a download); default 0. */
  readonly start?: number;
  /** Last byte wanted, inclusive; default: the end of the file. */
  readonly end?: number;
}

/**
 * A download in progress: read `body` to its end, or call `body.return()` to give it up (also
 * before reading began); the connection is released either way.
 */
export interface Download {
  /** The revision being served. */
  readonly rev: Rev;
  /** SHA-256 (hex) of the revision's block ids (FileMetadata.contentHash). */
  readonly contentHash: string;
  /** Size of the whole revision, bytes. */
  readonly totalBytes: number;
  /**
   * Where `body` starts in the file: the requested start for a partial answer, 0 when the server
   * chose to send the whole file (HTTP allows it), so a resuming writer must look.
   */
  readonly offset: number;
  /** How many bytes `body` will yield. */
  readonly lengthBytes: number;
  /**
   * The bytes, in order. Fails with a RemoteError (`network_error`, `timeout`, `aborted`) when
   * the transfer breaks, also when it ends short of `lengthBytes`.
   */
  readonly body: AsyncGenerator<Uint8Array>;
}

export interface DownloadApi {
  /**
   * Starts a download; resolves once the server answered.
   * @throws RemoteError `not_found`, `path_conflict` (a folder), `range_not_satisfiable`.
   */
  downloadFile(request: DownloadRequest, signal: AbortSignal): Promise<Download>;
  /**
   * Starts the download of the folder `path` as one zip archive (GET /files/download_zip);
   * resolves once the server answered. Read `body` to its end or `return()` it.
   * @throws RemoteError `not_found`, `path_conflict` (a file), `payload_too_large`.
   */
  downloadZip(path: string, signal: AbortSignal): Promise<ZipDownload>;
}

/** A zip archive of a folder, being streamed. */
export interface ZipDownload {
  /** The archive's name as the server suggests it (`Team.zip`). */
  readonly fileName: string;
  readonly body: AsyncGenerator<Uint8Array>;
}

/** The UTF-8 `filename*` of a Content-Disposition, else its plain `filename`, else `fallback`. */
function attachmentName(header: unknown, fallback: string): string {
  const text = typeof header === 'string' ? header : '';
  const extended = /filename\*=UTF-8''([^;]+)/i.exec(text)?.[1];
  if (extended !== undefined) {
    try {
      return decodeURIComponent(extended);
    } catch {
      // A malformed escape: fall through to the plain name.
    }
  }
  return /filename="([^"]+)"/i.exec(text)?.[1] ?? fallback;
}

function rangeHeader(start: number | undefined, end: number | undefined): string | undefined {
  if (start === undefined && end === undefined) return undefined;
  const first = start ?? 0;
  if (!Number.isSafeInteger(first) || first < 0)
    throw new RangeError('start must be a byte offset');
  if (end !== undefined && (!Number.isSafeInteger(end) || end < first)) {
    throw new RangeError('end must be a byte offset at or after start');
  }
  return `bytes=${first}-${end ?? ''}`;
}

const CONTENT_RANGE = /^bytes (\d+)-(\d+)\/(\d+)$/;

export function createDownloadApi(transport: HttpTransport): DownloadApi {
  return {
    async downloadZip(path, signal) {
      const response = await transport.stream(
        {
          method: 'GET',
          path: '/files/download_zip',
          query: { path },
          headers: {},
          what: `download ${path} as a zip`,
          signal,
        },
        [200],
      );
      const fallback = `${path === '/' ? 'Ferry' : path.slice(path.lastIndexOf('/') + 1)}.zip`;
      return {
        fileName: attachmentName(response.headers['content-disposition'], fallback),
        body: response.body,
      };
    },
    async downloadFile(request, signal) {
      const what = `download ${request.path}${request.rev ? ` at ${request.rev}` : ''}`;
      const range = rangeHeader(request.start, request.end);
      const response = await transport.stream(
        {
          method: 'GET',
          path: '/files/download',
          query: { path: request.path, rev: request.rev },
          headers: range === undefined ? {} : { range },
          what,
          signal,
        },
        [200, 206],
      );
      const { headers } = response;
      const rev = headers[REV_HEADER];
      const contentHash = headers[CONTENT_HASH_HEADER];
      const lengthBytes = Number(headers['content-length']);
      let offset = 0;
      let totalBytes = lengthBytes;
      if (response.status === 206) {
        const match = CONTENT_RANGE.exec(String(headers['content-range']));
        offset = Number(match?.[1]);
        totalBytes = Number(match?.[3]);
        if (
          !match ||
          Number(match[2]) - offset + 1 !== lengthBytes ||
          offset !== (request.start ?? 0)
        ) {
          totalBytes = NaN;
        }
      }
      if (
        typeof rev !== 'string' ||
        rev === '' ||
        typeof contentHash !== 'string' ||
        !/^[0-9a-f]{64}$/.test(contentHash) ||
        !Number.isSafeInteger(lengthBytes) ||
        !Number.isSafeInteger(totalBytes)
      ) {
        await response.body.return(undefined);
        throw new RemoteError('invalid_response', `${what}: missing or inconsistent headers`, {
          status: response.status,
        });
      }
      return {
        rev: rev as Rev,
        contentHash,
        totalBytes,
        offset,
        lengthBytes,
        body: response.body,
      };
    },
  };
}
