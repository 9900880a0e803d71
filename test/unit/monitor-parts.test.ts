import { describe, expect, it } from 'vitest';
import type { Alert, MatchChange, MessageLogEntry, MonitorEvent, Snapshot } from '../../shared/state';
import { AlertBook } from '../../electron/core/monitor/alert-book';
import { countMatchList, restoredCounters } from '../../electron/core/monitor/counters';
import { emptyCounters } from '../../shared/empty-snapshot';
import { EVENT_INTERVAL_MS, EventBatcher, type SnapshotKey } from '../../electron/core/monitor/event-batcher';
import { MatchListState } from '../../electron/core/monitor/match-list-state';
import { ProcessorCycles } from '../../electron/core/monitor/processor-cycles';
import { makeSnapshot } from '../harness/desktop-snapshot';

const T = '2026-11-25T21:34:28.000Z';
const at = (s: number): string => new Date(Date.parse(T) + s * 1000).toISOString();

function book(cap = 5) {
  const seen = { added: [] as Alert[], replaced: [] as Alert[], changed: 0 };
  const b = new AlertBook(cap, { added: (a) => seen.added.push(a), replaced: (a) => seen.replaced.push(a), changed: () => seen.changed++ }, () => new Date(T));
  return { b, seen };
}

describe('alert book', () => {
  it('keeps at most its cap, newest first, and counts every alert', () => {
    const { b, seen } = book(5);
    for (let i = 0; i < 12; i++) b.raiseApp({ alertType: 'x', severity: 'warning', message: `m${i}` });
    expect(b.length).toBe(5);
    expect(b.total).toBe(12);
    expect(b.newest().map((a) => a.message)).toEqual(['m11', 'm10', 'm9', 'm8', 'm7']);
    expect(seen.added).toHaveLength(12);
    b.resize(2);
    expect(b.newest().map((a) => a.message)).toEqual(['m11', 'm10']);
    expect(b.total).toBe(12);
  });

  it('a failed cycle and its system alert are one alert with the system alert wording (spec §2.6 E)', () => {
    const { b, seen } = book();
    const outcome = new ProcessorCycles().record({ status: 'failed', timestamp: at(0), details: { error_message: 'disk full', error_type: 'io' } }, 'c1', at(0));
    b.add(outcome.alert as Alert);
    b.systemAlert({ alert_type: 'processing_error', severity: 'critical', message: 'Processor failed: disk full', timestamp: at(5), details: { error_message: 'disk full' } }, at(5));
    expect(b.total).toBe(1);
    expect(seen.replaced).toHaveLength(1);
    const [only] = b.newest();
    expect(only).toMatchObject({ source: 'system_alert', alertType: 'processing_error', message: 'Processor failed: disk full', details: { error_type: 'io' } });
    // A different failure, or the same one long after, is an alert of its own.
    b.systemAlert({ alert_type: 'processing_error', severity: 'error', message: 'other', timestamp: at(6), details: { error_message: 'other' } }, at(6));
    expect(b.total).toBe(2);
  });

  it('resolves only open app alerts of the type, and acknowledges by id', () => {
    const { b, seen } = book();
    b.raiseApp({ alertType: 'calendar', severity: 'error', message: 'a' });
    b.raiseApp({ alertType: 'calendar', severity: 'error', message: 'b' });
    b.raiseApp({ alertType: 'storage', severity: 'error', message: 'c' });
    expect(b.resolveApp('calendar')).toBe(2);
    expect(b.resolveApp('calendar')).toBe(0);
    expect(b.newest().filter((a) => a.acknowledged).map((a) => a.details.resolvedAt)).toEqual([T, T]);
    const storage = b.newest()[0] as Alert;
    expect(b.acknowledge(['nope'])).toBe(0);
    expect(b.acknowledge([storage.id])).toBe(1);
    expect(seen.changed).toBe(2);
  });
});

describe('counters', () => {
  it('a state file from before a counter or reject reason existed loads with zeros, and started_at is this run', () => {
    const saved = { messages_received: 7, rejected_by_reason: { invalid_json: 2 }, started_at: '2020-01-01T00:00:00.000Z' };
    const c = restoredCounters(saved, T);
    expect(c.messages_received).toBe(7);
    expect(c.rejected_by_reason.invalid_json).toBe(2);
    expect(c.rejected_by_reason.oversize).toBe(0);
    expect(c.by_generation.g3).toBe(0);
    expect(c.started_at).toBe(T);
  });

  it('counts schema versions: 2.0, 1.x, and anything else as unknown', () => {
    const c = emptyCounters(T);
    countMatchList(c, 'g3', '2.0');
    countMatchList(c, 'g2', null);
    countMatchList(c, 'g1', '1.5');
    countMatchList(c, 'g3', '9.9');
    expect(c.schema_version_stats).toMatchObject({ v2_messages: 1, v1_messages: 2, unknown_messages: 1 });
    expect(c.by_generation).toMatchObject({ g1: 1, g2: 1, g3: 2 });
  });
});

describe('processor cycles', () => {
  it('counts started cycles and measures the last one from its start to its completion', () => {
    const p = new ProcessorCycles();
    expect(p.record({ status: 'started', timestamp: at(0) }, 'a', at(0)).finished).toBeNull();
    const done = p.record({ status: 'completed', timestamp: at(90) }, 'b', at(90));
    expect(done.finished).toEqual({ ok: true, error: null });
    expect(done.alert).toBeNull();
    expect(p.info).toMatchObject({ cycles: 1, lastDurationMs: 90_000, last: { messageId: 'b' } });
    const failed = p.record({ status: 'failed' }, 'c', at(100));
    expect(failed.finished).toEqual({ ok: false, error: 'unknown error' });
    expect(failed.alert).toMatchObject({ source: 'processor', alertType: 'processing_failed', at: at(100) });
  });
});

describe('match list state', () => {
  const m = (id: number) => ({ matchid: id, lag1namn: 'A', lag2namn: 'B', tid: '2026-12-01T15:00:00' });
  const ch = (id: string): MatchChange => ({ matchId: id, kind: 'new', title: 'A - B', fields: [], at: T, messageId: 'x' });

  it('keeps the change history capped with its total, and survives a save and restore in order', () => {
    const s = new MatchListState(3);
    s.replace([m(1), m(2)], [ch('1'), ch('2')], { receivedAt: T, messageId: 'x', generation: 'g3' });
    s.record([ch('3'), ch('4')]);
    expect(s.state().history.map((c) => c.matchId)).toEqual(['4', '3', '2']);
    expect(s.historyTotal).toBe(4);
    expect(s.known(new Set(['2', '9'])).map((x) => x.matchid)).toEqual([2]);
    const t = new MatchListState(3);
    t.restore(s.persisted());
    expect(t.state()).toEqual(s.state());
    expect(t.hasList).toBe(true);
  });
});

describe('event batcher', () => {
  function batcher() {
    const snap: Snapshot = makeSnapshot();
    const faults: string[] = [];
    const b = new EventBatcher({ part: <K extends SnapshotKey>(k: K) => snap[k], messagesTotal: () => 1234 }, (area) => faults.push(area));
    const events: MonitorEvent[] = [];
    b.onEvent((e) => events.push(e));
    return { b, events, faults, snap };
  }
  const settled = () => new Promise((r) => setTimeout(r, EVENT_INTERVAL_MS * 3));
  const alert = (i: number): Alert => ({ id: `a${i}`, source: 'app', alertType: 'x', severity: 'info', message: `m${i}`, at: T, details: {}, acknowledged: false });
  const entry = (i: number, preview = '{}'): MessageLogEntry => ({ seq: i, at: T, channel: 'c', type: 'processing_status', messageId: `m${i}`, bytes: preview.length, preview });

  it('a burst is one push: changed parts, at most 500 messages (long previews cut) and 50 alerts, then changes', async () => {
    const { b, events } = batcher();
    for (let i = 0; i < 700; i++) b.message(entry(i, i === 699 ? 'x'.repeat(5000) : '{}'));
    for (let i = 0; i < 80; i++) b.alert(alert(i));
    b.changes([]);
    b.dirty('counters');
    await settled();
    const kinds = events.map((e) => e.kind);
    expect(kinds.filter((k) => k === 'state')).toHaveLength(1);
    const msgs = events.find((e) => e.kind === 'messages');
    expect(msgs?.kind === 'messages' && msgs.entries.length).toBe(500);
    expect(msgs?.kind === 'messages' && msgs.total).toBe(1234);
    const last = msgs?.kind === 'messages' ? msgs.entries.at(-1) : undefined;
    expect(last?.cut).toBe(true);
    expect(last?.preview.length).toBe(256);
    const alerts = events.filter((e) => e.kind === 'alert');
    expect(alerts).toHaveLength(50);
    expect(alerts[0]?.kind === 'alert' && alerts[0].alert.id).toBe('a30');
    expect(kinds).not.toContain('changes');
    const state = events.find((e) => e.kind === 'state');
    expect(state?.kind === 'state' && Object.keys(state.patch).sort()).toEqual(['connection', 'counters', 'now', 'status', 'uptimeSeconds']);
  });

  it('a replaced alert waiting to be pushed goes out once, as the new one', async () => {
    const { b, events } = batcher();
    b.alert(alert(1));
    b.alertReplaced({ ...alert(1), message: 'merged' });
    await settled();
    const alerts = events.filter((e) => e.kind === 'alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.kind === 'alert' && alerts[0].alert.message).toBe('merged');
  });

  it('without listeners nothing is collected; a throwing listener is reported and the others still hear', async () => {
    const snap = makeSnapshot();
    const faults: string[] = [];
    const b = new EventBatcher({ part: <K extends SnapshotKey>(k: K) => snap[k], messagesTotal: () => 0 }, (area) => faults.push(area));
    b.message(entry(1));
    b.alert(alert(1));
    const heard: MonitorEvent[] = [];
    b.onEvent(() => {
      throw new Error('listener');
    });
    b.onEvent((e) => heard.push(e));
    await settled();
    expect(heard).toEqual([]);
    b.dirty('mutedUntil');
    await settled();
    expect(heard.map((e) => e.kind)).toEqual(['state']);
    expect(faults).toEqual(['listener']);
    b.dispose();
  });
});
