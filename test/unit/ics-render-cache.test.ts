import { describe, expect, it } from 'vitest';
import { IcsRenderCache } from '../../electron/core/sync/ics-render-cache';
import { renderCalendar, type CalendarOptions, type IcsEvent } from '../../electron/core/sync/ics-writer';
import { formatZonedDateTime } from '../../shared/fogis-time';
import { prng } from '../harness/prng';

const NAMES = ['Östers IF', 'Malmö FF', 'IFK Göteborg', 'Åtvidabergs FF', 'Kalmar FF; U19', 'Hammarby, Dam', 'Djurgården\\IF', 'Ängelholms FF 😀', '北京国安', 'Ljungskile SK\nP17', 'Team\r\nCRLF', 'Bell\u0007 FC'];
const VENUES = ['Nya Ullevi', 'Eleda Stadion, Malmö', 'Tele2 Arena; plan 2', 'Guldfågeln Arena', 'Konstgräs 3 (övre)', ''];

function makeEvents(n: number, seed = 1): IcsEvent[] {
  const r = prng(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const base = Date.parse('2026-03-01T12:00:00Z');
  const events: IcsEvent[] = [];
  for (let i = 0; i < n; i++) {
    const id = String(6_000_000 + i);
    const home = pick(NAMES);
    const away = pick(NAMES);
    const cancelled = r() < 0.15;
    // Long descriptions (several referees, contacts, non-ASCII) need folding; some events share a kickoff (UID decides the order).
    const lines = Array.from({ length: 1 + Math.floor(r() * 12) }, (_, k) => `Domare ${k}: ${pick(NAMES)}, Mobil: 070-${String(Math.floor(r() * 1e7)).padStart(7, '0')}; Åäö`);
    const startMs = base + Math.floor(r() * 120) * 3_600_000 * 6 + (i % 7 === 0 ? 0 : Math.floor(r() * 4) * 900_000);
    events.push({
      uid: `fogis-match-${id}@fogis-monitor`,
      matchId: id,
      summary: (cancelled ? 'INSTÄLLD: ' : '') + `${home} - ${away}`,
      location: pick(VENUES),
      description: `${id}\nDivision ${i % 5}, herrar\n\n${lines.join('\n')}\n`,
      url: `https://www.svenskfotboll.se/matchfakta/${id}/`,
      startMs,
      endMs: startMs + 105 * 60_000,
      status: cancelled ? 'CANCELLED' : 'CONFIRMED',
      sequence: Math.floor(r() * 5),
      createdMs: base - 86_400_000 * 30 + i * 1000,
      lastModifiedMs: base - 86_400_000 + i * 1000,
      alarmMinutes: r() < 0.9 ? 2880 : 60,
    });
  }
  return events;
}

const stockholm = (tz = 'Europe/Stockholm'): CalendarOptions => ({
  name: 'FOGIS matcher',
  timeZone: tz,
  localTime: (ms) => formatZonedDateTime(new Date(ms), tz).slice(0, 19).replace(/[-:]/g, ''),
});

/** The cached render and a fresh renderCalendar give the same bytes. */
function expectSameBytes(cache: IcsRenderCache, events: readonly IcsEvent[], opts: CalendarOptions): string {
  const cached = cache.render(events, opts);
  const fresh = renderCalendar(events, opts);
  expect(Buffer.from(cached, 'utf8').equals(Buffer.from(fresh, 'utf8'))).toBe(true);
  expect(cached).toBe(fresh);
  return cached;
}

describe('IcsRenderCache', () => {
  it('gives renderCalendar’s bytes for 250 varied events, and after one change, one deletion and one addition, re-rendering only what changed', () => {
    const events = makeEvents(250);
    const opts = stockholm();
    const cache = new IcsRenderCache();
    const first = expectSameBytes(cache, events, opts);
    expect(cache.renderedLastTime).toBe(250);
    // The set is what the test claims: folded lines, escapes, cancelled events, non-ASCII.
    expect(first).toContain('\r\n ');
    expect(first).toContain('\\;');
    expect(first).toContain('\\,');
    expect(first).toContain('\\n');
    expect(first).toContain('STATUS:CANCELLED');
    expect(first).toContain('😀');
    expect(first).not.toContain('\u0007');

    expectSameBytes(cache, events, opts);
    expect(cache.renderedLastTime).toBe(0);

    // One changed event, as IcsBackend.execute replaces it: a new record, next SEQUENCE.
    const i = 117;
    events[i] = { ...events[i]!, summary: 'Malmö FF - Östers IF, omspel', sequence: events[i]!.sequence + 1, lastModifiedMs: events[i]!.lastModifiedMs + 60_000 };
    expectSameBytes(cache, events, opts);
    expect(cache.renderedLastTime).toBe(1);

    const [removed] = events.splice(42, 1);
    expectSameBytes(cache, events, opts);
    expect(cache.renderedLastTime).toBe(0);
    expect(cache.size).toBe(249);

    events.push({ ...makeEvents(1, 99)[0]!, uid: 'fogis-match-added@fogis-monitor', matchId: 'added' });
    expectSameBytes(cache, events, opts);
    expect(cache.renderedLastTime).toBe(1);
    expect(cache.size).toBe(250);

    // A deleted event that comes back is rendered anew, not taken from a dropped entry.
    events.push({ ...removed!, sequence: removed!.sequence + 1 });
    expectSameBytes(cache, events, opts);
    expect(cache.renderedLastTime).toBe(1);
  });

  it('rendered ahead in slices: the same bytes, counted as rendered once; an event changed after it was rendered ahead is rendered again', () => {
    const events = makeEvents(120, 3);
    const opts = stockholm();
    const cache = new IcsRenderCache();
    // A deadline already passed renders nothing.
    expect(cache.prerender(events, opts, Number.NEGATIVE_INFINITY)).toBe(false);
    expect(cache.size).toBe(0);
    expect(cache.prerender(events, opts, Number.POSITIVE_INFINITY)).toBe(true);
    expect(cache.size).toBe(120);
    // Changed (as IcsBackend.execute replaces it) after it was rendered ahead, before the render.
    events[5] = { ...events[5]!, location: 'Nya Arenan', sequence: events[5]!.sequence + 1 };
    expectSameBytes(cache, events, opts);
    expect(cache.renderedLastTime).toBe(120);
    expectSameBytes(cache, events, opts);
    expect(cache.renderedLastTime).toBe(0);
    // Rendered ahead for an event that is gone before the render: dropped there.
    cache.prerender([...events, { ...makeEvents(1, 77)[0]!, uid: 'gone@fogis-monitor', matchId: 'gone' }], opts, Number.POSITIVE_INFINITY);
    expect(cache.size).toBe(121);
    expectSameBytes(cache, events, opts);
    expect(cache.size).toBe(120);
  });

  it('never serves stale text when any one rendered field changes, even when the record is changed in place', () => {
    const events = makeEvents(30, 7);
    const opts = stockholm();
    const cache = new IcsRenderCache();
    expectSameBytes(cache, events, opts);
    const e = events[3]!;
    const changes: Array<() => void> = [
      () => (e.uid = 'fogis-match-renamed@fogis-monitor'),
      () => (e.matchId = '6999999'),
      () => (e.summary = 'INSTÄLLD: ' + e.summary),
      () => (e.location = 'Strandvallen, Hällevik'),
      () => (e.description = e.description + '\nLast changed 1 dec 14:00: venue'),
      () => (e.url = 'https://www.svenskfotboll.se/matchfakta/6999999/'),
      () => (e.startMs += 1_800_000),
      () => (e.endMs += 1_800_000),
      () => (e.status = e.status === 'CANCELLED' ? 'CONFIRMED' : 'CANCELLED'),
      () => (e.sequence += 1),
      () => (e.createdMs -= 1000),
      () => (e.lastModifiedMs += 1000),
      () => (e.alarmMinutes = 15),
    ];
    for (const change of changes) {
      change();
      expectSameBytes(cache, events, opts);
      expect(cache.renderedLastTime).toBe(1);
    }
  });

  it('renders every event anew when the time zone or the local-time helper changes; the calendar name needs no re-render', () => {
    const events = makeEvents(40, 3);
    const cache = new IcsRenderCache();
    const sthlm = stockholm();
    expectSameBytes(cache, events, sthlm);
    const utc: CalendarOptions = { name: 'FOGIS matcher', timeZone: 'UTC' };
    const utcText = expectSameBytes(cache, events, utc);
    expect(cache.renderedLastTime).toBe(40);
    expect(utcText).not.toContain('TZID=');
    expectSameBytes(cache, events, stockholm('America/New_York'));
    expect(cache.renderedLastTime).toBe(40);
    // Same zone, another helper (one that shows other wall times): nothing from before is reused.
    const shifted: CalendarOptions = { ...sthlm, localTime: (ms) => sthlm.localTime!(ms + 3_600_000) };
    expectSameBytes(cache, events, sthlm);
    expectSameBytes(cache, events, shifted);
    expect(cache.renderedLastTime).toBe(40);
    const renamed = expectSameBytes(cache, events, { ...shifted, name: 'Domaruppdrag; Östra, Norra' });
    expect(cache.renderedLastTime).toBe(0);
    expect(renamed).toContain('X-WR-CALNAME:Domaruppdrag\\; Östra\\, Norra');
  });

  it('holds one entry per event of the last render: entries of events that are gone are dropped', () => {
    const cache = new IcsRenderCache();
    const opts = stockholm();
    // 50 rounds of 100 events, each round replacing half of them with new UIDs.
    for (let round = 0; round < 50; round++) {
      const events = makeEvents(100, round).map((e, i) => ({ ...e, uid: `u-${i < 50 ? i : `${round}-${i}`}` }));
      cache.render(events, opts);
      expect(cache.size).toBe(100);
    }
    expect(expectSameBytes(cache, [], opts)).toBe(renderCalendar([], opts));
    expect(cache.size).toBe(0);
  });

  it('gives the right text when two events share a UID (it does not happen in the store, but the writer allows it)', () => {
    const [a, b] = makeEvents(2, 5);
    const twin = { ...b!, uid: a!.uid };
    const cache = new IcsRenderCache();
    const opts = stockholm();
    expectSameBytes(cache, [a!, twin], opts);
    expectSameBytes(cache, [a!, twin], opts);
    expectSameBytes(cache, [twin, a!], opts);
  });
});
