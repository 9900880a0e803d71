import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FogisMatch } from '../../shared/messages';
import { createCalendarSink, type CalendarSinkOptions, type FullCalendarSink } from '../../electron/core/sync';
import { googleEventId } from '../../electron/core/sync/google-backend';
import { buildEventBody } from '../../electron/core/sync/google-body';
import { startFakeCalendarServer, type FakeCalendarServer } from '../harness/fake-calendar-server';
import { fastRetry, fixtureClock, fixtureLists, listInput, signedInStore, testConfig, testContext, waitFor, type TestContext } from '../harness/calendar-helpers';

const TAG = 'FOGIS_CALENDAR_SYNC';
let fake: FakeCalendarServer;
let dir: string;
const sinks: FullCalendarSink[] = [];

beforeEach(async () => {
  fake = await startFakeCalendarServer();
  dir = mkdtempSync(path.join(tmpdir(), 'cal-google-'));
});
afterEach(async () => {
  for (const s of sinks.splice(0)) await s.stop();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

async function makeSink(calendar: Record<string, unknown> = {}, extra: CalendarSinkOptions = {}, dataDir = dir): Promise<{ sink: FullCalendarSink; ctx: TestContext }> {
  const ctx = testContext(dataDir);
  const sink = createCalendarSink(testConfig({ backend: 'google', ...calendar }), ctx, {
    secretStore: signedInStore(),
    googleRootUrl: fake.rootUrl,
    tokenUrl: fake.tokenUrl,
    tokenImportPath: null,
    retry: fastRetry,
    saveDelayMs: 20,
    googleTimeoutMs: 2_000,
    clock: fixtureClock,
    ...extra,
  });
  sinks.push(sink);
  await sink.start();
  return { sink, ctx };
}

const byMatch = (): Map<string, number> => {
  const m = new Map<string, number>();
  for (const e of fake.liveEvents()) {
    const id = e.extendedProperties?.private?.matchId ?? '?';
    m.set(id, (m.get(id) ?? 0) + 1);
  }
  return m;
};

describe('Google backend: fixture replay', () => {
  it('inserts 3, patches 2, patches 1, deletes B, deletes C, then costs nothing', async () => {
    const lists = fixtureLists();
    expect(lists).toHaveLength(5);
    const { sink, ctx } = await makeSink();
    await waitFor(() => fake.count('list') >= 1, 3000, 'initial reconcile');
    const [A, B, C] = lists[0]!.map((m) => String(m.matchid));

    const step = async (i: number): Promise<{ insert: number; patch: number; delete: number }> => {
      const before = { insert: fake.count('insert'), patch: fake.count('patch'), delete: fake.count('delete') };
      sink.onMatchList(listInput(lists[i]!));
      expect(await sink.drain(5000)).toBe(true);
      return { insert: fake.count('insert') - before.insert, patch: fake.count('patch') - before.patch, delete: fake.count('delete') - before.delete };
    };

    expect(await step(0)).toEqual({ insert: 3, patch: 0, delete: 0 });
    expect(fake.liveEvents()).toHaveLength(3);
    for (const e of fake.liveEvents()) {
      expect(e.id).toBe(googleEventId(e.extendedProperties!.private!.matchId!, TAG));
      expect(e.start?.timeZone).toBe('Europe/Stockholm');
      expect(e.extendedProperties?.private?.syncTag).toBe(TAG);
    }
    expect(await step(1)).toEqual({ insert: 0, patch: 2, delete: 0 });
    const evA = fake.liveEvents().find((e) => e.extendedProperties?.private?.matchId === A)!;
    expect(evA.description).toMatch(/\nLast changed \d{4}-\d\d-\d\d \d\d:\d\d: kickoff 15:00 → 16:30\n--- FOGIS Monitor: your own notes go below this line and are kept ---\n$/);
    expect(await step(2)).toEqual({ insert: 0, patch: 1, delete: 0 });
    expect(fake.liveEvents().find((e) => e.extendedProperties?.private?.matchId === A)!.description).toMatch(/kickoff 16:30 → 17:00; AD1 /);
    expect(await step(3)).toEqual({ insert: 0, patch: 0, delete: 1 });
    expect([...byMatch().keys()].sort()).toEqual([A, C].sort());
    expect(await step(4)).toEqual({ insert: 0, patch: 0, delete: 1 });
    expect([...byMatch().keys()]).toEqual([A]);

    const calls = fake.count();
    const apiCalls = sink.getState().counters.api_calls;
    sink.onMatchList(listInput(lists[4]!));
    await sink.drain(2000);
    expect(fake.count()).toBe(calls);
    expect(sink.getState().counters.api_calls).toBe(apiCalls);
    const st = sink.getState();
    expect(st.counters).toMatchObject({ inserted: 3, updated: 3, deleted: 2, failures: 0 });
    expect(st.perMatch[A!]?.status).toBe('synced');
    expect(st.perMatch[B!]).toBeUndefined();
    expect(ctx.alerts).toEqual([]);
  });

  it('keeps a cancelled match marked INSTÄLLD when keepCancelled is set', async () => {
    const lists = fixtureLists();
    const { sink } = await makeSink({ keepCancelled: true });
    for (const l of lists.slice(0, 4)) {
      sink.onMatchList(listInput(l));
      await sink.drain(5000);
    }
    const B = String(lists[0]![1]!.matchid);
    const evB = fake.liveEvents().find((e) => e.extendedProperties?.private?.matchId === B)!;
    expect(evB.summary).toMatch(/^INSTÄLLD: /);
    expect(fake.count('delete')).toBe(0);
    sink.onMatchList(listInput(lists[4]!));
    await sink.drain(5000);
    expect(fake.count('delete')).toBe(1);
    expect(byMatch().size).toBe(2);
  });
});

describe('Google backend: safety guard', () => {
  it('an empty list deletes nothing, raises the alert, and confirmDeletions deletes', async () => {
    const lists = fixtureLists();
    const { sink, ctx } = await makeSink();
    sink.onMatchList(listInput(lists[0]!));
    await sink.drain(5000);
    sink.onMatchList(listInput([]));
    await sink.drain(2000);
    expect(fake.count('delete')).toBe(0);
    expect(fake.liveEvents()).toHaveLength(3);
    const st = sink.getState();
    expect(st.heldDeletions).toBe(3);
    expect(Object.values(st.perMatch).map((p) => p.status)).toEqual(['held', 'held', 'held']);
    expect(ctx.alerts.some((a) => a.alertType === 'calendar_deletions_held' && a.message.startsWith('3 deletions held back'))).toBe(true);

    const report = await sink.confirmDeletions();
    expect(report).toMatchObject({ success: true, deleted: 3, failed: 0 });
    expect(report.summary).toContain('3 deleted');
    expect(fake.liveEvents()).toHaveLength(0);
    expect(sink.getState().heldDeletions).toBe(0);
  });

  it('holds a list that would delete more than maxDeleteFraction', async () => {
    const lists = fixtureLists();
    const { sink, ctx } = await makeSink({ maxDeleteFraction: 0.3 });
    sink.onMatchList(listInput(lists[0]!));
    await sink.drain(5000);
    sink.onMatchList(listInput(lists[0]!.slice(0, 1)));
    await sink.drain(2000);
    expect(fake.count('delete')).toBe(0);
    expect(ctx.alerts.filter((a) => a.alertType === 'calendar_deletions_held')).toHaveLength(1);
    // The full list comes back: nothing to delete any more, the hold clears.
    sink.onMatchList(listInput(lists[0]!));
    expect(sink.getState().heldDeletions).toBe(0);
  });
});

describe('Google backend: faults', () => {
  it('retries 429, 500, 403 rateLimitExceeded, resets and slow answers', async () => {
    const lists = fixtureLists();
    const { sink } = await makeSink();
    await waitFor(() => fake.count('list') >= 1);
    fake.inject({ op: 'insert', times: 1, status: 429 });
    fake.inject({ op: 'insert', times: 1, status: 500 });
    fake.inject({ op: 'insert', times: 1, status: 403, reason: 'rateLimitExceeded' });
    fake.inject({ op: 'insert', times: 1, reset: true });
    fake.inject({ op: 'insert', times: 1, delayMs: 2_500 });
    const report = await sink.sync(lists[0]!);
    expect(report).toMatchObject({ success: true, inserted: 3, failed: 0 });
    expect(byMatch().size).toBe(3);
    expect([...byMatch().values()]).toEqual([1, 1, 1]);
    expect(sink.getState().counters.retries).toBeGreaterThanOrEqual(5);
  }, 20_000);

  it('an insert whose answer was lost is not duplicated (409 → get → patch)', async () => {
    const lists = fixtureLists();
    const { sink } = await makeSink();
    await waitFor(() => fake.count('list') >= 1);
    fake.inject({ op: 'insert', times: 1, resetAfterApply: true });
    await sink.sync(lists[0]!);
    expect(fake.events()).toHaveLength(3);
    expect(fake.count('get')).toBe(1);
  });

  it('a non-retryable 4xx fails the job with the API reason, shown per match', async () => {
    const lists = fixtureLists();
    const { sink, ctx } = await makeSink();
    await waitFor(() => fake.count('list') >= 1);
    fake.inject({ op: 'insert', times: 1, status: 400, reason: 'invalid' });
    const report = await sink.sync(lists[0]!);
    expect(report).toMatchObject({ success: false, inserted: 2, failed: 1 });
    const failed = Object.entries(sink.getState().perMatch).filter(([, p]) => p.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]![1].reason).toMatch(/400 invalid/);
    expect(ctx.alerts.some((a) => a.alertType === 'calendar_write_failed')).toBe(true);
    // The same list again does not hammer the API with the same failing write; manual sync retries it.
    const before = fake.count('insert');
    sink.onMatchList(listInput(lists[0]!));
    await sink.drain(1000);
    expect(fake.count('insert')).toBe(before);
    const retry = await sink.sync(null);
    expect(retry.inserted).toBe(1);
    expect(byMatch().size).toBe(3);
  });

  it('invalid_grant → sign-in needed, alert, writes wait in the outbox', async () => {
    fake.revokedRefreshTokens.add('refresh-ok');
    const lists = fixtureLists();
    const { sink, ctx } = await makeSink();
    sink.onMatchList(listInput(lists[0]!));
    await waitFor(() => sink.getState().status.startsWith('sign-in needed'), 3000, 'sign-in needed');
    const st = sink.getState();
    expect(st.signedIn).toBe(false);
    expect(st.pending).toBe(3);
    expect(Object.values(st.perMatch).every((p) => p.status === 'pending')).toBe(true);
    expect(ctx.alerts.some((a) => a.alertType === 'calendar_sign_in_needed')).toBe(true);
    expect(fake.count('insert')).toBe(0);
    // Importing a fresh token resumes the queued writes.
    const r = await sink.importGoogleToken(
      JSON.stringify({ token: null, refresh_token: 'refresh-new', token_uri: fake.tokenUrl, client_id: 'cid', client_secret: 'cs', scopes: ['https://www.googleapis.com/auth/calendar'], expiry: null }),
    );
    expect(r.success).toBe(true);
    expect(await sink.drain(5000)).toBe(true);
    expect(fake.liveEvents()).toHaveLength(3);
  });
});

describe('Google backend: reconcile and concurrency', () => {
  it('adopts the Python service\'s unchanged events, removes duplicates, no rewrite', async () => {
    const lists = fixtureLists();
    const opts = { syncTag: TAG, durationMinutes: 120, timeZone: 'Europe/Stockholm' };
    // What the Python service left behind: one event per match, plus a duplicate of the first.
    for (const m of lists[0]!) {
      const b = buildEventBody(m, opts);
      fake.seed({ ...b, created: '2026-01-01T00:00:00Z' });
    }
    const first = lists[0]![0]!;
    fake.seed({ ...buildEventBody(first, opts), created: '2026-02-01T00:00:00Z' });
    fake.seed({ summary: 'mine', extendedProperties: { private: { matchId: '42' } } });
    fake.pageSize = 2;

    const { sink } = await makeSink();
    sink.onMatchList(listInput(lists[0]!));
    // First contact (issue 10): nothing is written until the takeover is confirmed.
    await waitFor(() => sink.getState().takeover?.listReceived === true, 5000, 'takeover preview');
    expect(sink.getState().takeover).toMatchObject({ found: 5, adopted: 3, updated: 0, deleted: 0, duplicates: 1, otherTag: 1, retagged: 0, inserted: 0 });
    expect(fake.count('insert') + fake.count('patch') + fake.count('delete')).toBe(0);
    await sink.confirmTakeover();
    expect(await sink.drain(5000)).toBe(true);
    expect(fake.count('list')).toBeGreaterThanOrEqual(2);
    expect(fake.count('insert') + fake.count('patch')).toBe(0);
    expect(fake.count('delete')).toBe(1);
    expect([...byMatch().entries()].filter(([k]) => k !== '42').map(([, n]) => n)).toEqual([1, 1, 1]);
    const kept = fake.liveEvents().find((e) => e.extendedProperties?.private?.matchId === String(first.matchid))!;
    expect(kept.created).toBe('2026-01-01T00:00:00Z');
    // Step 2 patches the adopted events in place.
    sink.onMatchList(listInput(lists[1]!));
    await sink.drain(5000);
    expect(fake.count('patch')).toBe(2);
    expect(fake.count('insert')).toBe(0);
  });

  it('two instances on one calendar, same stream: exactly one event per match', async () => {
    const lists = fixtureLists();
    const dir2 = mkdtempSync(path.join(tmpdir(), 'cal-google-b-'));
    try {
      fake.latencyMs = 5;
      const { sink: a } = await makeSink();
      const { sink: b } = await makeSink({}, {}, dir2);
      for (const l of lists) {
        a.onMatchList(listInput(l));
        b.onMatchList(listInput(l));
        await Promise.all([a.drain(5000), b.drain(5000)]);
        const counts = byMatch();
        expect([...counts.values()].every((n) => n === 1)).toBe(true);
        expect(counts.size).toBe(new Set(l.filter((m) => m.installd !== true).map((m) => String(m.matchid))).size);
      }
      expect(a.getState().counters.failures).toBe(0);
      expect(b.getState().counters.failures).toBe(0);
    } finally {
      rmSync(dir2, { recursive: true, force: true });
    }
  });

  it('sync(null) reconciles: an event deleted by hand is recreated', async () => {
    const lists = fixtureLists();
    const { sink } = await makeSink();
    sink.onMatchList(listInput(lists[0]!));
    await sink.drain(5000);
    const victim = fake.liveEvents()[0]!;
    victim.status = 'cancelled';
    const report = await sink.sync(null);
    expect(report).toMatchObject({ success: true, inserted: 1, failed: 0 });
    expect(fake.liveEvents()).toHaveLength(3);
  });

  it('persists refreshed tokens through the secret store', async () => {
    const store = signedInStore();
    const { sink } = await makeSink({}, { secretStore: store });
    sink.onMatchList(listInput(fixtureLists()[0]!.slice(0, 1) as FogisMatch[]));
    await sink.drain(5000);
    const saved = JSON.parse(store.values.get('google-calendar-token')!) as { access_token: string | null };
    expect(fake.issuedAccessTokens).toContain(saved.access_token);
  });
});
