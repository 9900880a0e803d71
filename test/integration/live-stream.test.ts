import { request, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bridge } from '../../shared/contract';
import { monitorEventSchema, type MonitorEvent, type Snapshot } from '../../shared/state';
import { createAppStore, type AppStore } from '../../renderer/src/store';
import { matchList } from '../../bench/messages';
import { FAST_REDIS_ENV, REPO_ROOT, startCore, waitUntil, type TestCore } from '../harness/app';
import { liveFixture } from '../harness/fixture';
import { startRedis, type TestRedis } from '../harness/redis-server';
import { Redis } from 'ioredis';
import v8 from 'node:v8';
import { createGunzip } from 'node:zlib';
import { runInNewContext } from 'node:vm';
import { LIVE_STREAM_LIMITS } from '../../electron/core/http/live-stream';

/**
 * The live stream (`/api/events`) against the real core and Redis: pushes carry changes only
 * and a dashboard store that applies them ends up where the core is (issue 12); clients that
 * never read cannot make the server queue without bound, and the number of streams is capped
 * (issue 9 finding 3); `/api/messages` comes in pages.
 */

type Json = Record<string, unknown>;
const MATCHES = 'fogis:matches:updates';
const template = JSON.parse(liveFixture().find((l) => l.channel === MATCHES)?.raw ?? '{}') as Json;
let seq = 0;
function listMessage(matches: Json[]): string {
  return JSON.stringify({ ...template, message_id: `live-${process.pid}-${++seq}`, payload: { ...(template.payload as Json), matches } });
}
function statusMessage(i: number): string {
  return JSON.stringify({ message_id: `status-${process.pid}-${i}`, timestamp: new Date().toISOString(), source: 'match-list-processor', version: '1.0', type: 'processing_status', payload: { status: 'completed', timestamp: new Date().toISOString(), details: { cycle: i } } });
}

/** A reading client: every frame parsed, every chunk's size kept, events applied to a dashboard store. */
interface Reader {
  events: MonitorEvent[];
  /** Per push: decoded bytes, and bytes on the wire (gzip when the reader asks for it, as a browser does). */
  chunks: Array<{ at: number; bytes: number; wire: number; kinds: string[] }>;
  store: AppStore;
  status: number;
  close(): void;
}

function openReader(port: number, opts: { gzip?: boolean } = {}): Promise<Reader> {
  const noBridge = {} as Bridge;
  const store = createAppStore(noBridge, { navigatorLanguage: 'en' });
  return new Promise((resolve, reject) => {
    const events: MonitorEvent[] = [];
    const chunks: Reader['chunks'] = [];
    let buf = '';
    let wireSeen = 0;
    const headers = opts.gzip ? { 'Accept-Encoding': 'gzip, deflate' } : undefined;
    const req = request({ host: '127.0.0.1', port, path: '/api/events', agent: false, headers }, (res: IncomingMessage) => {
      const body = res.headers['content-encoding'] === 'gzip' ? res.pipe(createGunzip()) : res;
      body.setEncoding('utf8');
      body.on('data', (d: string) => {
        buf += d;
        const kinds: string[] = [];
        let bytes = 0;
        let i: number;
        while ((i = buf.indexOf('\n\n')) !== -1) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (!frame.startsWith('data: ')) continue;
          bytes += Buffer.byteLength(frame) + 2;
          const e = monitorEventSchema.parse(JSON.parse(frame.slice(6)));
          events.push(e);
          kinds.push(e.kind);
          store.getState().apply(e);
        }
        if (kinds.length > 0) {
          const wire = req.socket?.bytesRead ?? 0;
          chunks.push({ at: Date.now(), bytes, wire: wire - wireSeen, kinds });
          wireSeen = wire;
        }
      });
      resolve({ events, chunks, store, status: res.statusCode ?? 0, close: () => req.destroy() });
    });
    req.on('error', (err) => (err.message.includes('socket hang up') ? undefined : reject(err)));
    req.end();
  });
}

/** A client that sends the request and then never reads a byte. */
function openStalled(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => {
      s.write(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      s.pause();
      resolve(s);
    });
    s.on('error', reject);
  });
}

/** Heap in use after a full collection, so garbage does not count as growth. */
function heapAfterGc(): number {
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const byId = (list: Json[]): Json[] => [...list].sort((a, b) => Number(a.matchid) - Number(b.matchid));

/** What a dashboard shows from the stream equals the core's own state. */
function expectSameState(view: Snapshot, core: Snapshot): void {
  expect(byId(view.matches.list as unknown as Json[])).toEqual(byId(core.matches.list as unknown as Json[]));
  expect(view.matches.messageId).toBe(core.matches.messageId);
  expect(view.matches.historyTotal).toBe(core.matches.historyTotal);
  expect(view.matches.history.map((c) => `${c.messageId}|${c.matchId}|${c.kind}`)).toEqual(core.matches.history.map((c) => `${c.messageId}|${c.matchId}|${c.kind}`));
  expect(view.alerts).toEqual(core.alerts);
  expect(view.rejected).toEqual(core.rejected);
  expect(view.calendar.perMatch).toEqual(core.calendar.perMatch);
  expect(view.counters.messages_received).toBe(core.counters.messages_received);
}

describe('live stream: one snapshot, then changes only', () => {
  let redis: TestRedis;
  let app: TestCore;
  let pub: Redis;
  let port: number;

  beforeAll(async () => {
    redis = await startRedis();
    app = await startCore({ REDIS_URL: redis.url, ...FAST_REDIS_ENV });
    port = Number(new URL(app.baseUrl).port);
    pub = new Redis(redis.url);
    await waitUntil(() => app.core.snapshot().connection.subscribed, 10_000, 'subscribed');
  });
  afterAll(async () => {
    pub?.disconnect();
    await app?.stop();
    await redis?.stop();
  });

  const received = (n: number) => waitUntil(() => app.core.snapshot().counters.messages_processed >= n, 20_000, `${n} processed`);
  const quiet = async (r: Reader, ms = 400): Promise<void> => {
    await waitUntil(() => (r.chunks.at(-1)?.at ?? 0) < Date.now() - ms, 20_000, 'the stream to go quiet', 50);
  };

  it('a push for one changed match in a 1000-match list is under 5 KB, and the dashboard store ends where the core is', async () => {
    const list = matchList(REPO_ROOT, 1000) as Json[];
    await pub.publish(MATCHES, listMessage(list));
    await received(1);
    // Settled: every event written, so what follows is the one change, not the first list's tail.
    await waitUntil(() => app.core.snapshot().calendar.lastSyncAt !== null && app.core.snapshot().calendar.pending === 0, 20_000, 'calendar written');
    const reader = await openReader(port, { gzip: true });
    try {
      await waitUntil(() => reader.events.length > 0, 5000, 'the snapshot');
      expect(reader.events[0]?.kind).toBe('snapshot');
      const snapshotBytes = reader.chunks.reduce((n, c) => n + c.bytes, 0);
      await quiet(reader);
      const from = reader.chunks.length;
      const fromEvent = reader.events.length;
      const changed = structuredClone(list);
      changed[500] = { ...changed[500], anlaggningnamn: 'Nya Ullevi' };
      await pub.publish(MATCHES, listMessage(changed));
      await received(2);
      await waitUntil(() => reader.events.slice(fromEvent).some((e) => e.kind === 'matches'), 10_000, 'the matches change').catch((err: unknown) => {
        console.log('events so far:', reader.events.map((e) => e.kind).join(','));
        throw err;
      });
      await quiet(reader, 600);
      const pushes = reader.chunks.slice(from);
      const biggest = Math.max(...pushes.map((c) => c.wire));
      const matchesPush = pushes.find((c) => c.kinds.includes('matches'));
      const delta = reader.events.slice(fromEvent).find((e) => e.kind === 'matches');
      for (const e of reader.events.slice(fromEvent)) if (e.kind === 'state') console.log('[live-stream] state parts', Object.entries(e.patch).map(([k, v]) => `${k} ${JSON.stringify(v).length}`).join(', '));
      if (delta?.kind !== 'matches') throw new Error('no matches event');
      expect(delta.upsert.map((m) => m.matchid)).toEqual([changed[500]!.matchid]);
      expect(delta.remove).toEqual([]);
      console.log(`[live-stream] snapshot ${snapshotBytes} B; after one changed match: ${pushes.length} pushes, ${pushes.map((p) => `${p.bytes} B (${p.wire} B gzip) [${p.kinds.join(',')}]`).join('; ')}`);
      // Issue 12's target is per push, as a dashboard receives it (the reader asks for gzip as
      // Chromium does; the bench measures the same): no push above 5 KB on the wire. Decoded,
      // everything the list caused up to its matches change (connection, counters, status,
      // message log, change history and the match itself; how these fall into pushes depends
      // on the 100 ms batches) stays small too: measured 4.8–5.6 KB, against 1 MB per push
      // before.
      const listPush = pushes.slice(0, pushes.findIndex((c) => c.kinds.includes('matches')) + 1).reduce((n, c) => n + c.bytes, 0);
      expect(matchesPush).toBeDefined();
      expect(biggest).toBeLessThanOrEqual(5 * 1024);
      expect(listPush).toBeLessThanOrEqual(8 * 1024);
      expect(snapshotBytes).toBeGreaterThan(1_000_000);

      // Removals, new matches, a rejected message and acknowledged alerts, applied by the store.
      const next = changed.filter((_, i) => i % 100 !== 7).concat((matchList(REPO_ROOT, 1003) as Json[]).slice(1000));
      await pub.publish(MATCHES, listMessage(next));
      await pub.publish(MATCHES, '{not json');
      await pub.publish('fogis:system:alerts', JSON.stringify({ message_id: `alert-${process.pid}`, timestamp: new Date().toISOString(), source: 'match-list-processor', version: '1.0', type: 'system_alert', payload: { alert_type: 'x', severity: 'warning', message: 'test alert', details: {} } }));
      await received(4);
      await waitUntil(() => app.core.snapshot().matches.list.length === 993, 10_000, 'the new list applied');
      app.core.handlers.acknowledgeAlerts({ all: true });
      await waitUntil(() => Object.values(app.core.snapshot().calendar.perMatch).length === 993, 20_000, 'calendar in step');
      await quiet(reader, 800);
      expectSameState(reader.store.getState().snapshot!, app.core.snapshot());
    } finally {
      reader.close();
    }
  }, 90_000);

  it(`${50} clients that never read: per-client unsent bytes stay bounded, healthy clients keep receiving`, async () => {
    const healthy = [await openReader(port), await openReader(port)];
    const stalled: Socket[] = [];
    for (let i = 0; i < 50; i++) stalled.push(await openStalled(port));
    const snapshotBytes = JSON.stringify({ kind: 'snapshot', snapshot: app.core.snapshot() }).length;
    const heap0 = heapAfterGc();
    let maxBuffered = 0;
    let maxEvent = 0;
    try {
      await waitUntil(() => (app.core.liveStreamStats()?.clients ?? 0) >= 52, 10_000, '52 stream clients');
      const base = matchList(REPO_ROOT, 300) as Json[];
      const before = app.core.snapshot().counters.messages_processed;
      const lists = 40;
      for (let n = 0; n < lists; n++) {
        // Every match changes in every list: about 600 KB of changes per push.
        const list = base.map((m) => ({ ...m, anlaggningnamn: `Arena ${n}`, matchnr: `${m.matchnr}-${n}` }));
        const text = listMessage(list);
        maxEvent = Math.max(maxEvent, JSON.stringify({ kind: 'matches', upsert: list }).length);
        await pub.publish(MATCHES, text);
        const stats = app.core.liveStreamStats();
        maxBuffered = Math.max(maxBuffered, ...(stats?.buffered ?? [0]));
        await new Promise((r) => setTimeout(r, 60));
      }
      await waitUntil(() => app.core.snapshot().counters.messages_processed >= before + lists, 60_000, 'every list processed');
      for (let i = 0; i < 20; i++) {
        maxBuffered = Math.max(maxBuffered, ...(app.core.liveStreamStats()?.buffered ?? [0]));
        await new Promise((r) => setTimeout(r, 50));
      }
      const stats = app.core.liveStreamStats();
      const heapGrowthMb = (heapAfterGc() - heap0) / 1024 / 1024;
      const unsentMb = (stats?.buffered ?? []).reduce((a, b) => a + b, 0) / 1024 / 1024;
      console.log(`[live-stream] 50 stalled + 2 healthy clients, ${lists} lists of 300 changed matches: max unsent per client ${(maxBuffered / 1024).toFixed(0)} KB (snapshot ${(snapshotBytes / 1024).toFixed(0)} KB, largest push ${(maxEvent / 1024).toFixed(0)} KB), all clients ${unsentMb.toFixed(1)} MB unsent, events skipped ${stats?.skipped}, heap growth after GC ${heapGrowthMb.toFixed(0)} MB`);
      // The snapshot, then at most the limit plus one push, never a queue of pushes.
      expect(maxBuffered).toBeLessThanOrEqual(snapshotBytes + LIVE_STREAM_LIMITS.maxBufferedBytes + maxEvent * 1.2);
      expect(stats?.skipped ?? 0).toBeGreaterThan(0);
      // Unbounded, 50 clients × 40 pushes × ~600 KB would be over 1 GB in Node's buffers.
      expect(unsentMb).toBeLessThan(52 * (snapshotBytes + LIVE_STREAM_LIMITS.maxBufferedBytes + maxEvent * 1.2) / 1024 / 1024);
      // The unsent bytes are heap strings (bounded just above); beside them the core's state for
      // 40 lists of 300 changed matches and this test's two dashboards: 80-220 MB in CI runs.
      expect(heapGrowthMb - unsentMb).toBeLessThan(300);
      for (const h of healthy) {
        await waitUntil(() => h.store.getState().snapshot?.matches.messageId === app.core.snapshot().matches.messageId, 20_000, 'healthy client up to date');
        expect(byId(h.store.getState().snapshot!.matches.list as unknown as Json[])).toEqual(byId(app.core.snapshot().matches.list as unknown as Json[]));
      }
      expect((await fetch(`${app.baseUrl}/health`)).status).toBe(200);
    } finally {
      for (const h of healthy) h.close();
      for (const s of stalled) s.destroy();
    }
    await waitUntil(() => app.core.liveStreamStats()?.clients === 0, 10_000, 'streams closed');
  }, 120_000);

  it(`at most ${LIVE_STREAM_LIMITS.maxClients} streams at once: the next gets 503 with a JSON reason`, async () => {
    const socks: Socket[] = [];
    try {
      for (let i = 0; i < LIVE_STREAM_LIMITS.maxClients; i++) socks.push(await openStalled(port));
      await waitUntil(() => app.core.liveStreamStats()?.clients === LIVE_STREAM_LIMITS.maxClients, 10_000, 'streams at the cap');
      const over = await fetch(`${app.baseUrl}/api/events`);
      expect(over.status).toBe(503);
      expect(over.headers.get('content-type')).toMatch(/application\/json/);
      expect(await over.json()).toMatchObject({ success: false, error: expect.stringMatching(/Too many live-stream clients/) });
      expect(app.core.liveStreamStats()?.refused).toBeGreaterThan(0);
      socks.pop()?.destroy();
      await waitUntil(() => app.core.liveStreamStats()?.clients === LIVE_STREAM_LIMITS.maxClients - 1, 10_000, 'one stream closed');
      const again = await openReader(port);
      expect(again.status).toBe(200);
      again.close();
    } finally {
      for (const s of socks) s.destroy();
    }
  }, 60_000);

  it('/api/messages comes in pages (limit, before), and opening a dashboard costs under 500 KB', async () => {
    const before = app.core.snapshot().counters.messages_processed;
    for (let i = 0; i < 250; i++) await pub.publish('fogis:processor:status', statusMessage(i));
    await waitUntil(() => app.core.snapshot().counters.messages_processed >= before + 250, 20_000, '250 processed');
    const first = await (await fetch(`${app.baseUrl}/api/messages`)).json() as { entries: Array<{ seq: number }>; next: number | null; total: number; arrivals: number[] };
    expect(first.entries).toHaveLength(100);
    expect(first.next).toBe(first.entries[0]!.seq);
    expect(first.entries.map((e) => e.seq)).toEqual([...first.entries.map((e) => e.seq)].sort((a, b) => a - b));
    expect(first.arrivals.length).toBeGreaterThanOrEqual(250);
    const second = await (await fetch(`${app.baseUrl}/api/messages?before=${first.next}&limit=200`)).json() as { entries: Array<{ seq: number }>; next: number | null };
    // At most 200, fewer when the previews pass the page's byte budget (the 1000-match lists).
    expect(second.entries.length).toBeGreaterThan(50);
    expect(second.entries.length).toBeLessThanOrEqual(200);
    expect(second.entries.at(-1)!.seq).toBe(first.entries[0]!.seq - 1);
    const one = await (await fetch(`${app.baseUrl}/api/messages?before=${first.entries[5]!.seq + 1}&limit=1`)).json() as { entries: Array<{ seq: number }> };
    expect(one.entries.map((e) => e.seq)).toEqual([first.entries[5]!.seq]);
    for (const bad of ['limit=0', 'limit=5000', 'before=-1', 'before=abc', 'limit=1.5', 'other=1']) {
      const r = await fetch(`${app.baseUrl}/api/messages?${bad}`);
      expect(r.status, bad).toBe(400);
    }
    // The page also stays small when the messages are large (the 1000-match lists above are in the log).
    const state = await (await fetch(`${app.baseUrl}/api/state`)).text();
    const page = await (await fetch(`${app.baseUrl}/api/messages`)).text();
    console.log(`[live-stream] dashboard open: /api/state ${state.length} B (1,000 matches in the list), /api/messages ${page.length} B`);
    expect(page.length).toBeLessThan(500 * 1024);
  }, 60_000);
});
