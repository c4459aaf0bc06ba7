/**
 * The browser UI's bridge: EngineControl over the engine's loopback control API
 * (`ferry sync --ui-port`), with relative URLs, so requests and the token go to the page's own
 * origin only. The request mapping and transport are the shared fetch bridge's.
 */
import type { EngineControl } from 'sync-engine/control';
import { createFetchBridge } from 'sync-engine/control-client';

/** An {@link EngineControl} whose every call is one request to this page's control API. */
export function createHttpBridge(options: { readonly token: string }): EngineControl {
  return createFetchBridge({ token: options.token, baseUrl: '' });
}
