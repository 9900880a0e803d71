import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FogisMatch } from '../../shared/messages';
import { createCalendarSink, type FullCalendarSink } from '../../electron/core/sync';
import { buildEventBody } from '../../electron/core/sync/google-body';
import { startFakeCalendarServer, type FakeCalendarServer, type FakeEvent } from '../harness/fake-calendar-server';
import { fastRetry, fixtureLists, listInput, signedInStore, testConfig, testContext, waitFor, type TestContext } from '../harness/calendar-helpers';

/** First contact with a calendar the Python service filled: preview, confirm, exactly what was previewed. */

const TAG = 'FOGIS_CALENDAR_SYNC';
const HOUR = 3_600_000;
const T0 = Date.parse('2031-03-01T12:00:00Z');
const clock = (): number => T0;

let fake: FakeCalendarServer;
let dir: string;
const sinks: FullCalendarSink[] = [];
beforeEach(async () => {
  fake = await startFakeCalendarServer();
  dir = mkdtempSync(path.join(tmpdir(), 'cal-takeover-'));
});
afterEach(async () => {
  for (const s of sinks.splice(0)) await s.stop();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

async function makeSink(): Promise<{ sink: FullCalendarSink; ctx: TestContext }> {
  const ctx = testContext(dir);
  const sink = createCalendarSink(testConfig({ backend: 'google' }), ctx, {
    secretStore: signedInStore(),
    googleRootUrl: fake.rootUrl,
    tokenUrl: fake.tokenUrl,
    tokenImportPath: null,
    retry: fastRetry,
    saveDelayMs: 10,
    googleWritesPerSecond: 1000,
    clock,
  });
  sinks.push(sink);
  await sink.start();
  return { sink, ctx };
}

function match(id: number, kickoffMs: number, extra: Partial<FogisMatch> = {}): FogisMatch {
  const base = structuredClone(fixtureLists()[0]![0]!);
  return { ...base, matchid: id, matchnr: `0000${id}`, lag1namn: `Hemma ${id}`, tid: `/Date(${kickoffMs})/`, ...extra };
}

/** An event as the Python calendar service writes it (spec §5.2): UTC times, timeZone "UTC", its sync tag. */
function pythonEvent(m: FogisMatch, tag = TAG, created = '2031-01-01T00:00:00Z'): FakeEvent {
  return fake.seed({ ...buildEventBody(m, { syncTag: tag, durationMinutes: 120, timeZone: 'UTC' }), created });
}

const writes = (): { insert: number; patch: number; delete: number } => ({ insert: fake.count('insert'), patch: fake.count('patch'), delete: fake.count('delete') });
const live = (): Map<string, FakeEvent[]> => {
  const m = new Map<string, FakeEvent[]>();
  for (const e of fake.liveEvents()) {
    const id = e.extendedProperties?.private?.matchId ?? '?';
    m.set(id, [...(m.get(id) ?? []), e]);
  }
  return m;
};

describe('calendar takeover', () => {
  it('previews N adopted, M updated, K deleted, P past, Q other tag; writes nothing before the confirmation, then exactly that', async () => {
    const A = match(9300001, T0 + 24 * HOUR);
    const B = match(9300002, T0 + 48 * HOUR);
    const C = match(9300003, T0 + 72 * HOUR);
    const D = match(9300004, T0 + 96 * HOUR);
    const E = match(9300005, T0 - 10 * 24 * HOUR);
    const F = match(9300006, T0 + 120 * HOUR);
    const G = match(9300007, T0 + 144 * HOUR);
    const H = match(9300008, T0 + 168 * HOUR);
    pythonEvent(A);
    pythonEvent(A, TAG, '2031-02-01T00:00:00Z'); // the Python service's duplicate
    pythonEvent(B);
    pythonEvent(C);
    pythonEvent(D);
    const past = structuredClone(pythonEvent(E));
    pythonEvent(F, 'OLD_TAG');
    const otherSync = structuredClone(pythonEvent(G, 'OLD_TAG'));
    fake.seed({ summary: 'Tandläkare', start: { dateTime: '2031-03-03T08:00:00Z' }, end: { dateTime: '2031-03-03T09:00:00Z' } });

    const { sink, ctx } = await makeSink();
    const list = [A, { ...B, anlaggningnamn: 'Ny arena' }, { ...C, installd: true }, F, H];
    sink.onMatchList(listInput(list));
    await waitFor(() => sink.getState().takeover?.listReceived === true, 5000, 'takeover preview');
    const preview = sink.getState().takeover!;
    expect(preview).toMatchObject({ found: 8, adopted: 1, updated: 1, deleted: 2, past: 1, duplicates: 1, otherTag: 2, retagged: 1, inserted: 1, otherTags: ['OLD_TAG'], listReceived: true });
    expect(preview.items.find((i) => i.matchId === String(C.matchid))).toMatchObject({ action: 'delete', reason: 'cancelled' });
    expect(preview.items.find((i) => i.matchId === String(D.matchid))).toMatchObject({ action: 'delete', reason: 'removed' });
    expect(preview.items.find((i) => i.matchId === String(E.matchid))).toMatchObject({ action: 'past' });
    expect(preview.items.find((i) => i.matchId === String(F.matchid))).toMatchObject({ action: 'retag', syncTag: 'OLD_TAG' });
    expect(preview.items.find((i) => i.matchId === String(G.matchid))).toMatchObject({ action: 'other-tag' });
    expect(sink.getState().status).toBe('takeover waiting');
    expect(sink.getTakeover()).toEqual(preview);

    // Nothing is written while the preview waits, and the guard's "would remove 2 of 3" never fires.
    await new Promise((r) => setTimeout(r, 300));
    sink.onMatchList(listInput(list));
    await new Promise((r) => setTimeout(r, 100));
    expect(writes()).toEqual({ insert: 0, patch: 0, delete: 0 });
    expect(ctx.alerts.map((a) => a.alertType)).toEqual(['calendar_takeover']);
    expect(ctx.alerts[0]!.message).toMatch(/1 kept as they are, 1 updated, 2 deleted .*1 of played matches left alone, 2 under another sync tag/);

    const report = await sink.confirmTakeover();
    expect(report.success).toBe(true);
    expect(await sink.drain(5000)).toBe(true);
    // The preview's counts are the confirmation's writes.
    expect(writes()).toEqual({ insert: preview.inserted, patch: preview.updated + preview.retagged, delete: preview.deleted + preview.duplicates });
    const byMatch = live();
    for (const m of [A, B, F, H]) expect(byMatch.get(String(m.matchid)), String(m.matchid)).toHaveLength(1);
    expect(byMatch.has(String(C.matchid))).toBe(false);
    expect(byMatch.has(String(D.matchid))).toBe(false);
    expect(byMatch.get(String(F.matchid))![0]!.extendedProperties?.private?.syncTag).toBe(TAG);
    expect(byMatch.get(String(E.matchid))![0]).toEqual(past);
    expect(byMatch.get(String(G.matchid))![0]).toEqual(otherSync);
    expect(fake.liveEvents().some((e) => e.summary === 'Tandläkare')).toBe(true);
    const st = sink.getState();
    expect(st.takeover).toBeNull();
    expect(st.heldDeletions).toBe(0);
    expect(st.status).toBe('ok');
    expect(ctx.resolved).toContain('calendar_takeover');

    // Afterwards the sync runs as usual: the same list costs nothing, and no second preview.
    const before = fake.count();
    sink.onMatchList(listInput(list));
    await sink.drain(2000);
    expect(fake.count()).toBe(before);
  });

  it('an unchanged Python calendar: confirmation writes nothing and the calendar counts as in step', async () => {
    const ms = [match(9310001, T0 + 24 * HOUR), match(9310002, T0 + 48 * HOUR)];
    for (const m of ms) pythonEvent(m);
    const { sink } = await makeSink();
    sink.onMatchList(listInput(ms));
    await waitFor(() => sink.getState().takeover?.listReceived === true, 5000, 'takeover preview');
    expect(sink.getState().takeover).toMatchObject({ adopted: 2, updated: 0, deleted: 0, inserted: 0 });
    expect(sink.getState().lastSyncAt).toBeNull();
    await sink.confirmTakeover();
    await sink.drain(2000);
    expect(writes()).toEqual({ insert: 0, patch: 0, delete: 0 });
    expect(sink.getState().lastSyncAt).not.toBeNull();
  });

  it('a restart in the middle of a takeover resumes it without duplicates', async () => {
    const listed: FogisMatch[] = [];
    for (let i = 0; i < 24; i++) {
      const m = match(9320000 + i, T0 + (i + 1) * 24 * HOUR);
      listed.push(m);
      if (i < 16) pythonEvent(m, 'OLD_TAG'); // re-tagged
    }
    const { sink } = await makeSink();
    sink.onMatchList(listInput(listed));
    await waitFor(() => sink.getState().takeover?.listReceived === true, 5000, 'takeover preview');
    expect(sink.getState().takeover).toMatchObject({ retagged: 16, inserted: 8 });
    fake.latencyMs = 40;
    const confirming = sink.confirmTakeover();
    await waitFor(() => fake.count('patch') >= 5, 10_000, '5 re-tags');
    sinks.splice(sinks.indexOf(sink), 1);
    await sink.stop();
    await confirming;
    const done = fake.count('patch') + fake.count('insert');
    expect(done).toBeLessThan(24);

    fake.latencyMs = 0;
    const { sink: again } = await makeSink();
    expect(await again.drain(10_000)).toBe(true);
    expect(again.getState().takeover ?? null).toBeNull();
    const byMatch = live();
    expect(byMatch.size).toBe(24);
    for (const m of listed) {
      const evs = byMatch.get(String(m.matchid))!;
      expect(evs, String(m.matchid)).toHaveLength(1);
      expect(evs[0]!.extendedProperties?.private?.syncTag).toBe(TAG);
    }
    expect(fake.events()).toHaveLength(24);
    expect(again.getState().counters.failures).toBe(0);
  }, 30_000);
});

describe('calendar takeover over HTTP', () => {
  it('GET /api/calendar/takeover shows the preview; POST …/confirm needs the access token and carries it out', async () => {
    const { startCore, tempDir } = await import('../harness/app');
    const { writeFileSync, mkdirSync } = await import('node:fs');
    const { TOKEN_SECRET_NAME } = await import('../../electron/core/sync/google-auth');
    const ms = [match(9330001, Date.now() + 24 * HOUR), match(9330002, Date.now() + 48 * HOUR)];
    for (const m of ms) pythonEvent(m);
    const dataDir = tempDir('cal-takeover-http-');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(
      path.join(dataDir, 'secrets.json'),
      JSON.stringify({ [TOKEN_SECRET_NAME]: JSON.stringify({ refresh_token: 'refresh-http', access_token: null, expiry_date: null, scope: 'https://www.googleapis.com/auth/calendar', client_id: 'cid', client_secret: 'cs', token_uri: null }) }),
      { mode: 0o600 },
    );
    const app = await startCore({ REDIS_URL: 'redis://127.0.0.1:1', CALENDAR_BACKEND: 'google', FOGIS_GOOGLE_API_ROOT: fake.rootUrl, FOGIS_GOOGLE_TOKEN_URL: fake.tokenUrl, GOOGLE_CALENDAR_TOKEN_FILE: path.join(dataDir, 'none.json') }, dataDir);
    try {
      let body: { takeover: { found: number; adopted: number } | null } = { takeover: null };
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && body.takeover === null) {
        body = (await (await fetch(`${app.baseUrl}/api/calendar/takeover`)).json()) as typeof body;
        if (body.takeover === null) await new Promise((r) => setTimeout(r, 50));
      }
      expect(body.takeover).toMatchObject({ found: 2, adopted: 2 });
      const refused = await fetch(`${app.baseUrl}/api/calendar/takeover/confirm`, { method: 'POST' });
      expect([401, 403]).toContain(refused.status);
      expect(fake.count('insert') + fake.count('patch') + fake.count('delete')).toBe(0);
      const ok = await app.authedFetch(`${app.baseUrl}/api/calendar/takeover/confirm`, { method: 'POST' });
      expect(ok.status).toBe(200);
      const after = (await (await fetch(`${app.baseUrl}/api/calendar/takeover`)).json()) as typeof body;
      expect(after.takeover).toBeNull();
      expect(fake.count('insert') + fake.count('patch') + fake.count('delete')).toBe(0);
    } finally {
      await app.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 20_000);
});
