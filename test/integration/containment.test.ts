import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../shared/config';
import type { FogisMatch } from '../../shared/messages';
import type { Alert, CalendarState, Snapshot } from '../../shared/state';
import { createCore } from '../../electron/core/index';
import type { Core } from '../../electron/core/core-api';
import { createMemoryLogger } from '../../electron/core/log';
import { createCalendarSink } from '../../electron/core/sync';
import type { CalendarBackend } from '../../electron/core/sync/backend';
import type { CalendarSink, MatchListInput, SinkContext } from '../../electron/core/sync/calendar-sink';
import { IcsBackend } from '../../electron/core/sync/ics-backend';
import { SyncEngine } from '../../electron/core/sync/sync-engine';
import { FAST_REDIS_ENV, tempDir, waitUntil } from '../harness/app';
import { fixtureLists, listInput, MemorySecretStore } from '../harness/calendar-helpers';
import { liveFixture } from '../harness/fixture';
import { startRedis, type TestRedis } from '../harness/redis-server';
import { Redis } from 'ioredis';

/**
 * Issue 9, "a last line of defence": a component that throws, injected into each path that
 * the outside world or a timer drives (a Redis message, a timer, an HTTP request, the calendar
 * worker, an event listener). Each becomes one `internal_errors` count and an alert
 * "internal error in <area>", and the app keeps running: still subscribed, still answering,
 * still processing the next message. An exception that escaped would fail this file (vitest
 * reports uncaught errors and unhandled rejections as failures).
 */

/** Throws once when armed, and only when called from `from` (a frame name), so other callers are unaffected. */
class Tripwire {
  private armedFrom: string | null = null;
  arm(from: string): void {
    this.armedFrom = from;
  }
  get armed(): boolean {
    return this.armedFrom !== null;
  }
  check(what: string): void {
    if (this.armedFrom === null) return;
    if (!(new Error().stack ?? '').includes(this.armedFrom)) return;
    this.armedFrom = null;
    throw new Error(`injected failure: ${what}`);
  }
}

/** The real calendar sink, with a tripwire on each method. */
class ThrowingSink implements CalendarSink {
  readonly trip = { onMatchList: new Tripwire(), sync: new Tripwire() };
  constructor(private readonly inner: CalendarSink) {}
  start(): Promise<void> {
    return this.inner.start();
  }
  stop(): Promise<void> {
    return this.inner.stop();
  }
  onMatchList(input: MatchListInput): void {
    this.trip.onMatchList.check('calendar sink onMatchList');
    this.inner.onMatchList(input);
  }
  async sync(matches: FogisMatch[] | null) {
    this.trip.sync.check('calendar sink sync');
    return this.inner.sync(matches);
  }
  confirmDeletions() {
    return this.inner.confirmDeletions();
  }
  getState(): CalendarState {
    return this.inner.getState();
  }
  onStateChange(listener: () => void): () => void {
    return this.inner.onStateChange(listener);
  }
  updateConfig(calendar: AppConfig['calendar']): void {
    this.inner.updateConfig(calendar);
  }
}

const fixture = liveFixture();
const firstList = fixture.find((l) => l.channel === 'fogis:matches:updates')?.raw ?? '';
const statusRaw = fixture.find((l) => l.channel === 'fogis:processor:status')?.raw ?? '';
let seq = 0;
const withId = (raw: string): string => {
  const m = JSON.parse(raw) as Record<string, unknown>;
  m.message_id = `contain-${++seq}`;
  return JSON.stringify(m);
};

describe('last line of defence: a throwing component in each path of one running core', () => {
  let redis: TestRedis;
  let core: Core;
  let pub: Redis;
  let sink: ThrowingSink;
  const clock = new Tripwire();
  let listenerThrows = false;
  const log = createMemoryLogger();
  const snap = (): Snapshot => core.snapshot();
  const internal = (): number => snap().counters.internal_errors;
  const alertFor = (area: string): Alert | undefined => snap().alerts.items.find((a) => a.alertType === 'internal_error' && a.details.area === area);

  beforeAll(async () => {
    redis = await startRedis();
    const dataDir = tempDir();
    core = await createCore({
      dataDir,
      env: { REDIS_URL: redis.url, MONITOR_HTTP_PORT: '0', ...FAST_REDIS_ENV },
      log,
      http: true,
      staticDir: null,
      now: () => {
        clock.check('clock');
        return new Date();
      },
      createSink: (config, ctx: SinkContext) => (sink = new ThrowingSink(createCalendarSink(config, ctx, { secretStore: new MemorySecretStore(), tokenImportPath: null }))),
    });
    await core.start();
    // A listener, as the live stream and the desktop shell have: it makes the monitor push events.
    core.onEvent(() => {
      if (listenerThrows) {
        listenerThrows = false;
        throw new Error('injected failure: event listener');
      }
    });
    pub = new Redis(redis.url);
    await waitUntil(() => snap().connection.subscribed, 10_000, 'subscribed');
  });
  afterAll(async () => {
    pub?.disconnect();
    await core?.stop();
    await redis?.stop();
  });

  const publish = async (channel: string, raw: string): Promise<void> => {
    expect(await pub.publish(channel, withId(raw))).toBe(1);
  };

  it('Redis message handling: an exception escaping the monitor (its clock throws) is contained', async () => {
    const before = internal();
    clock.arm('Monitor.ingest');
    await publish('fogis:matches:updates', firstList);
    await waitUntil(() => !clock.armed && internal() === before + 1, 10_000, 'internal error counted');
    expect(alertFor('redis')?.message).toMatch(/^internal error in redis: injected failure: clock/);
    expect(alertFor('redis')?.severity).toBe('error');
    // The next message is handled as usual.
    await publish('fogis:matches:updates', firstList);
    await waitUntil(() => snap().matches.list.length === 3, 10_000, 'next list applied');
    expect(snap().connection.subscribed).toBe(true);
  });

  it('Redis message handling: a calendar sink that throws on a list is contained; the list still counts', async () => {
    const before = internal();
    const received = snap().counters.messages_received;
    sink.trip.onMatchList.arm('Monitor');
    await publish('fogis:matches:updates', firstList);
    await waitUntil(() => internal() === before + 1, 10_000, 'internal error counted');
    expect(snap().counters.messages_received).toBe(received + 1);
    expect(snap().matches.list).toHaveLength(3);
  });

  it('timers: the event push timer (its clock throws) is contained', async () => {
    const before = internal();
    clock.arm('flushEvents');
    await publish('fogis:processor:status', statusRaw);
    await waitUntil(() => !clock.armed && internal() === before + 1, 10_000, 'internal error counted');
    expect(alertFor('timer')?.message).toMatch(/^internal error in timer: injected failure: clock/);
  });

  it('event listeners: a listener that throws is contained', async () => {
    const before = internal();
    listenerThrows = true;
    await publish('fogis:processor:status', statusRaw);
    await waitUntil(() => !listenerThrows && internal() === before + 1, 10_000, 'internal error counted');
    expect(alertFor('listener')?.message).toMatch(/event listener/);
  });

  it('HTTP request handlers: a handler that throws answers 500 and is counted', async () => {
    const before = internal();
    const base = core.httpBaseUrl() ?? '';
    const token = readFileSync(path.join(core.dataDir, 'http-token'), 'utf8').trim();
    sink.trip.sync.arm('ThrowingSink.sync');
    const r = await fetch(`${base}/api/sync`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{}' });
    expect(r.status).toBe(500);
    expect(((await r.json()) as { error: string }).error).toBe('Internal error; see the log');
    await waitUntil(() => internal() === before + 1, 10_000, 'internal error counted');
    expect(alertFor('http')?.message).toMatch(/^internal error in http: injected failure: calendar sink sync/);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });

  it('after all of it: still subscribed, every injection counted once, the log names each area', async () => {
    expect(snap().connection.subscribed).toBe(true);
    expect(internal()).toBe(5);
    for (const area of ['redis', 'timer', 'listener', 'http']) expect(log.lines.some((l) => l.includes(`internal error in ${area}`)), area).toBe(true);
    // The counter is in the monitoring API too.
    const stats = (await (await fetch(`${core.httpBaseUrl() ?? ''}/redis-stats`)).json()) as { stats: { internal_errors: number } };
    expect(stats.stats.internal_errors).toBe(5);
    // A repeat in the same area within a minute is counted, not alerted again.
    expect(snap().alerts.items.filter((a) => a.alertType === 'internal_error' && a.details.area === 'redis')).toHaveLength(1);
  });
});

describe('last line of defence: the calendar worker', () => {
  it('a backend that throws outside a write (a bug, not a calendar error) is reported; the worker pauses and goes on', async () => {
    const dir = tempDir();
    const log = createMemoryLogger();
    const faults: Array<[string, unknown]> = [];
    const ics = new IcsBackend({ dataDir: dir, timeZone: 'Europe/Stockholm', publicBaseUrl: () => 'http://127.0.0.1:5003' }, { log, countApiCall: () => undefined, changed: () => undefined });
    let throwsLeft = 0;
    // Only blockedReason throws: the worker loop calls it outside any per-job try/catch.
    const backend: CalendarBackend = Object.assign(Object.create(ics) as CalendarBackend, {
      blockedReason: (): string | null => {
        if (throwsLeft > 0 && (new Error().stack ?? '').includes('SyncEngine.work')) {
          throwsLeft--;
          throw new Error('injected failure: backend state');
        }
        return ics.blockedReason();
      },
    });
    const engine = new SyncEngine({
      dataDir: dir,
      backend,
      plan: { syncTag: 'fogis-monitor', durationMinutes: 105, timeZone: 'Europe/Stockholm', keepCancelled: false, maxDeleteFraction: 0.5 },
      log,
      raiseAlert: () => undefined,
      internalError: (area, err) => faults.push([area, err]),
      faultPauseMs: 100,
      saveDelayMs: 10,
    });
    await engine.start();
    try {
      throwsLeft = 2;
      engine.onMatchList(listInput(fixtureLists()[0] ?? []));
      await waitUntil(() => faults.length === 2, 10_000, 'two worker faults reported');
      expect(faults.map(([a]) => a)).toEqual(['sync', 'sync']);
      expect(String(faults[0]?.[1])).toMatch(/injected failure: backend state/);
      // After the pause the worker runs again and writes the list.
      await waitUntil(() => engine.getState().pending === 0 && (engine.getState().counters.inserted ?? 0) === 3, 10_000, 'list written after the faults');
      expect(readFileSync(path.join(dir, 'calendar.ics'), 'utf8')).toContain('BEGIN:VEVENT');
    } finally {
      await engine.stop();
    }
  });
});
