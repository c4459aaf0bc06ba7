/**
 * The remote client (on got): one method per endpoint, status → protocol error code in one
 * place, keep-alive, timeouts, streamed bodies, and a pure retry-delay helper for the loop,
 * which owns every retry. Imports only got, node:http(s), ../protocol, ../blocks and
 * ../errors; never the state, the planner or the loop.
 */
export {
  createRemoteClient,
  type RemoteClient,
  type RemoteClientOptions,
} from './remote-client.js';
export type { ResponseTiming, TransportOptions } from './http-transport.js';
export {
  REMOTE_ERROR_CODES,
  RemoteError,
  TRANSPORT_ERROR_CODES,
  isRetryableCode,
  type RemoteErrorCode,
  type RemoteErrorOptions,
  type TransportErrorCode,
} from './remote-error.js';
export {
  MAX_RETRY_AFTER_MS,
  errorFromResponse,
  parseRetryAfterMs,
  type ErrorResponse,
} from './remote-error-mapping.js';
export {
  DEFAULT_RETRY_POLICY,
  retryDelayMs,
  type RetryDelayOptions,
  type RetryPolicy,
} from './retry-delay.js';
export type { AuthApi } from './auth-api.js';
export type { BlockAddress, BlockApi } from './block-api.js';
export type { ChangeApi, ChangesResult, LongPollResult } from './change-api.js';
export type { Download, DownloadApi, DownloadRequest } from './download-api.js';
export {
  isChangedSinceRefusal,
  type AnnouncedFile,
  type CommitResult,
  type FileApi,
  type FileBlocksRequest,
} from './file-api.js';
export type { BatchApi, CommitBatchResult } from './batch-api.js';
export type { ShareApi } from './share-api.js';
export type {
  UploadApi,
  UploadBody,
  UploadProgress,
  UploadResult,
  UploadSession,
  UploadTarget,
} from './upload-api.js';
