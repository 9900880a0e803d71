import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ICAL from 'ical.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCalendarSink, type FullCalendarSink } from '../../electron/core/sync';
import { engineStateSchema } from '../../electron/core/sync/engine-store';
import { googleEventBody, legacyRenderKey, plannedFromGoogleBody } from '../../electron/core/sync/google-body';
import { planSync } from '../../electron/core/sync/plan';
import { FIXTURE_NOW, fixtureClock, fixtureLists, MemorySecretStore, testConfig, testContext } from '../harness/calendar-helpers';

/**
 * The outbox as the version before the planned event saved it: each upsert carries the
 * Google event body (ISO times with offsets) and a separate `cancelled` flag. Written out
 * literally, as such a file sits in a user's data directory.
 */
const oldBody = (matchId: string, summary: string, start: string, end: string) => ({
  summary,
  location: 'Hönö IP',
  description: `1234\nDiv 4\n\nMatch Details: https://www.svenskfotboll.se/matchfakta/${matchId}/\n`,
  start: { dateTime: start, timeZone: 'Europe/Stockholm' },
  end: { dateTime: end, timeZone: 'Europe/Stockholm' },
  reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 2880 }] },
  extendedProperties: { private: { matchId, syncTag: 'fogis-monitor', calendarHash: 'a'.repeat(64) } },
});
const oldJob = <T extends Record<string, unknown>>(over: T) => ({
  reason: 'new',
  renderKey: 'b'.repeat(64),
  sourceKey: 'c'.repeat(64),
  snapshot: null,
  lastChange: null,
  eventId: null,
  attempts: 2,
  nextAttemptAt: 0,
  enqueuedAt: '2026-11-25T20:00:00.000Z',
  lastError: 'ECONNRESET',
  ...over,
});
const OLD_STATE = {
  version: 1,
  records: [],
  outbox: [
    oldJob({ key: '900001', matchId: '900001', kind: 'upsert', title: 'Öckerö IF - Torslanda IK', body: oldBody('900001', 'Öckerö IF - Torslanda IK', '2026-12-05T13:00:00+01:00', '2026-12-05T14:45:00+01:00'), cancelled: false, seq: 1 }),
    oldJob({ key: '900002', matchId: '900002', kind: 'upsert', title: 'IFK - BK', body: oldBody('900002', 'INSTÄLLD: IFK - BK', '2026-12-06T15:30:00+01:00', '2026-12-06T17:15:00+01:00'), cancelled: true, seq: 2 }),
    oldJob({ key: '900003', matchId: '900003', kind: 'delete', reason: 'removed', title: 'Gone - Away', body: null, cancelled: false, attempts: 0, lastError: null, seq: 3 }),
  ],
  held: [],
  failures: {},
  counters: { inserted: 4 },
  lastSyncAt: '2026-11-25T19:00:00.000Z',
  calendarKnown: true,
};

let dir: string;
const sinks: FullCalendarSink[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cal-old-outbox-'));
});
afterEach(async () => {
  for (const s of sinks.splice(0)) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

function events(text: string): Array<{ uid: string; summary: string; status: string; start: number; end: number; alarm: string }> {
  const comp = new ICAL.Component(ICAL.parse(text));
  for (const tz of comp.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(tz));
  return comp.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    return {
      uid: e.uid,
      summary: e.summary,
      status: String(v.getFirstPropertyValue('status')),
      start: e.startDate.toJSDate().getTime(),
      end: e.endDate.toJSDate().getTime(),
      alarm: String(v.getFirstSubcomponent('valarm')?.getFirstPropertyValue('trigger') ?? ''),
    };
  });
}

describe('an outbox saved by the previous version (Google-shaped bodies)', () => {
  it('is loaded and every pending write is carried out, the ICS built from the same instants', async () => {
    writeFileSync(path.join(dir, 'calendar-ics-sync.json'), JSON.stringify(OLD_STATE));
    const sink = createCalendarSink(testConfig(), testContext(dir), { secretStore: new MemorySecretStore(), tokenImportPath: null, saveDelayMs: 10, clock: fixtureClock });
    sinks.push(sink);
    await sink.start();
    expect(sink.getState().pending).toBe(3);
    expect(await sink.drain(10_000)).toBe(true);

    const evs = events(readFileSync(path.join(dir, 'calendar.ics'), 'utf8'));
    expect(evs.map((e) => e.uid).sort()).toEqual(['fogis-match-900001@fogis-monitor', 'fogis-match-900002@fogis-monitor']);
    const a = evs.find((e) => e.uid.includes('900001'))!;
    expect(a.summary).toBe('Öckerö IF - Torslanda IK');
    expect(a.start).toBe(Date.parse('2026-12-05T12:00:00Z'));
    expect(a.end).toBe(Date.parse('2026-12-05T13:45:00Z'));
    expect(a.status).toBe('CONFIRMED');
    expect(a.alarm).toBe('-PT2880M');
    const b = evs.find((e) => e.uid.includes('900002'))!;
    expect(b.status).toBe('CANCELLED');
    expect(b.start).toBe(Date.parse('2026-12-06T14:30:00Z'));

    const st = sink.getState();
    expect(st.counters.inserted).toBe(6);
    expect(st.perMatch['900001']?.status).toBe('synced');
    await sink.stop();
    sinks.splice(0);
    // Saved again in the current shape: the planned event, no Google body.
    const saved = JSON.parse(readFileSync(path.join(dir, 'calendar-ics-sync.json'), 'utf8')) as { outbox: unknown[]; records: Array<{ matchId: string; calendarHash: string; endMs: number }> };
    expect(saved.outbox).toEqual([]);
    expect(saved.records.find((r) => r.matchId === '900001')).toMatchObject({ calendarHash: 'a'.repeat(64), endMs: Date.parse('2026-12-05T13:45:00Z') });
  });

  it('converts losslessly: the Google body rebuilt from the planned event is the body that was saved', () => {
    const parsed = engineStateSchema.parse(OLD_STATE);
    const job = parsed.outbox[1]!;
    expect(job.event).toMatchObject({ matchId: '900002', cancelled: true, startMs: Date.parse('2026-12-06T14:30:00Z'), reminderMinutes: 2880, syncTag: 'fogis-monitor' });
    expect(googleEventBody(job.event!)).toEqual(OLD_STATE.outbox[1]!.body);
    expect(googleEventBody(plannedFromGoogleBody(OLD_STATE.outbox[0]!.body!, false))).toEqual(OLD_STATE.outbox[0]!.body);
    expect(parsed.outbox[2]!.event).toBeNull();
    expect(parsed.outbox[0]).toMatchObject({ attempts: 2, lastError: 'ECONNRESET', seq: 1 });
  });
});

describe('records saved by the previous version (render key = SHA-256 of the Google body)', () => {
  it('are recognised as up to date: an upgrade rewrites no event, and the record takes the new key', () => {
    const options = { syncTag: 'fogis-monitor', durationMinutes: 105, timeZone: 'Europe/Stockholm', keepCancelled: false, maxDeleteFraction: 0.5 };
    const base = { full: true, pending: new Map(), failedSources: new Map(), retryFailed: false, options, now: new Date(FIXTURE_NOW).toISOString(), nowMs: FIXTURE_NOW };
    const matches = fixtureLists()[0]!;
    const first = planSync({ ...base, matches, records: new Map() });
    // What the old version stored: its own source key (not ours to know) and the body's SHA-256.
    const records = new Map(first.enqueue.map((j) => [j.matchId, { matchId: j.matchId, present: true, eventId: j.matchId, calendarHash: j.event!.calendarHash, renderKey: legacyRenderKey(j.event!), sourceKey: 'f'.repeat(64), summary: j.event!.summary, snapshot: j.snapshot, lastChange: j.lastChange, title: j.title, updatedAt: '', endMs: j.event!.endMs }]));
    const res = planSync({ ...base, matches: structuredClone(matches), records });
    expect(res.enqueue).toEqual([]);
    expect(res.touch.map((t) => t.matchId).sort()).toEqual([...records.keys()].sort());
    expect(res.touch.every((t) => !/^[0-9a-f]{64}$/.test(t.renderKey))).toBe(true);
    // A record whose old key does not match its event (changed since) is written.
    records.get(first.enqueue[0]!.matchId)!.renderKey = 'e'.repeat(64);
    expect(planSync({ ...base, matches: structuredClone(matches), records }).enqueue.map((j) => j.matchId)).toEqual([first.enqueue[0]!.matchId]);
  });
});
