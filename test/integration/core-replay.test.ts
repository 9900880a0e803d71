import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../shared/state';
import { getJson, startCore, FAST_REDIS_ENV, waitUntil, type TestCore } from '../harness/app';
import { fixtureSteps, liveFixture, publishLines } from '../harness/fixture';
import { startRedis, type TestRedis } from '../harness/redis-server';

/** The recorded processor run (test/fixtures/README.md) through real PUBLISH into the core. */
describe('replaying the recorded processor run through real Redis', () => {
  let redis: TestRedis;
  let app: TestCore;
  const snap = (): Snapshot => app.core.snapshot();

  beforeAll(async () => {
    redis = await startRedis();
    app = await startCore({ REDIS_URL: redis.url, ...FAST_REDIS_ENV });
    await waitUntil(() => snap().connection.subscribed, 5000, 'subscribed');
  });
  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
  });

  const steps = fixtureSteps(liveFixture());
  const changesOf = (messageId: string | null) => snap().matches.history.filter((c) => c.messageId === messageId);
  const publishStep = async (i: number): Promise<void> => {
    const before = snap().counters.messages_received;
    const step = steps[i] ?? [];
    const receivers = await publishLines(redis.url, step);
    expect(receivers.every((n) => n === 1)).toBe(true);
    await waitUntil(() => snap().counters.messages_received === before + step.length, 5000, `step ${i + 1} received`);
  };

  it('has the eight scenario steps of the fixture', () => {
    expect(steps).toHaveLength(8);
    expect(liveFixture()).toHaveLength(20);
  });

  it('step 1: three new matches', async () => {
    await publishStep(0);
    const s = snap();
    expect(s.matches.list).toHaveLength(3);
    const changes = changesOf(s.matches.messageId);
    expect(changes.map((c) => c.kind)).toEqual(['new', 'new', 'new']);
    expect(s.matches.generation).toBe('g3');
  });

  it('step 2: A kickoff 15:00 → 16:30 and B venue renamed, derived without detailed_changes', async () => {
    await publishStep(1);
    const s = snap();
    const changes = changesOf(s.matches.messageId);
    expect(changes).toHaveLength(2);
    const a = changes.find((c) => c.title.startsWith('Öckerö IF'));
    expect(a?.kind).toBe('changed');
    expect(a?.fields).toContainEqual({ field: 'kickoff', old: expect.stringMatching(/ 15:00$/), new: expect.stringMatching(/ 16:30$/) });
    const b = changes.find((c) => c.title.startsWith('Kärra KIF'));
    expect(b?.fields.map((f) => f.field)).toEqual(['anlaggningnamn']);
  });

  it('step 3: a referee-only change publishes only "started" (spec Q3): nothing derived', async () => {
    const historyBefore = snap().matches.historyTotal;
    await publishStep(2);
    expect(snap().matches.historyTotal).toBe(historyBefore);
    expect(snap().processor.last?.status).toBe('started');
  });

  it('step 4: A referee AD1 replaced and kickoff moved', async () => {
    await publishStep(3);
    const s = snap();
    const [a] = changesOf(s.matches.messageId);
    expect(a?.kind).toBe('changed');
    const fields = Object.fromEntries(a?.fields.map((f) => [f.field, f]) ?? []);
    expect(fields['referee:AD1']).toEqual({ field: 'referee:AD1', old: 'Björn Åberg', new: 'Isak Öhman' });
    expect(fields.kickoff?.new).toMatch(/ 17:00$/);
  });

  it('step 5: B cancelled (installd) while still listed', async () => {
    await publishStep(4);
    const s = snap();
    const changes = changesOf(s.matches.messageId);
    expect(changes).toHaveLength(1);
    expect(changes[0]?.kind).toBe('cancelled');
    expect(changes[0]?.title).toBe('Kärra KIF - Lerums IS');
    expect(s.matches.list).toHaveLength(3);
  });

  it('step 6: C removed (absent from the full list)', async () => {
    await publishStep(5);
    const s = snap();
    const changes = changesOf(s.matches.messageId);
    expect(changes.map((c) => [c.kind, c.title])).toEqual([['removed', 'IFK Björkö - Hovås Billdal IF']]);
    expect(s.matches.list).toHaveLength(2);
  });

  it('steps 7–8: a quiet cycle, then a failed cycle with its system alert', async () => {
    await publishStep(6);
    await publishStep(7);
    const s = snap();
    expect(s.processor.last?.status).toBe('failed');
    expect(s.processor.lastFailed?.details.error_message).toBeTruthy();
    const system = s.alerts.items.filter((a) => a.source === 'system_alert');
    expect(system).toHaveLength(1);
    expect(system[0]?.severity).toBe('error');
    expect(system[0]?.message).toMatch(/^Match processing failed/);
    // The `failed` status and the system alert report one failure: one alert, not two.
    expect(s.alerts.total).toBe(1);
    expect(system[0]?.details.error_type).toBeTruthy();
  });

  it('counts what the real service counts, and more, on /redis-stats', async () => {
    const { status, body } = await getJson(`${app.baseUrl}/redis-stats`);
    expect(status).toBe(200);
    const stats = body.stats as Record<string, unknown>;
    expect(stats.messages_received).toBe(20);
    expect(stats.messages_processed).toBe(20);
    expect(stats.by_type).toEqual({ match_updates: 5, processing_status: 14, system_alert: 1, unknown: 0 });
    expect(Object.values(stats.rejected_by_reason as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(0);
    expect(stats.errors).toBe(0);
    expect(stats.duplicates).toBe(0);
    expect(stats.by_channel).toEqual({ 'fogis:processor:status': 14, 'fogis:matches:updates': 5, 'fogis:system:alerts': 1 });
    expect((stats.schema_version_stats as Record<string, number>).v2_messages).toBe(5);
    expect(typeof stats.last_message_time).toBe('string');
  });

  it('a message delivered twice is counted as a duplicate and ignored', async () => {
    const first = steps[0]?.[0];
    if (!first) throw new Error('fixture missing');
    await publishLines(redis.url, [first]);
    await waitUntil(() => snap().counters.duplicates === 1, 3000, 'duplicate counted');
    expect(snap().counters.by_type.processing_status).toBe(14);
  });

  it('keeps the processor cycle timing: started → completed duration', () => {
    const p = snap().processor;
    expect(p.lastCompleted).not.toBeNull();
    expect(p.lastDurationMs).not.toBeNull();
    expect(p.lastDurationMs).toBeGreaterThanOrEqual(0);
    expect(p.cycles).toBe(8);
  });
});
