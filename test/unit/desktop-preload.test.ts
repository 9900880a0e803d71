import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('../harness/fake-electron'));

import { fake } from '../harness/fake-electron';
import { IPC } from '../../shared/api';
import type { ExposedApi } from '../../electron/preload';
import type { MonitorEvent } from '../../shared/state';

/** The Bridge's methods, from the contract's channel table (one channel per method). */
const BRIDGE_METHODS = Object.keys(IPC).filter((k) => k !== 'event');

describe('preload: window.fogis', () => {
  let api: ExposedApi;
  beforeAll(async () => {
    fake.reset();
    await import('../../electron/preload');
    api = fake.contextBridge.exposed.get('fogis') as ExposedApi;
  });

  it('exposes one object under `fogis`, and nothing else', () => {
    expect([...fake.contextBridge.exposed.keys()]).toEqual(['fogis']);
  });

  it('has exactly the Bridge methods plus kind and onEvent', () => {
    expect(Object.keys(api).sort()).toEqual([...BRIDGE_METHODS, 'kind', 'onEvent'].sort());
    expect(api.kind).toBe('ipc');
    for (const k of [...BRIDGE_METHODS, 'onEvent']) expect(typeof (api as unknown as Record<string, unknown>)[k]).toBe('function');
    // Nothing that would hand the page a raw IPC primitive.
    for (const forbidden of ['invoke', 'send', 'on', 'ipcRenderer', 'subscribe']) expect(api).not.toHaveProperty(forbidden);
  });

  it('forwards every method to its own channel in the HTTP body shape', async () => {
    fake.ipcRenderer.invocations = [];
    await api.getSnapshot();
    await api.getMessages();
    await api.syncNow();
    await api.confirmDeletions();
    await api.confirmTakeover();
    await api.restartSubscription();
    await api.testConnection();
    await api.acknowledgeAlerts({ ids: ['a1'] });
    await api.setPaused(true);
    await api.muteNotifications('2026-05-10T18:00:00Z');
    await api.updateConfig({ ui: { language: 'sv' } });
    await api.googleSignIn();
    await api.googleSignOut();
    await api.getContacts();
    expect(fake.ipcRenderer.invocations).toEqual([
      { channel: IPC.getSnapshot, args: [] },
      { channel: IPC.getMessages, args: [] },
      { channel: IPC.syncNow, args: [] },
      { channel: IPC.confirmDeletions, args: [] },
      { channel: IPC.confirmTakeover, args: [] },
      { channel: IPC.restartSubscription, args: [] },
      { channel: IPC.testConnection, args: [] },
      { channel: IPC.acknowledgeAlerts, args: [{ ids: ['a1'] }] },
      { channel: IPC.setPaused, args: [{ paused: true }] },
      { channel: IPC.muteNotifications, args: [{ until: '2026-05-10T18:00:00Z' }] },
      { channel: IPC.updateConfig, args: [{ ui: { language: 'sv' } }] },
      { channel: IPC.googleSignIn, args: [] },
      { channel: IPC.googleSignOut, args: [] },
      { channel: IPC.getContacts, args: [] },
    ]);
    const used = new Set(fake.ipcRenderer.invocations.map((i) => i.channel));
    expect(used.size).toBe(BRIDGE_METHODS.length);
  });

  it('returns what main answered', async () => {
    fake.ipcRenderer.reply = (channel) => ({ channel });
    await expect(api.syncNow()).resolves.toEqual({ channel: IPC.syncNow });
  });

  it('delivers events without the IPC event object, and unsubscribes', () => {
    const got: unknown[][] = [];
    const off = api.onEvent((...args: unknown[]) => got.push(args));
    const ev: MonitorEvent = { kind: 'messages', entries: [], total: 7 };
    fake.ipcRenderer.emit(IPC.event, { sender: 'secret' }, ev);
    expect(got).toEqual([[ev]]);
    expect(fake.ipcRenderer.listenerCount(IPC.event)).toBe(1);
    off();
    expect(fake.ipcRenderer.listenerCount(IPC.event)).toBe(0);
    fake.ipcRenderer.emit(IPC.event, {}, ev);
    expect(got).toHaveLength(1);
  });
});
