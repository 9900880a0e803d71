import {
  actionResultSchema,
  configUpdateResultSchema,
  messagesResponseSchema,
  redisTestResultSchema,
  syncReportSchema,
  type Bridge,
} from '../../../shared/api';
import { contactsResponseSchema } from '../../../shared/contacts';
import { monitorEventSchema, snapshotSchema, type MonitorEvent } from '../../../shared/state';

/**
 * What electron/preload.ts exposes as `window.fogis` through contextBridge: the Bridge
 * methods (each one IPC invoke on the channel named in shared/api.ts `IPC`) and an event
 * registrar. The preload should import this type so both sides stay in step.
 */
export type FogisPreloadApi = Omit<Bridge, 'kind' | 'subscribe'> & {
  /** Registers a listener for `IPC.event`; returns the function that removes it. */
  onEvent(listener: (event: MonitorEvent) => void): () => void;
};

declare global {
  interface Window {
    fogis?: FogisPreloadApi;
  }
}

/**
 * The preload is trusted code, but what it forwards comes from the main process over a
 * structured-clone channel; parsing here keeps the renderer's one rule: nothing unparsed
 * reaches the store.
 */
export function createIpcBridge(api: FogisPreloadApi): Bridge {
  return {
    kind: 'ipc',
    getSnapshot: async () => snapshotSchema.parse(await api.getSnapshot()),
    getMessages: async (query) => messagesResponseSchema.parse(await (query ? api.getMessages(query) : api.getMessages())),
    syncNow: async () => syncReportSchema.parse(await api.syncNow()),
    confirmDeletions: async () => syncReportSchema.parse(await api.confirmDeletions()),
    confirmTakeover: async () => syncReportSchema.parse(await api.confirmTakeover()),
    restartSubscription: async () => actionResultSchema.parse(await api.restartSubscription()),
    testConnection: async () => redisTestResultSchema.parse(await api.testConnection()),
    acknowledgeAlerts: async (body) => actionResultSchema.parse(await api.acknowledgeAlerts(body)),
    setPaused: async (paused) => actionResultSchema.parse(await api.setPaused(paused)),
    muteNotifications: async (until) => actionResultSchema.parse(await api.muteNotifications(until)),
    updateConfig: async (patch) => configUpdateResultSchema.parse(await api.updateConfig(patch)),
    googleSignIn: async () => actionResultSchema.parse(await api.googleSignIn()),
    googleSignOut: async () => actionResultSchema.parse(await api.googleSignOut()),
    getContacts: async () => contactsResponseSchema.parse(await api.getContacts()),
    subscribe(onEvent, onLink) {
      const off = api.onEvent((raw) => {
        const parsed = monitorEventSchema.safeParse(raw);
        if (parsed.success) onEvent(parsed.data);
        else console.warn('[bridge] ignored an IPC event that does not match the contract');
      });
      // IPC has no link to lose while the window exists.
      onLink?.(true);
      return off;
    },
  };
}
