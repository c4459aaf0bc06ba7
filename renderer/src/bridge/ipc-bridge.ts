/**
 * The desktop window's bridge: EngineControl over the preload's `window.ferry.invoke`, which
 * carries each request to Electron's main process (app/preload/preload.ts). Replies arrive as
 * `{ ok, value | error }` and failures become ControlErrors again here.
 */
import type { EngineControl } from 'sync-engine/control';
import {
  controlErrorFrom,
  createBridgeClient,
  type BridgeReply,
  type BridgeRequest,
} from 'sync-engine/control-client';

/** What the preload exposes as `window.ferry`. */
export interface PreloadBridge {
  invoke(method: string, request: BridgeRequest): Promise<BridgeReply>;
}

export function createIpcBridge(preload: PreloadBridge): EngineControl {
  return createBridgeClient(async (method, request) => {
    // An AbortSignal cannot cross IPC: a long-poll ends at its timeout instead.
    const reply = await preload.invoke(method, { query: request.query, body: request.body });
    if (reply.ok) return reply.value;
    throw controlErrorFrom(reply.error);
  });
}
