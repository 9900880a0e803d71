import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC } from '../shared/ipc';
import type { MonitorEvent } from '../shared/state';
import type { FogisPreloadApi } from '../renderer/src/bridge/ipc';

/**
 * `window.fogis`: the Bridge over IPC, and nothing else. No raw ipcRenderer, no generic
 * invoke(channel): each method is bound to its one channel from shared/api.ts `IPC`, which
 * main checks again (electron/desktop/ipc.ts). Arguments go over the wire in the HTTP body
 * shapes so main parses them with the same schemas as the HTTP server.
 *
 * Runs sandboxed, where only `electron` can be required: scripts/build-electron.mjs bundles
 * this file and what it imports into dist/electron/preload.cjs.
 */

export type ExposedApi = FogisPreloadApi & { readonly kind: 'ipc' };

export const api: ExposedApi = {
  kind: 'ipc',
  getSnapshot: () => ipcRenderer.invoke(IPC.getSnapshot),
  getMessages: (query) => (query ? ipcRenderer.invoke(IPC.getMessages, query) : ipcRenderer.invoke(IPC.getMessages)),
  syncNow: () => ipcRenderer.invoke(IPC.syncNow),
  confirmDeletions: () => ipcRenderer.invoke(IPC.confirmDeletions),
  confirmTakeover: () => ipcRenderer.invoke(IPC.confirmTakeover),
  restartSubscription: () => ipcRenderer.invoke(IPC.restartSubscription),
  testConnection: () => ipcRenderer.invoke(IPC.testConnection),
  acknowledgeAlerts: (body) => ipcRenderer.invoke(IPC.acknowledgeAlerts, body),
  setPaused: (paused) => ipcRenderer.invoke(IPC.setPaused, { paused }),
  muteNotifications: (until) => ipcRenderer.invoke(IPC.muteNotifications, { until }),
  updateConfig: (patch) => ipcRenderer.invoke(IPC.updateConfig, patch),
  googleSignIn: () => ipcRenderer.invoke(IPC.googleSignIn),
  googleSignOut: () => ipcRenderer.invoke(IPC.googleSignOut),
  getContacts: () => ipcRenderer.invoke(IPC.getContacts),
  onEvent(listener) {
    // The IpcRendererEvent carries `sender`; it must not cross into the page.
    const forward = (_event: IpcRendererEvent, payload: MonitorEvent): void => listener(payload);
    ipcRenderer.on(IPC.event, forward);
    return () => {
      ipcRenderer.removeListener(IPC.event, forward);
    };
  },
};

contextBridge.exposeInMainWorld('fogis', api);
