import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FogisMatch } from '../../shared/messages';
import { createCalendarSink, type CalendarSinkOptions, type FullCalendarSink } from '../../electron/core/sync';
import { TOKEN_SECRET_NAME } from '../../electron/core/sync/google-auth';
import { startFakeCalendarServer, type FakeCalendarServer } from '../harness/fake-calendar-server';
import { fastRetry, fixtureClock, fixtureLists, listInput, MemorySecretStore, signedInStore, testConfig, testContext, waitFor, type TestContext } from '../harness/calendar-helpers';

/** Google misbehaving, against the local Calendar v3 server: each fault heals with no loss and no duplicate. */

let fake: FakeCalendarServer;
let dir: string;
const sinks: FullCalendarSink[] = [];
beforeEach(async () => {
  fake = await startFakeCalendarServer();
  dir = mkdtempSync(path.join(tmpdir(), 'cal-faults-'));
});
afterEach(async () => {
  for (const s of sinks.splice(0)) await s.stop();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

async function makeSink(calendar: Record<string, unknown> = {}, extra: CalendarSinkOptions = {}): Promise<{ sink: FullCalendarSink; ctx: TestContext }> {
  const ctx = testContext(dir);
  const sink = createCalendarSink(testConfig({ backend: 'google', ...calendar }), ctx, {
    secretStore: signedInStore(),
    googleRootUrl: fake.rootUrl,
    tokenUrl: fake.tokenUrl,
    tokenImportPath: null,
    retry: fastRetry,
    saveDelayMs: 10,
    googleTimeoutMs: 3_000,
    clock: fixtureClock,
    ...extra,
  });
  sinks.push(sink);
  await sink.start();
  return { sink, ctx };
}

const lists = fixtureLists();
const perMatch = (calendarId = 'primary'): Map<string, number> => {
  const m = new Map<string, number>();
  for (const e of fake.liveEvents(calendarId)) {
    const id = e.extendedProperties?.private?.matchId ?? '?';
    m.set(id, (m.get(id) ?? 0) + 1);
  }
  return m;
};
const oneEach = (n: number, calendarId = 'primary'): void => {
  const m = perMatch(calendarId);
  expect(m.size).toBe(n);
  expect([...m.values()].every((c) => c === 1)).toBe(true);
};
function many(n: number): FogisMatch[] {
  const base = lists[0]![0]!;
  return Array.from({ length: n }, (_, i) => ({ ...structuredClone(base), matchid: 8_200_000 + i }));
}
const tokenFile = (refreshToken: string): string =>
  JSON.stringify({ token: null, refresh_token: refreshToken, token_uri: fake.tokenUrl, client_id: 'cid', client_secret: 'cs', scopes: ['https://www.googleapis.com/auth/calendar'], expiry: null });

describe('sign-in heals itself', () => {
  it('a single 401 while the refresh token works: one refresh, one retry, no sign-in alert', async () => {
    const { sink, ctx } = await makeSink();
    await waitFor(() => fake.count('list') >= 1);
    const tokensBefore = fake.count('token');
    fake.inject({ op: 'insert', times: 1, status: 401 });
    const report = await sink.sync(lists[0]!);
    expect(report).toMatchObject({ success: true, inserted: 3, failed: 0 });
    expect(fake.count('token')).toBe(tokensBefore + 1);
    expect(sink.getState().status).toBe('ok');
    expect(sink.getState().signedIn).toBe(true);
    expect(ctx.alerts.filter((a) => a.alertType === 'calendar_sign_in_needed')).toEqual([]);
    oneEach(3);
  });

  it('a restart with a stored access token Google no longer accepts refreshes it instead of stopping', async () => {
    const store = new MemorySecretStore();
    store.values.set(
      TOKEN_SECRET_NAME,
      JSON.stringify({ refresh_token: 'refresh-ok', access_token: 'ya29.stale', expiry_date: Date.now() + 3_600_000, scope: 'https://www.googleapis.com/auth/calendar', client_id: 'cid', client_secret: 'cs', token_uri: null }),
    );
    fake.revokedAccessTokens.add('ya29.stale');
    const { sink, ctx } = await makeSink({}, { secretStore: store });
    const report = await sink.sync(lists[0]!);
    expect(report).toMatchObject({ success: true, inserted: 3 });
    expect(ctx.alerts).toEqual([]);
    const saved = JSON.parse(store.values.get(TOKEN_SECRET_NAME)!) as { access_token: string | null };
    // The known-bad token is gone from the store: the next restart does not start with it.
    expect(saved.access_token).not.toBe('ya29.stale');
    expect(fake.issuedAccessTokens).toContain(saved.access_token);
    const stale = fake.requests.filter((r) => r.bearer === 'ya29.stale');
    expect(stale.length).toBe(1);
    oneEach(3);
  });

  it('a revoked refresh token (invalid_grant) is "sign-in needed"; a newer token.json in the data dir heals it without a restart', async () => {
    fake.revokedRefreshTokens.add('refresh-ok');
    const file = path.join(dir, 'token.json');
    writeFileSync(file, tokenFile('refresh-ok')); // the refused one: ignored
    const { sink, ctx } = await makeSink({}, { tokenImportPath: file });
    sink.onMatchList(listInput(lists[0]!));
    await waitFor(() => sink.getState().status.startsWith('sign-in needed'), 5000, 'sign-in needed');
    expect(sink.getState().pending).toBe(3);
    await waitFor(() => ctx.alerts.some((a) => a.alertType === 'calendar_sign_in_needed'), 5000, 'sign-in alert');
    expect(ctx.alerts.find((a) => a.alertType === 'calendar_sign_in_needed')!.message).toMatch(/token\.json/);
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.count('insert')).toBe(0);
    expect(sink.getState().signedIn).toBe(false);
    writeFileSync(file, tokenFile('refresh-new'));
    await waitFor(() => sink.getState().signedIn === true, 5000, 'signed in from the new token.json');
    expect(await sink.drain(5000)).toBe(true);
    oneEach(3);
    expect(ctx.resolved).toContain('calendar_sign_in_needed');
    expect(sink.getState().status).toBe('ok');
  });
});

describe('the calendar itself', () => {
  it('a calendar id that does not exist: "calendar not found" at once, one alert, no per-match failures; resumes by itself', async () => {
    fake.missingCalendars.add('nope@group.calendar.google.com');
    const { sink, ctx } = await makeSink({ calendarId: 'nope@group.calendar.google.com' });
    sink.onMatchList(listInput(lists[0]!));
    await waitFor(() => sink.getState().status.startsWith('calendar not found'), 5000, 'calendar not found');
    await new Promise((r) => setTimeout(r, 300));
    const st = sink.getState();
    expect(st.failed).toBe(0);
    expect(st.pending).toBe(3);
    expect(ctx.alerts.filter((a) => a.alertType === 'calendar_not_found')).toHaveLength(1);
    expect(ctx.alerts.filter((a) => a.alertType === 'calendar_write_failed')).toEqual([]);
    expect(ctx.alerts[0]!.message).toContain('nope@group.calendar.google.com');
    // The coordinator creates / shares the calendar: the re-check finds it, nothing is lost.
    fake.missingCalendars.delete('nope@group.calendar.google.com');
    expect(await sink.drain(5000)).toBe(true);
    oneEach(3, 'nope@group.calendar.google.com');
    expect(sink.getState().status).toBe('ok');
    expect(ctx.resolved).toContain('calendar_not_found');
  });

  it('no write access (403, not a rate limit): its own status and alert; matches are retried by themselves once fixed', async () => {
    const { sink, ctx } = await makeSink();
    await waitFor(() => fake.count('list') >= 1);
    fake.readOnlyCalendars.add('primary');
    sink.onMatchList(listInput(lists[0]!));
    await waitFor(() => sink.getState().status.startsWith('no write access'), 5000, 'no write access');
    expect(sink.getState().failed).toBe(0);
    expect(ctx.alerts.filter((a) => a.alertType === 'calendar_no_write_access')).toHaveLength(1);
    expect(ctx.alerts.find((a) => a.alertType === 'calendar_no_write_access')!.message).toMatch(/Make changes to events/);
    fake.readOnlyCalendars.delete('primary');
    expect(await sink.drain(5000)).toBe(true);
    oneEach(3);
    expect(sink.getState().failed).toBe(0);
    expect(ctx.resolved).toContain('calendar_no_write_access');
  });
});

describe('quotas', () => {
  it('honours Retry-After on 429 (the next request waits at least as long as asked)', async () => {
    const { sink } = await makeSink();
    await waitFor(() => fake.count('list') >= 1);
    fake.inject({ op: 'insert', times: 1, status: 429, retryAfter: '2' });
    const report = await sink.sync(lists[0]!.slice(0, 1));
    expect(report).toMatchObject({ success: true, inserted: 1 });
    const inserts = fake.requests.filter((r) => r.op === 'insert');
    expect(inserts[0]!.status).toBe(429);
    const waited = inserts[1]!.at - inserts[0]!.at;
    expect(waited).toBeGreaterThanOrEqual(1_990);
    expect(waited).toBeLessThan(6_000);
  }, 15_000);

  it('honours Retry-After on 503 given as an HTTP date', async () => {
    const { sink } = await makeSink();
    await waitFor(() => fake.count('list') >= 1);
    fake.inject({ op: 'insert', times: 1, status: 503, retryAfter: new Date(Date.now() + 2_000).toUTCString() });
    await sink.sync(lists[0]!.slice(0, 1));
    const inserts = fake.requests.filter((r) => r.op === 'insert');
    expect(inserts[1]!.at - inserts[0]!.at).toBeGreaterThanOrEqual(900);
    oneEach(1);
  }, 15_000);

  it('paces bulk writes: 40 inserts and 40 confirmed deletions stay at 10 writes/s (bursts of 10)', async () => {
    const { sink } = await makeSink({ maxDeleteFraction: 0.5 });
    await waitFor(() => fake.count('list') >= 1);
    const matches = many(40);
    sink.onMatchList(listInput(matches));
    expect(await sink.drain(20_000)).toBe(true);
    oneEach(40);
    sink.onMatchList(listInput([]));
    await waitFor(() => sink.getState().heldDeletions === 40, 5000, '40 held');
    const report = await sink.confirmDeletions();
    expect(report.deleted).toBe(40);
    expect(fake.liveEvents()).toHaveLength(0);
    for (const op of ['insert', 'delete'] as const) {
      const at = fake.requests.filter((r) => r.op === op).map((r) => r.at);
      expect(at).toHaveLength(40);
      // 10 saved tokens, then one every 100 ms: 30 more take ≥ 3 s.
      expect(at[39]! - at[0]!).toBeGreaterThanOrEqual(2_900);
      let maxInOneSecond = 0;
      for (let i = 0; i < at.length; i++) maxInOneSecond = Math.max(maxInOneSecond, at.filter((t) => t >= at[i]! && t < at[i]! + 1000).length);
      expect(maxInOneSecond).toBeLessThanOrEqual(20);
    }
  }, 30_000);
});

describe('smaller', () => {
  it('a delete whose answer was lost (then 404/410 on the retry) counts as deleted', async () => {
    const { sink } = await makeSink();
    sink.onMatchList(listInput(lists[0]!));
    expect(await sink.drain(5000)).toBe(true);
    fake.inject({ op: 'delete', times: 1, resetAfterApply: true });
    const report = await sink.sync(null);
    expect(report.failed).toBe(0);
    sink.onMatchList(listInput(lists[0]!.slice(0, 2)));
    expect(await sink.drain(5000)).toBe(true);
    expect(fake.count('delete')).toBe(2);
    expect(sink.getState().counters.deleted).toBe(1);
    oneEach(2);
  });

  it('lastSyncAt is set when the calendar was already in step', async () => {
    const { sink } = await makeSink();
    sink.onMatchList(listInput(lists[0]!));
    expect(await sink.drain(5000)).toBe(true);
    const first = sink.getState().lastSyncAt;
    expect(first).not.toBeNull();
    await new Promise((r) => setTimeout(r, 20));
    const calls = fake.count();
    sink.onMatchList(listInput(lists[0]!));
    await sink.drain(2000);
    expect(fake.count()).toBe(calls);
    expect(Date.parse(sink.getState().lastSyncAt!)).toBeGreaterThan(Date.parse(first!));
  });
});
