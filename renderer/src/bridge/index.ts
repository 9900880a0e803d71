import type { Bridge } from '../../../shared/contract';
import { createHttpBridge } from './http';
import { createIpcBridge } from './ipc';

export type { Bridge };
export { createHttpBridge } from './http';
export { createIpcBridge, type FogisPreloadApi } from './ipc';
export { createMemoryBridge, type MemoryBridge } from './memory';

/**
 * Picks the host the page runs in: Electron's preload exposes `window.fogis`; anywhere else
 * the page was served by the local server and talks HTTP + SSE to its own origin.
 */
export function pickBridge(win: Window = window): Bridge {
  if (win.fogis) return createIpcBridge(win.fogis);
  const url = new URL(win.location.href);
  const token = url.searchParams.get('token');
  if (token !== null) {
    // The server answered this address with the token as an HttpOnly cookie, which carries
    // every later request; the token leaves the address bar (history, screenshots, shared
    // links) and stays only in memory for this page's own calls.
    url.searchParams.delete('token');
    win.history.replaceState(win.history.state, '', url.pathname + url.search + url.hash);
  }
  return createHttpBridge({ token });
}
