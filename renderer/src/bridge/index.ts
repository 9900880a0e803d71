import type { Bridge } from '../../../shared/api';
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
  const token = new URLSearchParams(win.location.search).get('token');
  return createHttpBridge({ token });
}
