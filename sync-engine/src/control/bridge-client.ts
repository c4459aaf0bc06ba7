/**
 * An EngineControl made of one `send` function: every method becomes a request `{ query, body }`
 * for its route of CONTROL_ROUTES, so the browser's HTTP bridge, Electron's preload (IPC) and
 * the desktop main process (HTTP to its engine child) share one mapping from arguments to
 * requests, and each transport only carries it. The other end checks the request with the same
 * validators (control-handlers.ts). Pure: no `node:` import, no I/O of its own (`fetch` is
 * whatever the caller's platform provides).
 */
import {
  CONTROL_ROUTES,
  ControlError,
  isControlErrorCode,
  type ControlMethod,
  type EngineControl,
  type EngineSettings,
  type EngineStatus,
  type ImportedFile,
} from './contract.js';

/** A request for one method: query fields as strings (query routes), a JSON body (body routes). */
export interface BridgeRequest {
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** Carries a request and resolves with the method's JSON value, or throws a ControlError. */
export type BridgeSend = (
  method: ControlMethod,
  request: BridgeRequest,
  signal?: AbortSignal,
) => Promise<unknown>;

/** How replies cross a boundary that cannot carry exceptions (IPC), STYLE.md section 3. */
export type BridgeReply =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

type Arguments = Readonly<Record<string, string | number | undefined>>;

/** The EngineControl whose every call goes through `send`. */
export function createBridgeClient(send: BridgeSend): EngineControl {
  const call = <T>(method: ControlMethod, args: Arguments = {}, signal?: AbortSignal) =>
    send(method, requestOf(method, args), signal) as Promise<T>;
  return {
    getStatus: () => call('getStatus'),
    listConflicts: () => call('listConflicts'),
    resolveConflict: (path, keep) => call('resolveConflict', { path, keep }),
    describeConflict: (path) => call('describeConflict', { path }),
    pause: () => call('pause'),
    resume: () => call('resume'),
    allowMassDelete: () => call('allowMassDelete'),
    listActivity: (request) =>
      call('listActivity', { cursor: request.cursor, limit: request.limit }),
    waitForEvents: (after, timeoutMs, signal) =>
      call('waitForEvents', { after, timeout: Math.round(timeoutMs / 1000) }, signal),
    listFolder: (path) => call('listFolder', { path }),
    listRevisions: (path) => call('listRevisions', { path }),
    restoreRevision: (path, rev) => call('restoreRevision', { path, rev }),
    listShares: () => call('listShares'),
    shareFolder: (path, email, role) => call('shareFolder', { path, email, role }),
    changeShareRole: (shareId, role) => call('changeShareRole', { shareId, role }),
    revokeShare: (shareId) => call('revokeShare', { shareId }),
    createZipDownload: (path) => call('createZipDownload', { path }),
    getSettings: () => call('getSettings'),
    completeFirstRun: (request) =>
      send('completeFirstRun', { query: {}, body: request }) as Promise<EngineStatus>,
    updateSettings: (change) =>
      send('updateSettings', { query: {}, body: change }) as Promise<EngineSettings>,
    importFile: (path, content) =>
      send('importFile', { query: { path }, body: content }) as Promise<ImportedFile>,
  };
}

/** The request `method` takes for `args`: absent arguments are left out. */
function requestOf(method: ControlMethod, args: Arguments): BridgeRequest {
  const present = Object.entries(args).filter(([, value]) => value !== undefined);
  switch (CONTROL_ROUTES[method].input) {
    case 'query':
      return {
        query: Object.fromEntries(present.map(([k, v]) => [k, String(v)])),
        body: undefined,
      };
    case 'body':
      return { query: {}, body: Object.fromEntries(present) };
    case 'none':
    case 'file':
      return { query: {}, body: undefined };
  }
}

/** Options of {@link createFetchBridge}. */
export interface FetchBridgeOptions {
  /** The control API's access token. */
  readonly token: string;
  /** `http://127.0.0.1:PORT`; `''` for the page's own origin (relative URLs, in a browser). */
  readonly baseUrl: string;
  readonly fetch?: typeof fetch;
}

/**
 * An EngineControl over the control API with `fetch`: the browser UI's bridge, and the desktop
 * main process's link to its engine child. Never sends cookies; the token goes only to `baseUrl`.
 */
export function createFetchBridge(options: FetchBridgeOptions): EngineControl {
  const send = options.fetch ?? globalThis.fetch.bind(globalThis);
  return createBridgeClient(async (method, request, signal) => {
    const route = CONTROL_ROUTES[method];
    const query = new URLSearchParams(request.query).toString();
    const isFile = route.input === 'file';
    const init: RequestInit = {
      method: route.method,
      headers: {
        authorization: `Bearer ${options.token}`,
        ...(request.body === undefined
          ? {}
          : { 'content-type': isFile ? 'application/octet-stream' : 'application/json' }),
      },
      credentials: 'omit',
      ...(request.body === undefined
        ? {}
        : { body: isFile ? (request.body as Blob) : JSON.stringify(request.body) }),
      ...(signal === undefined ? {} : { signal }),
    };
    let response: Response;
    try {
      response = await send(
        `${options.baseUrl}${route.path}${query === '' ? '' : `?${query}`}`,
        init,
      );
    } catch (error) {
      if (signal?.aborted === true) throw error;
      throw new ControlError('engine_stopped', 'the engine cannot be reached', { cause: error });
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (response.ok) return body;
    throw controlErrorFrom((body as { error?: unknown } | undefined)?.error, response.status);
  });
}

/** The ControlError an error reply or answer body carries (unknown codes: `internal_error`). */
export function controlErrorFrom(error: unknown, status?: number): ControlError {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return new ControlError(
    isControlErrorCode(code) ? code : 'internal_error',
    typeof message === 'string' ? message : 'the engine answered with an error',
    status === undefined ? {} : { status },
  );
}
