/**
 * The control API: the contract between a running engine and its users (CLI, desktop app,
 * browser UI), the event log behind its event stream, and its loopback HTTP server. Imports only
 * ../protocol, ../ports (types) and fastify; contract.ts is pure and the one file the UI reads.
 */
export {
  CONFLICT_KEEP,
  CONTROL_ERROR_CODES,
  CONTROL_ERROR_STATUS,
  CONTROL_ROUTES,
  ControlError,
  DEFAULT_EVENTS_TIMEOUT_S,
  ENGINE_STATES,
  MAX_CONTROL_BODY_BYTES,
  MAX_EVENTS_TIMEOUT_S,
  SHARE_ROLES,
  isControlErrorCode,
  type AccountUsage,
  type ConflictInfo,
  type ChangeShareRoleRequest,
  type ConflictKeep,
  type ControlErrorBody,
  type ControlErrorCode,
  type ControlErrorOptions,
  type ControlMethod,
  type ControlRoute,
  type EngineControl,
  type EngineEvent,
  type EngineEventType,
  type EngineProblem,
  type EngineProgress,
  type EngineState,
  type EngineStatus,
  type EventBatch,
  type FileRevision,
  type FolderEntry,
  type ImportContent,
  type ImportedFile,
  type RestoreRevisionRequest,
  type ShareFolderRequest,
  type ShareInfo,
  type ShareList,
  type ListActivityRequest,
  type ResolveConflictRequest,
  type SequencedEvent,
  type SyncAction,
  type WaitForEventsRequest,
} from './contract.js';
export {
  createAccountControl,
  type AccountControl,
  type AccountControlOptions,
  type AccountServer,
  type ZipDownloadStream,
} from './account-control.js';
export { DownloadTickets, TICKET_PATTERN, type DownloadTicketOptions } from './download-tickets.js';
export { EventLog, type EventLogOptions } from './event-log.js';
export { createFileImport, numberedPath, type FileImportOptions } from './file-import.js';
export {
  createControlHandlers,
  type ControlHandler,
  type ControlHandlers,
  type ControlRequestInput,
} from './control-handlers.js';
export {
  startControlServer,
  type ControlServer,
  type ControlServerOptions,
} from './http-server.js';
export {
  validateChangeShareRoleBody,
  validateFolderQuery,
  validateImportContent,
  validateImportQuery,
  validateListActivityQuery,
  validateNoBody,
  validateNoQuery,
  validateResolveConflictBody,
  validateRestoreRevisionBody,
  validateRevisionsQuery,
  validateRevokeShareBody,
  validateShareFolderBody,
  validateWaitForEventsQuery,
  validateZipDownloadBody,
  type QueryFields,
} from './request-validation.js';
