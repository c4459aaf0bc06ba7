/**
 * The main process's side of the renderer's IPC bridge: one handler per EngineControl method on
 * channel `ferry:<method>`, each checking the payload's shape and then its arguments with the
 * control API's own validators (control-handlers.ts), answering `{ ok: true, value }` or
 * `{ ok: false, error: { code, message } }` (STYLE.md section 3). No Electron here: index.ts
 * registers these with ipcMain, and the tests call them directly with hostile payloads.
 */
import { ControlError, createControlHandlers, type EngineControl } from 'sync-engine';
import { CONTROL_ROUTES, type ControlMethod } from 'sync-engine/control';
import type { BridgeReply } from 'sync-engine/control-client';

/** The IPC channel of a method (the preload derives it the same way). */
export function ipcChannelOf(method: ControlMethod): `ferry:${ControlMethod}` {
  return `ferry:${method}`;
}

/** Every method, in the contract's order. */
export const IPC_METHODS = Object.keys(CONTROL_ROUTES) as ControlMethod[];

/** Handles one IPC call's payload; `signal` ends a long-poll when the window goes away. */
export type IpcHandler = (payload: unknown, signal: AbortSignal) => Promise<BridgeReply>;

/** The handlers over `control`, by channel. */
export function createIpcHandlers(
  control: EngineControl,
  onUnexpectedError: (error: unknown) => void = () => undefined,
): ReadonlyMap<string, IpcHandler> {
  const handlers = createControlHandlers(control);
  return new Map(
    IPC_METHODS.map((method) => [
      ipcChannelOf(method),
      async (payload: unknown, signal: AbortSignal): Promise<BridgeReply> => {
        try {
          const { query, body } = checkedPayload(payload);
          return { ok: true, value: await handlers[method]({ query, body, signal }) };
        } catch (error) {
          if (error instanceof ControlError && error.code !== 'internal_error') {
            return { ok: false, error: { code: error.code, message: error.message } };
          }
          onUnexpectedError(error);
          return { ok: false, error: { code: 'internal_error', message: 'internal error' } };
        }
      },
    ]),
  );
}

/** `{ query: { name: string… }, body?: JSON }` and nothing else. */
function checkedPayload(payload: unknown): {
  query: Readonly<Record<string, string>>;
  body: unknown;
} {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new ControlError('invalid_request', 'an IPC payload must be an object { query, body }');
  }
  for (const key of Object.keys(payload)) {
    if (key !== 'query' && key !== 'body') {
      throw new ControlError('invalid_request', `IPC payload field "${key}" is not known`);
    }
  }
  const { query = {}, body } = payload as { query?: unknown; body?: unknown };
  if (typeof query !== 'object' || query === null || Array.isArray(query)) {
    throw new ControlError('invalid_request', 'query must be an object of strings');
  }
  for (const value of Object.values(query)) {
    if (typeof value !== 'string') {
      throw new ControlError('invalid_request', 'query must be an object of strings');
    }
  }
  return { query: query as Record<string, string>, body };
}
