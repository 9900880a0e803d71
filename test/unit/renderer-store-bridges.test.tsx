// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { MessageLogEntry, MonitorEvent } from '../../shared/state';
import { createAppStore, MESSAGE_BUFFER_CAP } from '../../renderer/src/store';
import { createHttpBridge } from '../../renderer/src/bridge/http';
import { createIpcBridge, type FogisPreloadApi } from '../../renderer/src/bridge/ipc';
import { createMemoryBridge } from '../../renderer/src/bridge/memory';
import { pickBridge } from '../../renderer/src/bridge';
import { App } from '../../renderer/src/App';
import { renderApp, snapshotAfterRun } from '../harness/renderer-fixture';

afterEach(cleanup);

const entry = (seq: number, channel = 'fogis:processor:status', type = 'processing_status'): MessageLogEntry => ({
  seq,
  at: new Date().toISOString(),
  channel,
  type,
  messageId: `m${seq}`,
  bytes: 10,
  preview: JSON.stringify({ type, payload: { status: 'started' }, n: seq }),
});

describe('store', () => {
  it('keeps the newest 5,000 messages and the separate total', async () => {
    const bridge = createMemoryBridge(snapshotAfterRun());
    const store = createAppStore(bridge, { navigatorLanguage: 'en' });
    const stop = store.getState().start();
    await store.getState().refresh();
    const batch = Array.from({ length: 6_000 }, (_, i) => entry(i + 1));
    store.getState().apply({ kind: 'messages', entries: batch.slice(0, 3_000), total: 3_000 });
    store.getState().apply({ kind: 'messages', entries: batch.slice(3_000), total: 6_000 });
    const s = store.getState();
    expect(s.messages).toHaveLength(MESSAGE_BUFFER_CAP);
    expect(s.messages[0]!.seq).toBe(1_001);
    expect(s.messagesTotal).toBe(6_000);
    // Entries already seen (replayed after a reconnect) are not added twice.
    store.getState().apply({ kind: 'messages', entries: batch.slice(5_990), total: 6_000 });
    expect(store.getState().messages.at(-1)!.seq).toBe(6_000);
    expect(store.getState().messages).toHaveLength(MESSAGE_BUFFER_CAP);
    stop();
  });

  it('pause holds new entries back; resume shows them; clear empties the view but not the total', () => {
    const store = createAppStore(createMemoryBridge(snapshotAfterRun()));
    store.getState().apply({ kind: 'messages', entries: [entry(1)], total: 1 });
    store.getState().setInspectorPaused(true);
    store.getState().apply({ kind: 'messages', entries: [entry(2), entry(3)], total: 3 });
    expect(store.getState().messages.map((m) => m.seq)).toEqual([1]);
    expect(store.getState().heldBack).toHaveLength(2);
    expect(store.getState().messagesTotal).toBe(3);
    store.getState().setInspectorPaused(false);
    expect(store.getState().messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    store.getState().clearInspector();
    expect(store.getState().messages).toHaveLength(0);
    expect(store.getState().messagesTotal).toBe(3);
  });

  it('merges alert and change events without duplicates', async () => {
    const bridge = createMemoryBridge(snapshotAfterRun());
    const store = createAppStore(bridge);
    await store.getState().refresh();
    const a = bridge.snapshot.alerts.items[0]!;
    store.getState().apply({ kind: 'alert', alert: { ...a, id: 'x' } });
    store.getState().apply({ kind: 'alert', alert: { ...a, id: 'x', acknowledged: true } });
    expect(store.getState().snapshot!.alerts.items.map((i) => i.id)).toEqual(['x', 'a1']);
    expect(store.getState().snapshot!.alerts.items[0]!.acknowledged).toBe(true);
    const c = bridge.snapshot.matches.history[0]!;
    store.getState().apply({ kind: 'changes', changes: [c] });
    expect(store.getState().snapshot!.matches.history).toHaveLength(3);
  });
});

describe('Messages page', () => {
  it('filters by channel and type, pretty-prints, and lists rejected messages with the reason', async () => {
    const s = snapshotAfterRun();
    s.rejected = { items: [{ at: s.now, channel: 'fogis:matches:updates', reason: 'invalid_json', error: 'Unexpected end of JSON input', head: '{"type":', bytes: 8 }], total: 4, cap: 200 };
    renderApp(s, { messages: [entry(1), entry(2, 'fogis:matches:updates', 'match_updates'), entry(3, 'fogis:system:alerts', 'system_alert')] });
    fireEvent.click(await screen.findByTestId('tab-messages'));
    expect(await screen.findAllByTestId('message-row')).toHaveLength(3);
    fireEvent.change(screen.getByTestId('filter-channel'), { target: { value: 'fogis:matches:updates' } });
    expect(screen.getAllByTestId('message-row').map((r) => r.dataset.type)).toEqual(['match_updates']);
    fireEvent.change(screen.getByTestId('filter-channel'), { target: { value: '' } });
    fireEvent.change(screen.getByTestId('filter-type'), { target: { value: 'system_alert' } });
    expect(screen.getAllByTestId('message-row').map((r) => r.dataset.channel)).toEqual(['fogis:system:alerts']);
    const details = screen.getByTestId('message-row').querySelector('details')!;
    details.open = true;
    fireEvent(details, new Event('toggle'));
    expect((await screen.findByTestId('message-json')).textContent).toContain('\n  "type": "system_alert"');
    expect(screen.getByTestId('rejected-row').dataset.reason).toBe('invalid_json');
    expect(screen.getByTestId('rejected-row').textContent).toContain('not valid JSON');
    expect(screen.getByTestId('rejected-total').textContent).toBe('1 kept, 4 in total');
  });
});

class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static instances: FakeEventSource[] = [];
  readyState = FakeEventSource.CONNECTING;
  onopen: (() => void) | null = null;
  onmessage: ((m: MessageEvent<string>) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }
  open(): void {
    this.readyState = FakeEventSource.OPEN;
    this.onopen?.();
  }
  send(data: unknown): void {
    this.onmessage?.({ data: typeof data === 'string' ? data : JSON.stringify(data) } as MessageEvent<string>);
  }
  fail(closed: boolean): void {
    this.readyState = closed ? FakeEventSource.CLOSED : FakeEventSource.CONNECTING;
    this.onerror?.();
  }
  close(): void {
    this.readyState = FakeEventSource.CLOSED;
  }
}

const jsonResponse = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('HTTP bridge', () => {
  it('sends JSON with the token and reads 400 answers as values', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const fetchImpl = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
      calls.push({ url: String(url), init: init ?? {} });
      if (String(url).endsWith('/api/config')) {
        return jsonResponse(400, { success: false, error: 'Invalid settings', errors: [{ path: 'redis.url', message: 'bad' }] });
      }
      if (String(url).endsWith('/redis-test')) {
        return jsonResponse(200, { success: true, test_results: { ping_ms: 1.5, pubsub_roundtrip_ms: 3 }, timestamp: 'x' });
      }
      if (String(url).endsWith('/api/sync')) return new Response('<html>bad gateway</html>', { status: 502 });
      return jsonResponse(200, { success: true });
    });
    const bridge = createHttpBridge({ fetchImpl: fetchImpl as typeof fetch, token: 'tok' });
    const cfg = await bridge.updateConfig({ redis: { url: 'x' } });
    // A refusal without a code of its own is said by its status (issue 14.1: never the server's English in Swedish).
    expect(cfg).toEqual({ success: false, error: 'Invalid settings', errors: [{ path: 'redis.url', message: 'bad' }], errorCode: { key: 'fail.badRequest', params: { status: 400 } } });
    expect(calls[0]!.init.method).toBe('PUT');
    expect((calls[0]!.init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
    expect((calls[0]!.init.headers as Record<string, string>).Authorization).toBe('Bearer tok');
    expect(await bridge.testConnection()).toEqual({ success: true, ping_ms: 1.5, pubsub_roundtrip_ms: 3 });
    const sync = await bridge.syncNow();
    expect(sync.success).toBe(false);
    expect(sync.error).toBe('HTTP 502');
    expect(sync.errorCode).toEqual({ key: 'fail.serverError', params: { status: 502 } });
    await bridge.acknowledgeAlerts({ all: true });
    expect(calls.at(-1)!.init.body).toBe('{"all":true}');
    // Unreachable host: the promise rejects.
    const down = createHttpBridge({ fetchImpl: (async () => { throw new TypeError('Failed to fetch'); }) as typeof fetch });
    await expect(down.syncNow()).rejects.toThrow('Failed to fetch');
  });

  it('validates events, reports the link, and reopens a stream the browser gave up on', async () => {
    vi.useFakeTimers();
    try {
      FakeEventSource.instances = [];
      const bridge = createHttpBridge({ EventSourceImpl: FakeEventSource as unknown as typeof EventSource, reopenDelayMs: 100 });
      const events: MonitorEvent[] = [];
      const links: boolean[] = [];
      const off = bridge.subscribe((e) => events.push(e), (up) => links.push(up));
      const es = FakeEventSource.instances[0]!;
      expect(es.url).toBe('/api/events');
      es.open();
      es.send({ kind: 'snapshot', snapshot: snapshotAfterRun() });
      es.send({ kind: 'messages', entries: [], total: 'many' });
      es.send('not json');
      expect(events.map((e) => e.kind)).toEqual(['snapshot']);
      // Server restart: the browser retries by itself (CONNECTING) …
      es.fail(false);
      expect(FakeEventSource.instances).toHaveLength(1);
      es.open();
      // … but a proxy error page closes the stream for good; then we open a new one.
      es.fail(true);
      vi.advanceTimersByTime(100);
      expect(FakeEventSource.instances).toHaveLength(2);
      FakeEventSource.instances[1]!.open();
      expect(links).toEqual([true, false, true, false, true]);
      off();
      expect(FakeEventSource.instances[1]!.readyState).toBe(FakeEventSource.CLOSED);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('IPC bridge', () => {
  it('is picked when the preload exposed window.fogis, and parses what it forwards', async () => {
    const snapshot = snapshotAfterRun();
    let emit: (e: unknown) => void = () => undefined;
    const api = {
      getSnapshot: async () => snapshot,
      getMessages: async () => ({ entries: [], total: 0, cap: 5000 }),
      syncNow: async () => ({ success: true, inserted: 1, updated: 0, deleted: 0, unchanged: 2, failed: 0, held: 0, summary: '' }),
      confirmDeletions: async () => ({ bogus: true }),
      restartSubscription: async () => ({ success: true }),
      testConnection: async () => ({ success: true, ping_ms: 1, pubsub_roundtrip_ms: 1 }),
      acknowledgeAlerts: async () => ({ success: true }),
      setPaused: async () => ({ success: true }),
      muteNotifications: async () => ({ success: true }),
      updateConfig: async () => ({ success: true, config: snapshot.config, applied: [] }),
      googleSignIn: async () => ({ success: true }),
      googleSignOut: async () => ({ success: true }),
      onEvent: (cb: (e: unknown) => void) => {
        emit = cb;
        return () => undefined;
      },
    } as unknown as FogisPreloadApi;
    window.fogis = api;
    try {
      const bridge = pickBridge(window);
      expect(bridge.kind).toBe('ipc');
      await expect(bridge.confirmDeletions()).rejects.toThrow();
      const got: MonitorEvent[] = [];
      createIpcBridge(api).subscribe((e) => got.push(e));
      emit({ kind: 'nope' });
      emit({ kind: 'changes', changes: [] });
      expect(got).toEqual([{ kind: 'changes', changes: [] }]);
      window.history.replaceState(null, '', '/');
      render(<App bridge={bridge} storeOptions={{ navigatorLanguage: 'en' }} />);
      fireEvent.click(await screen.findByTestId('sync-now'));
      expect((await screen.findByTestId('sync-result')).textContent).toBe('1 added, 0 updated, 0 deleted, 0 failed, 2 already up to date');
    } finally {
      delete window.fogis;
    }
  });

  it('falls back to HTTP in a browser', () => {
    expect(pickBridge(window).kind).toBe('http');
  });

  it('takes ?token= out of the address bar (the server turned it into a cookie)', () => {
    window.history.replaceState(null, '', '/?lang=sv&token=abc123def#alerts');
    expect(pickBridge(window).kind).toBe('http');
    expect(window.location.search).toBe('?lang=sv');
    expect(window.location.hash).toBe('#alerts');
    expect(window.location.href).not.toContain('abc123def');
    window.history.replaceState(null, '', '/');
  });
});
