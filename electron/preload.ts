import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_CHANNEL, OPS, perOp, toWire, type OpName } from '../shared/contract-channels';
import type { ContractMethods, FogisPreloadApi } from '../shared/contract';
import type { MonitorEvent } from '../shared/state';

/**
 * `window.fogis`: the Bridge over IPC, and nothing else. No raw ipcRenderer, no generic
 * invoke(channel): each operation of the contract table is bound to its one channel, which
 * main checks again (electron/desktop/ipc.ts). Arguments go over the wire in the HTTP body
 * shapes so main parses them with the same schemas as the HTTP server.
 *
 * Runs sandboxed, where only `electron` can be required: scripts/build-electron.mjs bundles
 * this file and what it imports into dist/electron/preload.cjs. It imports only the zod-free
 * half of the table (the schemas are type-only here).
 */

export type ExposedApi = FogisPreloadApi & { readonly kind: 'ipc' };

const invoke = (name: OpName) => (...args: unknown[]) => ipcRenderer.invoke(OPS[name].channel, ...toWire(OPS[name].arg, args));

export const api: ExposedApi = {
  kind: 'ipc',
  ...perOp<ContractMethods>(invoke),
  onEvent(listener) {
    // The IpcRendererEvent carries `sender`; it must not cross into the page.
    const forward = (_event: IpcRendererEvent, payload: MonitorEvent): void => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld('fogis', api);
