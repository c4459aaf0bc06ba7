/**
 * Electron's preload script: exposes exactly one object, `window.ferry`, with one method,
 * `invoke(method, request)`, which carries a control request to main over `ferry:<method>` and
 * resolves with main's `{ ok, value | error }` reply. The renderer builds its EngineControl on it
 * (renderer/src/bridge/ipc-bridge.ts): a rejection crossing contextBridge keeps only its
 * message, so errors cross as replies and become ControlErrors again on the renderer's side.
 * Bundled into one file (sandboxed preloads cannot load modules); imports only electron.
 */
import { contextBridge, ipcRenderer } from 'electron';

const METHOD_PATTERN = /^[a-zA-Z]{1,40}$/;

contextBridge.exposeInMainWorld('ferry', {
  invoke: (method: unknown, request: unknown): Promise<unknown> => {
    if (typeof method !== 'string' || !METHOD_PATTERN.test(method)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'invalid_request', message: 'no such method' },
      });
    }
    return ipcRenderer.invoke(`ferry:${method}`, request);
  },
});
