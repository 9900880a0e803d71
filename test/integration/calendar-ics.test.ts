import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ICAL from 'ical.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCalendarSink, FileSecretStore, type FullCalendarSink } from '../../electron/core/sync';
import { fixtureClock, fixtureLists, listInput, MemorySecretStore, testConfig, testContext } from '../harness/calendar-helpers';

let dir: string;
const sinks: FullCalendarSink[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cal-ics-'));
});
afterEach(async () => {
  for (const s of sinks.splice(0)) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function makeSink(calendar: Record<string, unknown> = {}): Promise<FullCalendarSink> {
  const sink = createCalendarSink(testConfig(calendar), testContext(dir), { secretStore: new MemorySecretStore(), tokenImportPath: null, saveDelayMs: 10, clock: fixtureClock });
  sinks.push(sink);
  await sink.start();
  return sink;
}

interface Parsed {
  uid: string;
  summary: string;
  sequence: number;
  status: string;
  start: Date;
  end: Date;
  description: string;
  location: string;
}

function parse(text: string): Parsed[] {
  const comp = new ICAL.Component(ICAL.parse(text));
  for (const tz of comp.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(tz));
  return comp.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    return {
      uid: e.uid,
      summary: e.summary,
      sequence: e.sequence,
      status: String(v.getFirstPropertyValue('status')),
      start: e.startDate.toJSDate(),
      end: e.endDate.toJSDate(),
      description: e.description,
      location: e.location,
    };
  });
}

async function step(sink: FullCalendarSink, matches: Parameters<FullCalendarSink['sync']>[0]): Promise<Parsed[]> {
  sink.onMatchList(listInput(matches ?? []));
  expect(await sink.drain(5000)).toBe(true);
  const text = await sink.readIcs();
  expect(text).toBe(readFileSync(path.join(dir, 'calendar.ics'), 'utf8'));
  return parse(text!);
}

describe('ICS backend: fixture replay, read back with ical.js', () => {
  it('follows the processor run and costs nothing when the list repeats', async () => {
    const lists = fixtureLists();
    const sink = await makeSink();
    const [A, B, C] = lists[0]!;
    const uid = (m: typeof A): string => `fogis-match-${m!.matchid}@fogis-monitor`;

    let evs = await step(sink, lists[0]!);
    expect(evs.map((e) => e.uid).sort()).toEqual([uid(A), uid(B), uid(C)].sort());
    expect(evs.every((e) => e.sequence === 0 && e.status === 'CONFIRMED')).toBe(true);
    const a0 = evs.find((e) => e.uid === uid(A))!;
    const tidMs = Number(/\d+/.exec(A!.tid)![0]);
    expect(a0.start.getTime()).toBe(tidMs);
    expect(a0.end.getTime() - a0.start.getTime()).toBe(120 * 60_000);
    expect(a0.summary).toBe(`${A!.lag1namn} - ${A!.lag2namn}`);
    expect(a0.location).toBe(A!.anlaggningnamn);
    expect(a0.description).toContain(`Match Details: https://www.svenskfotboll.se/matchfakta/${A!.matchid}/`);

    evs = await step(sink, lists[1]!);
    expect(evs.find((e) => e.uid === uid(A))!.sequence).toBe(1);
    expect(evs.find((e) => e.uid === uid(B))!.sequence).toBe(1);
    expect(evs.find((e) => e.uid === uid(C))!.sequence).toBe(0);
    expect(evs.find((e) => e.uid === uid(A))!.description).toMatch(/Last changed .*: kickoff 15:00 → 16:30$/m);

    evs = await step(sink, lists[2]!);
    expect(evs.find((e) => e.uid === uid(A))!.sequence).toBe(2);
    expect(evs.find((e) => e.uid === uid(B))!.sequence).toBe(1);

    evs = await step(sink, lists[3]!);
    expect(evs.map((e) => e.uid).sort()).toEqual([uid(A), uid(C)].sort());
    evs = await step(sink, lists[4]!);
    expect(evs.map((e) => e.uid)).toEqual([uid(A)]);

    const before = readFileSync(path.join(dir, 'calendar.ics'), 'utf8');
    const mtime = statSync(path.join(dir, 'calendar.ics')).mtimeMs;
    const counters = { ...sink.getState().counters };
    await step(sink, lists[4]!);
    expect(readFileSync(path.join(dir, 'calendar.ics'), 'utf8')).toBe(before);
    expect(statSync(path.join(dir, 'calendar.ics')).mtimeMs).toBe(mtime);
    expect(sink.getState().counters).toMatchObject({ inserted: counters.inserted, updated: counters.updated, deleted: counters.deleted, api_calls: 0 });
    expect(sink.getState().counters).toMatchObject({ inserted: 3, updated: 3, deleted: 2 });
    expect(sink.getState().subscribeUrl).toBe('http://127.0.0.1:5003/calendar.ics');
  });

  it('"Sync now" on a calendar in step: "Last updated" moves and a cancelled match is not "up to date"', async () => {
    const lists = fixtureLists();
    const sink = await makeSink();
    for (const l of lists.slice(0, 4)) await step(sink, l);
    const before = sink.getState().lastSyncAt;
    expect(before).not.toBeNull();
    await new Promise((r) => setTimeout(r, 20));
    const report = await sink.sync(null);
    expect(report).toMatchObject({ success: true, inserted: 0, updated: 0, deleted: 0, cancelled: 1, unchanged: 2 });
    expect(Date.parse(sink.getState().lastSyncAt!)).toBeGreaterThan(Date.parse(before!));
  });

  it('keeps a cancelled match as STATUS:CANCELLED marked INSTÄLLD', async () => {
    const lists = fixtureLists();
    const sink = await makeSink({ keepCancelled: true });
    for (const l of lists.slice(0, 3)) await step(sink, l);
    const evs = await step(sink, lists[3]!);
    const b = evs.find((e) => e.uid === `fogis-match-${lists[0]![1]!.matchid}@fogis-monitor`)!;
    expect(b.status).toBe('CANCELLED');
    expect(b.summary).toMatch(/^INSTÄLLD: /);
    expect(b.sequence).toBe(2);
  });

  it('survives a restart: state and file are reloaded, nothing rewritten', async () => {
    const lists = fixtureLists();
    const sink = await makeSink();
    await step(sink, lists[0]!);
    await sink.stop();
    sinks.length = 0;
    const again = await makeSink();
    const evs = await step(again, lists[0]!);
    expect(evs).toHaveLength(3);
    expect(again.getState().counters).toMatchObject({ inserted: 3, updated: 0 });
  });

  it('an empty list keeps the file and holds the deletions until confirmed', async () => {
    const lists = fixtureLists();
    const sink = await makeSink();
    await step(sink, lists[0]!);
    const evs = await step(sink, []);
    expect(evs).toHaveLength(3);
    expect(sink.getState().heldDeletions).toBe(3);
    const r = await sink.confirmDeletions();
    expect(r.deleted).toBe(3);
    expect(parse((await sink.readIcs())!)).toHaveLength(0);
  });
});

describe('FileSecretStore', () => {
  it('keeps secrets in a 0600 file', async () => {
    const store = FileSecretStore.inDataDir(dir);
    await store.set('a', 'secret-value');
    expect(await store.get('a')).toBe('secret-value');
    if (process.platform !== 'win32') expect(statSync(store.file).mode & 0o777).toBe(0o600);
    await store.delete('a');
    expect(await FileSecretStore.inDataDir(dir).get('a')).toBeNull();
  });
});
