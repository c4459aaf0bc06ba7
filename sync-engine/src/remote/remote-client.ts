/**
 * The remote client: one method per endpoint of the wire protocol (docs/protocol.md), over one
 * HttpTransport (keep-alive sockets, timeouts, no retries of its own). Every method takes an
 * AbortSignal; every failure is a RemoteError; the outcomes the engine branches on (a commit's
 * conflicts, an expired cursor, an upload's progress) are result unions.
 */
import { createAuthApi, type AuthApi } from './auth-api.js';
import { createBatchApi, type BatchApi } from './batch-api.js';
import { createBlockApi, type BlockApi } from './block-api.js';
import { createChangeApi, type ChangeApi } from './change-api.js';
import { createDownloadApi, type DownloadApi } from './download-api.js';
import { createFileApi, type FileApi } from './file-api.js';
import { HttpTransport, type TransportOptions } from './http-transport.js';
import { createShareApi, type ShareApi } from './share-api.js';
import { createUploadApi, type UploadApi } from './upload-api.js';

/** Options of createRemoteClient; only `baseUrl` is required (see TransportOptions). */
export type RemoteClientOptions = TransportOptions;

/** Every endpoint of the server, plus `close`. */
export interface RemoteClient
  extends AuthApi, BlockApi, BatchApi, FileApi, UploadApi, DownloadApi, ChangeApi, ShareApi {
  /** Closes the pooled sockets; requests still running fail. Idempotent. */
  close(): void;
}

/**
 * A client of the server at `baseUrl`, signed in as the device whose `token` is given (without
 * one, only `register` and `login` succeed).
 *
 * @example
 * const remote = createRemoteClient({ baseUrl: 'https://ferry.example', token });
 * const result = await remote.commitFile({ path, blocks, size, modified, parentRev }, signal);
 * switch (result.kind) { case 'committed': …; case 'rev_conflict': …; … }
 * remote.close();
 * @throws TypeError for a base URL that is not http(s), or a malformed token.
 */
export function createRemoteClient(options: RemoteClientOptions): RemoteClient {
  const transport = new HttpTransport(options);
  return {
    ...createAuthApi(transport),
    ...createBlockApi(transport),
    ...createBatchApi(transport),
    ...createFileApi(transport),
    ...createUploadApi(transport),
    ...createDownloadApi(transport),
    ...createChangeApi(transport),
    ...createShareApi(transport),
    close: () => transport.close(),
  };
}
