import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';
import type { FakeCalendarServer } from '../test/harness/fake-calendar-server';
import { prng } from '../test/harness/prng';
import { KICKOFF_BASE_MS } from './lib';

/**
 * The crash replay's ground truth: a reproducible stream of changing match lists, the
 * calendar each list must produce, the calendar as the ICS file or the Google server holds
 * it, and the comparison of the two.
 */

// ---- a reproducible stream of changing match lists -------------------------------------------

export interface SimMatch {
  matchid: number;
  lag1namn: string;
  lag2namn: string;
  tid: string;
  anlaggningnamn: string;
  installd?: boolean;
  domaruppdraglista: Array<{ domarrollkortnamn: string; personnamn: string; mobiltelefon: string }>;
}

const BASE_MS = KICKOFF_BASE_MS;

function newMatch(id: number, rnd: () => number): SimMatch {
  return {
    matchid: 6_000_000 + id,
    lag1namn: `Lag ${id}A`,
    lag2namn: `Lag ${id}B`,
    tid: `/Date(${BASE_MS + Math.floor(rnd() * 2000) * 3_600_000})/`,
    anlaggningnamn: `Arena ${Math.floor(rnd() * 10)}`,
    domaruppdraglista: [{ domarrollkortnamn: 'Dom', personnamn: `Domare ${Math.floor(rnd() * 50)}`, mobiltelefon: '070-0000000' }],
  };
}

/**
 * `n` full lists; each differs from the previous by one change: a new match, a removal, a
 * moved kickoff, a new venue, a new referee, or a cancellation. Between 6 and 24 matches, so
 * one removal never trips the mass-deletion guard (50 %).
 */
export function matchStream(n: number, seed: number): SimMatch[][] {
  const rnd = prng(seed);
  let next = 1;
  let list: SimMatch[] = Array.from({ length: 12 }, () => newMatch(next++, rnd));
  const out: SimMatch[][] = [];
  for (let i = 0; i < n; i++) {
    list = list.map((m) => ({ ...m, domaruppdraglista: m.domaruppdraglista.map((r) => ({ ...r })) }));
    const live = list.filter((m) => !m.installd);
    const op = rnd();
    const pick = (): SimMatch => live[Math.floor(rnd() * live.length)] as SimMatch;
    if ((op < 0.2 && list.length < 24) || live.length < 6) list.push(newMatch(next++, rnd));
    else if (op < 0.35 && list.length > 6) list.splice(Math.floor(rnd() * list.length), 1);
    else if (op < 0.6) pick().tid = `/Date(${BASE_MS + Math.floor(rnd() * 2000) * 3_600_000})/`;
    else if (op < 0.75) pick().anlaggningnamn = `Arena ${Math.floor(rnd() * 10)}`;
    else if (op < 0.9) (pick().domaruppdraglista[0] as SimMatch['domaruppdraglista'][0]).personnamn = `Domare ${Math.floor(rnd() * 50)}`;
    else pick().installd = true;
    out.push(list);
  }
  return out;
}

export interface CalEvent {
  matchId: string;
  start: number;
  summary: string;
  location: string;
  /** "role: name" per referee, in list order: a changed referee must reach the calendar too. */
  referees: string[];
}

export function expectedEvents(list: SimMatch[]): Map<string, CalEvent> {
  return new Map(
    list
      .filter((m) => !m.installd)
      .map((m) => [
        String(m.matchid),
        { matchId: String(m.matchid), start: Number(/-?\d+/.exec(m.tid)?.[0]), summary: `${m.lag1namn} - ${m.lag2namn}`, location: m.anlaggningnamn, referees: m.domaruppdraglista.map((r) => `${r.domarrollkortnamn}: ${r.personnamn}`) },
      ]),
  );
}

/**
 * The referees an event's description names (electron/core/sync/event-builder.ts writes a
 * "<role>:" line then the name, before "Match Details:"; the "Last changed" line comes after).
 */
export function refereesOf(description: string): string[] {
  const head = description.split('Match Details:')[0] ?? '';
  return [...head.matchAll(/^([^\n:]+):\n([^\n]+)$/gm)].map((m) => `${m[1]}: ${m[2]}`);
}

export function icsEvents(file: string): CalEvent[] {
  const comp = new ICAL.Component(ICAL.parse(readFileSync(file, 'utf8')));
  for (const tz of comp.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(tz));
  return comp
    .getAllSubcomponents('vevent')
    .filter((v) => String(v.getFirstPropertyValue('status')) !== 'CANCELLED')
    .map((v) => {
      const e = new ICAL.Event(v);
      return { matchId: /fogis-match-(\d+)@/.exec(e.uid)?.[1] ?? e.uid, start: e.startDate.toJSDate().getTime(), summary: e.summary, location: e.location, referees: refereesOf(e.description ?? '') };
    });
}

export function googleEvents(fake: FakeCalendarServer): CalEvent[] {
  return fake.liveEvents().map((e) => ({ matchId: e.extendedProperties?.private?.matchId ?? '?', start: Date.parse(e.start?.dateTime ?? ''), summary: e.summary ?? '', location: e.location ?? '', referees: refereesOf(e.description ?? '') }));
}

export function compare(expected: Map<string, CalEvent>, actual: CalEvent[]): { expected: number; done: number; lost: number; duplicated: number; wrong: number; extra: number; detail: string[] } {
  const byId = new Map<string, CalEvent[]>();
  for (const e of actual) byId.set(e.matchId, [...(byId.get(e.matchId) ?? []), e]);
  let done = 0;
  let wrong = 0;
  let duplicated = 0;
  const detail: string[] = [];
  for (const [id, exp] of expected) {
    const got = byId.get(id) ?? [];
    if (got.length > 1) duplicated += got.length - 1;
    const first = got[0];
    if (!first) {
      detail.push(`missing ${id}`);
      continue;
    }
    if (first.start === exp.start && first.summary === exp.summary && first.location === exp.location && first.referees.join('|') === exp.referees.join('|')) done++;
    else {
      wrong++;
      detail.push(`stale ${id}: ${JSON.stringify(first)} ≠ ${JSON.stringify(exp)}`);
    }
  }
  const extra = [...byId.keys()].filter((id) => !expected.has(id)).length;
  if (extra) detail.push(`extra events for ${[...byId.keys()].filter((id) => !expected.has(id)).join(',')}`);
  return { expected: expected.size, done, lost: expected.size - done - wrong, duplicated, wrong, extra, detail };
}
