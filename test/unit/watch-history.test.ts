import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WatchHistory } from '../../electron/core/monitor/watch-history';
import { createMemoryLogger } from '../../electron/core/log';
import { historyFileSchema, HISTORY_WINDOW_MS } from '../../shared/history';
import { connectionReason } from '../../shared/text-ref';
import { tempDir } from '../harness/app';

/** The history of the watch: real files in a temporary data directory, a test clock. */
const T0 = Date.parse('2026-05-10T12:00:00.000Z');
const MIN = 60_000;

function clock(start = T0) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

const open: WatchHistory[] = [];
function make(dataDir: string, c: ReturnType<typeof clock>, capBytes?: number): WatchHistory {
  const h = new WatchHistory({ dataDir, log: createMemoryLogger(), now: c.now, ...(capBytes ? { capBytes } : {}) });
  open.push(h);
  return h;
}
afterEach(() => open.splice(0).forEach((h) => h.dispose()));

describe('WatchHistory', () => {
  it('uptime, outages with start, end and reason, and failed cycles', () => {
    const c = clock();
    const h = make(tempDir(), c);
    h.recordState('down', connectionReason('not_started'));
    c.advance(1 * MIN);
    h.recordState('up', null);
    c.advance(60 * MIN);
    h.recordState('down', connectionReason('connection_refused'));
    h.recordState('down', connectionReason('connection_reset')); // same outage: the first reason stays
    c.advance(30 * MIN);
    h.recordState('up', null);
    h.recordCycle(new Date(c.now().getTime() - 5 * MIN).toISOString(), false, 'FOGIS API unreachable');
    h.recordCycle(c.now().toISOString(), true, null);
    c.advance(29 * MIN);
    const t = h.timeline();
    expect(t.watchedMs).toBe(120 * MIN);
    expect(t.uptimePercent).toBe(74.17); // 89 of 120 minutes
    expect(t.outagesTotal).toBe(2);
    expect(t.outages[0]).toEqual({ start: new Date(T0 + 61 * MIN).toISOString(), end: new Date(T0 + 91 * MIN).toISOString(), reason: connectionReason('connection_refused') });
    expect(t.failedCycles).toEqual([{ at: new Date(T0 + 86 * MIN).toISOString(), ok: false, error: 'FOGIS API unreachable' }]);
    expect(t.cycles).toEqual({ completed: 1, failed: 1 });
  });

  it('paused, disabled and not running are not counted against the uptime', () => {
    const c = clock();
    const h = make(tempDir(), c);
    h.recordState('up', null);
    c.advance(10 * MIN);
    h.recordState('off', connectionReason('paused'));
    c.advance(50 * MIN);
    expect(h.timeline().uptimePercent).toBe(100);
    expect(h.timeline().watchedMs).toBe(10 * MIN);
  });

  it('survives a restart: saved (mode 0600), restored, the time the app was away is "off"', async () => {
    const dir = tempDir();
    const c = clock();
    const a = make(dir, c);
    a.recordState('up', null);
    c.advance(10 * MIN);
    a.recordState('down', connectionReason('host_not_found'));
    c.advance(5 * MIN);
    a.recordCycle(c.now().toISOString(), false, 'boom');
    await a.flush();
    const file = path.join(dir, 'history.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(historyFileSchema.parse(JSON.parse(readFileSync(file, 'utf8'))).watch).toHaveLength(2);

    c.advance(60 * MIN); // the app was not running (it crashed: no "off" was saved)
    const b = make(dir, c);
    await b.restore();
    b.recordState('up', null);
    c.advance(5 * MIN);
    const t = b.timeline();
    expect(t.outages.map((o) => o.reason?.key)).toEqual(['reason.host_not_found']);
    expect(t.outages[0]?.end).toBe(new Date(T0 + 10 * MIN).toISOString());
    expect(t.failedCycles).toHaveLength(1);
    // 10 min up, 0 down (the outage ended when the app stopped watching), then 5 min up.
    expect(t.watchedMs).toBe(15 * MIN);
  });

  it('stays within its size cap however much Redis flaps, keeping the newest', async () => {
    const dir = tempDir();
    const c = clock();
    const cap = 8 * 1024;
    const h = make(dir, c, cap);
    for (let i = 0; i < 3000; i++) {
      h.recordState(i % 2 ? 'up' : 'down', i % 2 ? null : connectionReason('no_answer_within', { ms: 2000 }));
      if (i % 3 === 0) h.recordCycle(c.now().toISOString(), i % 6 !== 0, i % 6 === 0 ? `failure ${i}` : null);
      c.advance(1000);
    }
    await h.flush();
    const size = statSync(path.join(dir, 'history.json')).size;
    expect(size).toBeLessThanOrEqual(cap);
    expect(size).toBeGreaterThan(cap / 2);
    const t = h.timeline();
    expect(t.bytes).toBeLessThanOrEqual(cap);
    expect(t.capBytes).toBe(cap);
    expect(t.failedCycles[0]?.error).toBe('failure 2994');
  });

  it('counts the size of every event exactly: escaped text and replaced reasons keep the file within its cap', async () => {
    const dir = tempDir();
    const c = clock();
    const cap = 6 * 1024;
    const h = make(dir, c, cap);
    for (let i = 0; i < 2000; i++) {
      // "not started" is replaced in place by the first real reason of the outage.
      h.recordState('down', connectionReason('not_started'));
      h.recordState('down', connectionReason('no_answer_within', { ms: i }));
      h.recordState('up', null);
      // Quotes, backslashes and control characters are longer in JSON than in memory.
      h.recordCycle(c.now().toISOString(), false, `"quoted" \\ path\n\t${'\u0001'.repeat(i % 7)} #${i}`);
      h.recordCycle(c.now().toISOString(), i % 2 === 0, null);
      c.advance(1000);
    }
    await h.flush();
    const text = readFileSync(path.join(dir, 'history.json'), 'utf8');
    expect(text.length).toBeLessThanOrEqual(cap);
    // Trimmed an eighth at a time: an over-count would leave it far below the cap.
    expect(text.length).toBeGreaterThan(cap * 0.75);
    const saved = historyFileSchema.parse(JSON.parse(text));
    expect(saved.cycles.at(-2)?.error).toContain('#1999');
    expect(saved.watch.filter((e) => e.state === 'down').every((e) => e.reason?.key === 'reason.no_answer_within')).toBe(true);
    expect(h.timeline().bytes).toBe(Buffer.byteLength(text));
  });

  it('counts restored cycles by their own text when they leave, however their times are written (issue 12)', async () => {
    const dir = tempDir();
    const c = clock();
    const cap = 6 * 1024;
    // A file written by hand or by another version: times whose JSON is longer than they are.
    const restored = Array.from({ length: 40 }, (_, i) => ({ at: `${new Date(T0 - (40 - i) * MIN).toISOString()}${'"'.repeat(40)}`, ok: true, error: null }));
    writeFileSync(path.join(dir, 'history.json'), JSON.stringify({ version: 1, watch: [], cycles: restored }));
    const h = make(dir, c, cap);
    await h.restore();
    // A burst of cycles at one time, then more: the restored ones leave first.
    for (let i = 0; i < 3000; i++) {
      h.recordCycle(i < 1000 ? '2026-05-10T12:00:00.262164Z' : c.now().toISOString(), true, null);
      if (i >= 1000) c.advance(1000);
    }
    await h.flush();
    const text = readFileSync(path.join(dir, 'history.json'), 'utf8');
    expect(text.length).toBeLessThanOrEqual(cap);
    // Trimmed an eighth at a time: an under-count of what the restored cycles took with them
    // (measured as if their times needed no escaping) would leave it far below the cap.
    expect(text.length).toBeGreaterThan(cap * 0.85);
    const saved = historyFileSchema.parse(JSON.parse(text));
    expect(saved.cycles.some((e) => e.at.includes('"'))).toBe(false);
    expect(h.timeline().bytes).toBe(Buffer.byteLength(text));
  });

  it('forgets cycles older than 7 days while new ones keep arriving', () => {
    const c = clock();
    const h = make(tempDir(), c);
    h.recordState('up', null);
    for (let i = 0; i < 10; i++) {
      h.recordCycle(c.now().toISOString(), false, `day ${i}`);
      c.advance(86_400_000);
    }
    // Days 0..9 recorded; now is day 10: the window holds days 3..9 (and the edge of day 3).
    expect(h.timeline().failedCycles.map((f) => f.error)).toEqual(['day 9', 'day 8', 'day 7', 'day 6', 'day 5', 'day 4', 'day 3']);
    h.recordCycle(c.now().toISOString(), true, null);
    c.advance(86_400_000);
    expect(h.timeline().failedCycles.at(-1)?.error).toBe('day 4');
  });

  it('keeps 7 days: older events are forgotten, the state at the window start is kept', () => {
    const c = clock();
    const h = make(tempDir(), c);
    h.recordState('down', connectionReason('connection_refused'));
    h.recordCycle(c.now().toISOString(), false, 'old');
    c.advance(HISTORY_WINDOW_MS + 60 * MIN);
    const t = h.timeline();
    expect(t.failedCycles).toEqual([]);
    expect(t.outages).toHaveLength(1);
    expect(t.outages[0]?.start).toBe(t.from);
    expect(t.uptimePercent).toBe(0);
  });
});
