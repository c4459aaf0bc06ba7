/**
 * One handler per EngineControl method: check the request's arguments strictly, then call the
 * engine. A mapped type over the methods, so a method without a handler fails to compile. No
 * HTTP here: the server (http-server.ts) hands in the parsed query, body and an abort signal.
 */
import {
  CONTROL_ROUTES,
  ControlError,
  type ControlMethod,
  type EngineControl,
} from './contract.js';
import {
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
  validateSettingsBody,
  validateFirstRunBody,
  type QueryFields,
} from './request-validation.js';

/** What a handler receives from the transport. */
export interface ControlRequestInput {
  readonly query: QueryFields;
  /** The parsed JSON body; undefined when the request had none. */
  readonly body: unknown;
  /** Aborted when the client goes away or the server shuts down. */
  readonly signal: AbortSignal;
}

/** A handler: resolves with the JSON value to answer, or throws a ControlError. */
export type ControlHandler = (input: ControlRequestInput) => Promise<unknown>;

/** Every method's handler. */
export type ControlHandlers = { readonly [M in ControlMethod]: ControlHandler };

/** The handlers over `control`; each refuses arguments its route does not take. */
export function createControlHandlers(control: EngineControl): ControlHandlers {
  const handlers: ControlHandlers = {
    getStatus: () => control.getStatus(),
    listConflicts: () => control.listConflicts(),
    resolveConflict: ({ body }) => {
      const { path, keep } = validateResolveConflictBody(body);
      return control.resolveConflict(path, keep);
    },
    describeConflict: ({ query }) => control.describeConflict(validateRevisionsQuery(query).path),
    pause: () => control.pause(),
    resume: () => control.resume(),
    allowMassDelete: () => control.allowMassDelete(),
    listActivity: ({ query }) => control.listActivity(validateListActivityQuery(query)),
    waitForEvents: async ({ query, signal }) => {
      const { after, timeoutSeconds } = validateWaitForEventsQuery(query);
      const batch = await control.waitForEvents(after, timeoutSeconds * 1000, signal);
      // Ended by a shutdown with nothing to say: tell the client why rather than "no news".
      if (batch.events.length === 0 && signal.aborted) {
        throw new ControlError('engine_stopped', 'the control API is shutting down');
      }
      return batch;
    },
    listFolder: ({ query }) => control.listFolder(validateFolderQuery(query).path),
    listRevisions: ({ query }) => control.listRevisions(validateRevisionsQuery(query).path),
    restoreRevision: ({ body }) => {
      const { path, rev } = validateRestoreRevisionBody(body);
      return control.restoreRevision(path, rev);
    },
    listShares: () => control.listShares(),
    shareFolder: ({ body }) => {
      const { path, email, role } = validateShareFolderBody(body);
      return control.shareFolder(path, email, role);
    },
    changeShareRole: ({ body }) => {
      const { shareId, role } = validateChangeShareRoleBody(body);
      return control.changeShareRole(shareId, role);
    },
    revokeShare: ({ body }) => control.revokeShare(validateRevokeShareBody(body).shareId),
    completeFirstRun: ({ body }) => control.completeFirstRun(validateFirstRunBody(body)),
    getSettings: () => control.getSettings(),
    updateSettings: ({ body }) => control.updateSettings(validateSettingsBody(body)),
    createZipDownload: ({ body }) => control.createZipDownload(validateZipDownloadBody(body).path),
    importFile: ({ query, body }) =>
      control.importFile(validateImportQuery(query).path, validateImportContent(body)),
  };
  return Object.fromEntries(
    (Object.keys(handlers) as ControlMethod[]).map((method) => [
      method,
      withInputCheck(method, handlers[method]),
    ]),
  ) as ControlHandlers;
}

/** Refuses a query on a route that takes none, and a body on a route that takes none. */
function withInputCheck(method: ControlMethod, handler: ControlHandler): ControlHandler {
  const { input } = CONTROL_ROUTES[method];
  return async (request) => {
    if (input !== 'query' && input !== 'file') validateNoQuery(request.query);
    if (input !== 'body' && input !== 'file') validateNoBody(request.body);
    return handler(request);
  };
}
