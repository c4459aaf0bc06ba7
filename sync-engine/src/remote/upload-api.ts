/**
 * Uploads of whole files, where the server chunks and encodes (docs/protocol.md "Files"): the
 * simple `uploadType=media` upload, and resumable sessions (start, send a piece, ask how much
 * arrived). Bodies stream from any AsyncIterable of bytes (readFileChunks, a file stream); a
 * chunk may be reused by its source once the next one is asked for.
 */
import { UPLOAD_CONTENT_LENGTH_HEADER, type FileMetadata, type Rev } from '../protocol/index.js';
import type { HttpTransport, TransportResponse } from './http-transport.js';
import { RemoteError } from './remote-error.js';
import { uploadedFileSchema } from './response-schemas.js';

/** What an upload came to (a conflict only when `parentRev` was given). */
export type UploadResult =
  | { readonly kind: 'uploaded'; readonly file: FileMetadata }
  | { readonly kind: 'rev_conflict'; readonly currentRev: Rev | null };

/** Where a resumable upload stands. */
export type UploadProgress =
  { readonly kind: 'incomplete'; readonly receivedBytes: number } | UploadResult;

/** A resumable session: persist it to resume after a crash (it lives a day on the server). */
export interface UploadSession {
  /** The session URL (on the configured server's origin). */
  readonly url: string;
  readonly totalBytes: number;
}

/** What a file upload says about the file. */
export interface UploadTarget {
  readonly path: string;
  /** First writer wins against this revision; without it the upload overwrites. */
  readonly parentRev?: Rev;
  /** The file's modification time, epoch ms. */
  readonly modified?: number;
}

export type UploadBody = Uint8Array | AsyncIterable<Uint8Array>;

export interface UploadApi {
  /**
   * Uploads a whole file in one request, streamed. With `sizeBytes` (recommended) the server
   * checks the quota before reading the body, and a source of another length fails with
   * `upload_source_failed`.
   * @throws RemoteError `quota_exceeded`, `path_conflict`, `forbidden`, `upload_source_failed`.
   */
  uploadFile(
    request: UploadTarget & { readonly body: UploadBody; readonly sizeBytes?: number },
    signal: AbortSignal,
  ): Promise<UploadResult>;
  /** Starts a resumable session of `totalBytes` (reserved against the quota now). */
  startUpload(
    request: UploadTarget & { readonly totalBytes: number },
    signal: AbortSignal,
  ): Promise<UploadSession>;
  /**
   * Sends bytes `start … start+lengthBytes-1`. `start` may be below what arrived (the overlap is
   * skipped), never above it (ask `queryUpload` first after a failure).
   * @throws RemoteError `invalid_upload`, `upload_expired` (start again), `not_found`.
   */
  uploadPiece(
    request: {
      readonly session: UploadSession;
      readonly start: number;
      readonly lengthBytes: number;
      readonly body: UploadBody;
    },
    signal: AbortSignal,
  ): Promise<UploadProgress>;
  /** How much of the session arrived (bytes of a dropped connection count). */
  queryUpload(session: UploadSession, signal: AbortSignal): Promise<UploadProgress>;
}

function uploadQuery(target: UploadTarget, uploadType: 'media' | 'resumable') {
  return {
    uploadType,
    path: target.path,
    parentRev: target.parentRev,
    modified: target.modified,
  };
}

function checkLength(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a whole number of bytes`);
  }
}

export function createUploadApi(transport: HttpTransport): UploadApi {
  /** 200 + metadata: done; 409: a conflict; anything else: its RemoteError. */
  const finished = (response: TransportResponse, what: string): UploadResult => {
    if (response.status === 409) {
      try {
        transport.expectStatus(response, what, []);
      } catch (error) {
        if (error instanceof RemoteError && error.code === 'rev_conflict') {
          return { kind: 'rev_conflict', currentRev: error.currentRev ?? null };
        }
        throw error;
      }
    }
    transport.expectStatus(response, what, [200]);
    return { kind: 'uploaded', file: transport.readJson(response, what, uploadedFileSchema) };
  };

  /** A 308's `Range: bytes=0-N` as N+1 received bytes (no Range: nothing arrived). */
  const progressOf = (
    response: TransportResponse,
    session: UploadSession,
    what: string,
  ): UploadProgress => {
    if (response.status !== 308) return finished(response, what);
    const range = response.headers.range;
    const match = typeof range === 'string' ? /^bytes=0-(\d+)$/.exec(range) : null;
    const received = match ? Number(match[1]) + 1 : range === undefined ? 0 : NaN;
    if (!Number.isSafeInteger(received) || received > session.totalBytes) {
      throw new RemoteError('invalid_response', `${what}: unreadable Range ${String(range)}`);
    }
    return { kind: 'incomplete', receivedBytes: received };
  };

  return {
    async uploadFile(request, signal) {
      if (request.sizeBytes !== undefined) checkLength('sizeBytes', request.sizeBytes);
      const what = `upload ${request.path}`;
      const response = await transport.send({
        method: 'POST',
        path: '/files/upload',
        query: uploadQuery(request, 'media'),
        body: request.body,
        headers: { 'content-type': 'application/octet-stream' },
        ...(request.sizeBytes !== undefined ? { bodyBytes: request.sizeBytes } : {}),
        what,
        signal,
      });
      return finished(response, what);
    },

    async startUpload(request, signal) {
      checkLength('totalBytes', request.totalBytes);
      const what = `start uploading ${request.path}`;
      const response = await transport.send({
        method: 'POST',
        path: '/files/upload',
        query: uploadQuery(request, 'resumable'),
        headers: { [UPLOAD_CONTENT_LENGTH_HEADER]: String(request.totalBytes) },
        what,
        signal,
      });
      transport.expectStatus(response, what, [200]);
      const location = response.headers.location;
      if (typeof location !== 'string' || location === '') {
        throw new RemoteError('invalid_response', `${what}: no session URL`);
      }
      let url: string;
      try {
        url = transport.rebase(location);
      } catch (error) {
        throw new RemoteError('invalid_response', `${what}: unreadable session URL`, {
          cause: error,
        });
      }
      return { url, totalBytes: request.totalBytes };
    },

    async uploadPiece({ session, start, lengthBytes, body }, signal) {
      checkLength('start', start);
      checkLength('lengthBytes', lengthBytes);
      if (lengthBytes === 0 || start + lengthBytes > session.totalBytes) {
        throw new RangeError('a piece must hold 1 or more bytes inside the upload');
      }
      const end = start + lengthBytes - 1;
      const what = `upload bytes ${start}-${end} of ${session.totalBytes}`;
      const response = await transport.send({
        method: 'PUT',
        url: session.url,
        body,
        bodyBytes: lengthBytes,
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `bytes ${start}-${end}/${session.totalBytes}`,
        },
        what,
        signal,
      });
      return progressOf(response, session, what);
    },

    async queryUpload(session, signal) {
      const what = `ask how much of ${session.totalBytes} bytes arrived`;
      const response = await transport.send({
        method: 'PUT',
        url: session.url,
        headers: { 'content-range': `bytes */${session.totalBytes}` },
        what,
        signal,
      });
      return progressOf(response, session, what);
    },
  };
}
