/**
 * The UI's entry: picks the bridge (Electron's preload `window.ferry`, else the control API
 * with the page's token) and renders the window with it. The only file that touches globals.
 */
import { render } from 'preact';
import type { EngineControl } from 'sync-engine/control';
import { App } from './app.js';
import { createHttpBridge } from './bridge/http-bridge.js';
import { createIpcBridge, type PreloadBridge } from './bridge/ipc-bridge.js';
import { takePageToken } from './bridge/page-token.js';

declare global {
  interface Window {
    /** Set by Electron's preload script (app/preload); absent in a browser. */
    readonly ferry?: PreloadBridge;
  }
}

function pickBridge(): EngineControl {
  if (window.ferry !== undefined) return createIpcBridge(window.ferry);
  const token = takePageToken({
    location: window.location,
    storage: window.sessionStorage,
    replaceUrl: (url) => window.history.replaceState(null, '', url),
  });
  // Without a token every call answers 401 and the window says how to get one.
  return createHttpBridge({ token: token ?? 'missing-token-000000' });
}

const root = document.getElementById('app');
if (root !== null) render(<App control={pickBridge()} />, root);
