/**
 * Resumable uploads: a session row plus a staging file `<dataDir>/uploads/<id>.part`. Each
 * piece is appended at the durable offset and fsynced before the row records it, so after a
 * crash the row never claims bytes the file lacks (extra bytes are cut off on the next piece).
 * When all bytes are there, the file is chunked, encoded, stored and committed like a simple
 * upload, and the session is removed.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RemotePath } from 'sync-engine/protocol';
import type { ServerConfig } from '../config.js';
import { ServerError } from '../errors.js';
import type { MetadataStore } from '../metadata/metadata-store.js';
import type { UploadSessionRecord } from '../metadata/upload-session-store.js';
import { QuotaReservation, type QuotaReservationDeps } from './quota-reservation.js';
import { storeAndCommitFile, type StoredFile, type StoreFileDeps } from './store-file.js';

/** Where staging files live: `<dataDir>/uploads/` (a ServerConfig is one). */
export type StagingConfig = Pick<ServerConfig, 'dataDir'>;

/** What removing sessions uses of the server (a ServerContext is one). */
export interface DiscardUploadDeps {
  readonly store: Pick<MetadataStore, 'deleteUploadSession'>;
  readonly config: StagingConfig;
}

/** What appending a piece uses of the server (a ServerContext is one). */
export interface AppendPieceDeps {
  readonly store: Pick<MetadataStore, 'setUploadReceived'>;
  readonly config: StagingConfig;
}

/** What finishing an upload uses of the server (a ServerContext is one). */
export type FinishUploadDeps = StoreFileDeps & QuotaReservationDeps & DiscardUploadDeps;

/** A piece of a session's bytes: `body`, of which the first `skip` bytes were sent before. */
export interface UploadPiece {
  readonly body: Readable;
  readonly skip: number;
  /** Bytes of `body` kept after the skipped ones (the rest of the piece's Content-Range). */
  readonly maxBytes: number;
}

/** Where a session's bytes are staged. */
export function stagingFileOf(config: StagingConfig, id: string): string {
  return path.join(config.dataDir, 'uploads', `${id}.part`);
}

/**
 * Creates the (empty) staging file of a new session. The session row comes first (its quota is
 * reserved with it, so a refused start leaves no file); a crash in between leaves a session
 * without a file, which `appendPiece` creates then.
 */
export async function createStagingFile(config: StagingConfig, id: string): Promise<void> {
  await mkdir(path.join(config.dataDir, 'uploads'), { recursive: true });
  const handle = await open(stagingFileOf(config, id), 'a', 0o600);
  await handle.close();
}

/**
 * Appends the piece's `body` at the durable offset, skipping the first `skip` bytes the client
 * re-sent.
 * Returns the new durable size. Bytes that arrived before a dropped connection still count.
 */
export async function appendPiece(
  deps: AppendPieceDeps,
  session: UploadSessionRecord,
  piece: UploadPiece,
): Promise<number> {
  const { body, ...limits } = piece;
  const file = stagingFileOf(deps.config, session.id);
  if (session.receivedBytes === 0) await createStagingFile(deps.config, session.id);
  const handle = await open(file, 'r+');
  try {
    // Drop bytes a crash may have left past the recorded offset.
    await handle.truncate(session.receivedBytes);
  } finally {
    await handle.close();
  }
  const expected = limits.skip + limits.maxBytes;
  let seen = 0;
  let kept = 0;
  let isOverlong = false;
  async function* window(source: Readable): AsyncGenerator<Uint8Array> {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      const from = Math.max(0, limits.skip - seen);
      seen += chunk.length;
      if (seen > expected) {
        isOverlong = true;
        throw new ServerError(
          'invalid_upload',
          `the body is longer than its Content-Range (${expected} bytes)`,
        );
      }
      const part = chunk.subarray(from, from + Math.max(0, limits.maxBytes - kept));
      kept += part.length;
      if (part.length > 0) yield part;
    }
  }
  const out = createWriteStream(file, { flags: 'r+', start: session.receivedBytes });
  let failure: unknown;
  try {
    await pipeline(body, window, out);
  } catch (error) {
    failure = error;
  }
  if (isOverlong) {
    // A piece that lies about its length is refused whole: nothing of it is kept.
    const undo = await open(file, 'r+');
    try {
      await undo.truncate(session.receivedBytes);
    } finally {
      await undo.close();
    }
    throw failure;
  }
  const handleAfter = await open(file, 'r+');
  try {
    await handleAfter.sync();
    const { size } = await handleAfter.stat();
    await deps.store.setUploadReceived(session.id, size);
    if (failure !== undefined) {
      throw new ServerError('invalid_upload', 'the upload piece was cut short', { cause: failure });
    }
    return size;
  } finally {
    await handleAfter.close();
  }
}

/**
 * Turns a complete staging file into a committed file version; removes the session. Its blocks
 * consume the quota the session reserved when it started. If the path resolves to another
 * namespace by now (its folder was shared), the staging file is encoded again for that one.
 */
export async function finishUpload(
  deps: FinishUploadDeps,
  session: UploadSessionRecord,
): Promise<StoredFile> {
  const staged = () =>
    createReadStream(stagingFileOf(deps.config, session.id), { highWaterMark: 1 << 20 });
  const mountPath = (session.userPath.slice(0, session.userPath.length - session.path.length) ||
    '/') as RemotePath;
  const stored = await storeAndCommitFile(deps, {
    source: staged(),
    reread: staged,
    reservation: QuotaReservation.ofSession(deps, session),
    commit: {
      // The route checked the role on this piece; the commit checks it again in its transaction.
      target: { namespace: session.namespace, path: session.path, role: 'editor', mountPath },
      userPath: session.userPath,
      size: session.totalBytes,
      modifiedMs: session.modifiedMs,
      parentRev: session.parentRev,
      force: session.parentRev === null,
      actor: { userId: session.userId, deviceId: session.deviceId, nowMs: deps.now() },
    },
  });
  await discardUpload(deps, session.id);
  return stored;
}

/** Removes a session and its staging file. */
export async function discardUpload(deps: DiscardUploadDeps, id: string): Promise<void> {
  await deps.store.deleteUploadSession(id);
  await rm(stagingFileOf(deps.config, id), { force: true });
}

/** Removes every expired session (run by the storage policy). */
export async function expireUploads(
  deps: DiscardUploadDeps & { readonly store: Pick<MetadataStore, 'listExpiredUploadSessions'> },
  nowMs: number,
): Promise<number> {
  let removed = 0;
  for (;;) {
    const expired = await deps.store.listExpiredUploadSessions(nowMs, 100);
    for (const session of expired) await discardUpload(deps, session.id);
    removed += expired.length;
    if (expired.length < 100) return removed;
  }
}
