/**
 * Ferry's client engine as a plain Node library: the public surface, exported by name so that
 * internals can change freely. The wire protocol has its own entry (`protocol/index.ts`), shared
 * with the server and the UI. Never imports Electron or any other top-level folder.
 */
import type { BlockDecodeErrorCode } from './blocks/index.js';
import type { RemoteErrorCode } from './remote/index.js';
import type { ClientStateErrorCode } from './state/index.js';

export { EngineError, type EngineErrorOptions } from './errors.js';
/** Every code an EngineError of the engine can carry. */
export type EngineErrorCode = BlockDecodeErrorCode | ClientStateErrorCode | RemoteErrorCode;

export {
  BLOCK_KEY_BYTES,
  BlockDecodeError,
  CHUNK_AVG_BYTES,
  CHUNK_MAX_BYTES,
  CHUNK_MIN_BYTES,
  createBlockCodecPool,
  createFingerprinter,
  decodeBlock,
  encodeBlock,
  encodeFileBlocks,
  fingerprintFile,
  hashBlock,
  inspectFile,
  type BlockCodecPool,
  type BlockDecodeErrorCode,
  type EncodedFileBlock,
  type Fingerprinter,
  type InspectedFile,
} from './blocks/index.js';

export {
  ClientStateError,
  openClientState,
  type ClientState,
  type ClientStateErrorCode,
  type ClientStateOptions,
  type Conflict,
  type ItemId,
  type ItemKind,
  type LocalItem,
  type RemoteItem,
  type SyncedItem,
} from './state/index.js';

export {
  DEFAULT_RETRY_POLICY,
  REMOTE_ERROR_CODES,
  RemoteError,
  createRemoteClient,
  isRetryableCode,
  retryDelayMs,
  type ChangesResult,
  type CommitResult,
  type Download,
  type LongPollResult,
  type RemoteClient,
  type RemoteClientOptions,
  type RemoteErrorCode,
  type RetryPolicy,
  type UploadProgress,
  type UploadResult,
  type UploadSession,
} from './remote/index.js';

export { createEngine, type Engine, type EngineOptions, type SyncOnceResult } from './engine.js';
export {
  CONFLICT_KEEP,
  ControlError,
  CONTROL_ROUTES,
  createControlHandlers,
  startControlServer,
  validateSettingsBody,
  type ConflictInfo,
  type ConflictKeep,
  type ControlHandlers,
  type ControlServer,
  type EngineControl,
  type EngineEvent,
  type EngineProblem,
  type EngineState,
  type EngineStatus,
  type SequencedEvent,
} from './control/index.js';
export { parseRate } from './loop/rate-limiter.js';
export { keepExcludedFolders, startingExcludedFolders } from './engine-settings.js';
