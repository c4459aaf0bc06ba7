/**
 * EngineControl over the engine's loopback control API (`ferry sync --ui-port`): the bridge the
 * browser UI runs on. Paths come from the contract's route table, so no route is written twice.
 * Requests go to the page's own origin only (relative URLs), so the token never leaves it.
 */
import {
  CONTROL_ROUTES,
  ControlError,
  isControlErrorCode,
  type ControlMethod,
  type EngineControl,
} from 'sync-engine/control';

/** Options of {@link createHttpBridge}. */
export interface HttpBridgeOptions {
  /** The access token from the page's `#token=` fragment. */
  readonly token: string;
  /** Defaults to the page's own origin (`''`: relative URLs). */
  readonly baseUrl?: string;
  readonly fetch?: typeof fetch;
}

type Arguments = Record<string, string | number | undefined>;

/** An {@link EngineControl} whose every call is one HTTP request to the control API. */
export function createHttpBridge(options: HttpBridgeOptions): EngineControl {
  const send = options.fetch ?? globalThis.fetch.bind(globalThis);
  const base = options.baseUrl ?? '';

  async function call<T>(method: ControlMethod, args: Arguments = {}, signal?: AbortSignal) {
    const route = CONTROL_ROUTES[method];
    let url = `${base}${route.path}`;
    const init: RequestInit = {
      method: route.method,
      headers: { authorization: `Bearer ${options.token}` },
      credentials: 'omit',
      ...(signal === undefined ? {} : { signal }),
    };
    if (route.input === 'query') {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(args)) {
        if (value !== undefined) query.set(key, String(value));
      }
      const text = query.toString();
      if (text !== '') url += `?${text}`;
    } else if (route.input === 'body') {
      init.headers = { ...init.headers, 'content-type': 'application/json' };
      init.body = JSON.stringify(args);
    }
    let response: Response;
    try {
      response = await send(url, init);
    } catch (error) {
      if (signal?.aborted === true) throw error;
      throw new ControlError('engine_stopped', 'the engine cannot be reached', { cause: error });
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (response.ok) return body as T;
    throw errorFrom(response.status, body);
  }

  return {
    getStatus: () => call('getStatus'),
    listConflicts: () => call('listConflicts'),
    resolveConflict: (path, keep) => call('resolveConflict', { path, keep }),
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
  };
}

/** The ControlError an error answer carries (an unknown one becomes `internal_error`). */
function errorFrom(status: number, body: unknown): ControlError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${status}`;
  const code = isControlErrorCode(error?.code) ? error.code : 'internal_error';
  return new ControlError(code, message, { status });
}
