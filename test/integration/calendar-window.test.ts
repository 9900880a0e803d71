import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FogisMatch } from '../../shared/messages';
import { createCalendarSink, type FullCalendarSink } from '../../electron/core/sync';
import { PAST_GRACE_MINUTES, windowStartMs } from '../../electron/core/sync/change-window';
import { startFakeCalendarServer, type FakeCalendarServer } from '../harness/fake-calendar-server';
import { fastRetry, fixtureLists, listInput, MemorySecretStore, signedInStore, testConfig, testContext, waitFor } from '../harness/calendar-helpers';

/** The coordinator's history: a played match keeps its event, whatever the list says later. */

const HOUR = 3_600_000;
const T0 = Date.parse('2031-03-01T12:00:00Z');
let clockMs = T0;
const clock = (): number => clockMs;

function match(id: number, kickoffMs: number, extra: Partial<FogisMatch> = {}): FogisMatch {
  const base = structuredClone(fixtureLists()[0]![0]!);
  return { ...base, matchid: id, matchnr: `00000${id}`, tid: `/Date(${kickoffMs})/`, ...extra };
}

let fake: FakeCalendarServer;
let dir: string;
const sinks: FullCalendarSink[] = [];
beforeEach(async () => {
  clockMs = T0;
  fake = await startFakeCalendarServer();
  dir = mkdtempSync(path.join(tmpdir(), 'cal-window-'));
});
afterEach(async () => {
  for (const s of sinks.splice(0)) await s.stop();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

async function googleSink(calendar: Record<string, unknown> = {}): Promise<FullCalendarSink> {
  const sink = createCalendarSink(testConfig({ backend: 'google', ...calendar }), testContext(dir), {
    secretStore: signedInStore(),
    googleRootUrl: fake.rootUrl,
    tokenUrl: fake.tokenUrl,
    tokenImportPath: null,
    retry: fastRetry,
    saveDelayMs: 10,
    clock,
  });
  sinks.push(sink);
  await sink.start();
  return sink;
}

async function icsSink(calendar: Record<string, unknown> = {}): Promise<FullCalendarSink> {
  const sink = createCalendarSink(testConfig(calendar), testContext(dir), { secretStore: new MemorySecretStore(), tokenImportPath: null, saveDelayMs: 10, clock });
  sinks.push(sink);
  await sink.start();
  return sink;
}

const feed = async (sink: FullCalendarSink, list: FogisMatch[]): Promise<void> => {
  sink.onMatchList(listInput(list));
  expect(await sink.drain(5000)).toBe(true);
};

// X is played first; Y and Z are upcoming for longer.
const X = match(9100001, T0 + 2 * HOUR);
const Y = match(9100002, T0 + 10 * 24 * HOUR);
const Z = match(9100003, T0 + 12 * 24 * HOUR);
/** X's scheduled end (120 min) plus the grace period, and one minute more. */
const AFTER_X = T0 + 2 * HOUR + 120 * 60_000 + PAST_GRACE_MINUTES * 60_000 + 60_000;

describe('time window: Google', () => {
  it('a played match no longer listed keeps its event: not deleted, not patched, also when deletions are confirmed', async () => {
    const sink = await googleSink({ maxDeleteFraction: 0 });
    await feed(sink, [X, Y, Z]);
    expect(fake.liveEvents()).toHaveLength(3);
    const xEvent = structuredClone(fake.liveEvents().find((e) => e.extendedProperties?.private?.matchId === String(X.matchid))!);

    clockMs = AFTER_X;
    // X and Z leave the list: only Z (upcoming) is a deletion, and the guard (fraction 0) holds it.
    await feed(sink, [Y]);
    const st = sink.getState();
    expect(st.heldDeletions).toBe(1);
    expect(st.perMatch[String(Z.matchid)]?.status).toBe('held');
    expect(st.perMatch[String(X.matchid)]?.status).toBe('synced');
    // The dashboard explains the hold: which match and why (played X is not in it).
    expect(st.held?.map((h) => [h.matchId, h.reason])).toEqual([[String(Z.matchid), 'removed']]);
    expect(st.held?.[0]?.kickoff).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
    const report = await sink.confirmDeletions();
    expect(report.deleted).toBe(1);
    const live = fake.liveEvents().map((e) => e.extendedProperties?.private?.matchId).sort();
    expect(live).toEqual([String(X.matchid), String(Y.matchid)].sort());

    // X comes back changed (new venue, then cancelled): history is not rewritten.
    const patchesBefore = fake.count('patch');
    const deletesBefore = fake.count('delete');
    await feed(sink, [{ ...X, anlaggningnamn: 'Annan arena' }, Y]);
    await feed(sink, [{ ...X, installd: true }, Y]);
    expect(fake.count('patch')).toBe(patchesBefore);
    expect(fake.count('delete')).toBe(deletesBefore);
    const xNow = fake.liveEvents().find((e) => e.extendedProperties?.private?.matchId === String(X.matchid))!;
    expect(xNow).toEqual(xEvent);
  });

  it('lists with timeMin = the window start, and a past event it cannot see is not recreated', async () => {
    const sink = await googleSink();
    await feed(sink, [X, Y]);
    clockMs = AFTER_X;
    const before = fake.count('insert');
    const writesBefore = fake.count('patch') + fake.count('delete');
    const report = await sink.sync(null);
    expect(report.failed).toBe(0);
    const lists = fake.requests.filter((r) => r.op === 'list');
    const last = new URL(lists[lists.length - 1]!.path, 'http://x');
    expect(last.searchParams.get('timeMin')).toBe(new Date(windowStartMs(AFTER_X)).toISOString());
    expect(last.searchParams.get('singleEvents')).toBe('true');
    // X's event ended before the window, so the listing does not return it; it is still known, not re-inserted.
    expect(fake.count('insert')).toBe(before);
    expect(fake.count('patch') + fake.count('delete')).toBe(writesBefore);
    expect(sink.getState().perMatch[String(X.matchid)]?.status).toBe('synced');
    expect(fake.liveEvents()).toHaveLength(2);
  });

  it('an upcoming match is still changed and deleted as before', async () => {
    const sink = await googleSink();
    await feed(sink, [X, Y, Z]);
    clockMs = AFTER_X;
    await feed(sink, [X, { ...Y, anlaggningnamn: 'Ny arena' }, Z]);
    expect(fake.liveEvents().find((e) => e.extendedProperties?.private?.matchId === String(Y.matchid))!.location).toBe('Ny arena');
    await feed(sink, [X, Y]);
    expect(fake.liveEvents().map((e) => e.extendedProperties?.private?.matchId).sort()).toEqual([String(X.matchid), String(Y.matchid)].sort());
  });
});

describe('time window: ICS file', () => {
  it('a removed or cancelled played match keeps its event in the file', async () => {
    const sink = await icsSink({ maxDeleteFraction: 0 });
    await feed(sink, [X, Y, Z]);
    const ics = (): string => readFileSync(path.join(dir, 'calendar.ics'), 'utf8');
    const xBlock = (): string => /BEGIN:VEVENT\r\nUID:fogis-match-9100001@[\s\S]*?END:VEVENT/.exec(ics())?.[0] ?? '';
    const original = xBlock();
    expect(original).toContain('SEQUENCE:0');
    clockMs = AFTER_X;
    await feed(sink, [Y]);
    await sink.confirmDeletions();
    await sink.drain(5000);
    expect(xBlock()).toBe(original);
    expect(ics()).not.toContain('fogis-match-9100003@');
    await feed(sink, [{ ...X, installd: true }, Y]);
    await feed(sink, [{ ...X, anlaggningnamn: 'Annan arena' }, Y]);
    await waitFor(() => sink.getState().pending === 0);
    expect(xBlock()).toBe(original);
  });
});
