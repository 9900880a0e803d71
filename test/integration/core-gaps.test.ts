import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCore, FAST_REDIS_ENV, tempDir, waitUntil, type TestCore } from '../harness/app';
import { liveFixture, publishLines } from '../harness/fixture';
import { freePort, startRedis, type TestRedis } from '../harness/redis-server';

/**
 * Issue 14.3: staleness after every gap, whatever caused it. A settings change to a wrong
 * Redis address and back, a pause, a restart: each drops the subscription, so what was
 * published meanwhile is lost, and the status says "possibly out of date" until the next
 * full list arrives.
 */
describe('staleness after a gap of any cause', () => {
  let redis: TestRedis | null = null;
  let app: TestCore | null = null;
  afterEach(async () => {
    await app?.stop();
    await redis?.stop();
    app = null;
    redis = null;
  });

  const list = liveFixture().find((l) => l.channel === 'fogis:matches:updates')!;
  let n = 0;
  const freshList = () => [{ ...list, raw: list.raw.replace(/"message_id": "[^"]+"/, `"message_id": "gap-list-${++n}"`) }];

  async function freshCore(): Promise<{ a: TestCore; r: TestRedis }> {
    const r = await startRedis();
    // The address in config.json, not REDIS_URL: a field the environment fixes cannot be changed in Settings.
    const dataDir = tempDir();
    writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ redis: { url: r.url } }));
    const a = await startCore({ ...FAST_REDIS_ENV }, dataDir);
    redis = r;
    app = a;
    await waitUntil(() => a.core.snapshot().connection.subscribed, 5000, 'subscribed');
    await publishLines(r.url, freshList());
    await waitUntil(() => a.core.snapshot().matches.receivedAt !== null, 5000, 'first list');
    expect(a.core.snapshot().connection.possiblyStale).toBe(false);
    expect(a.core.snapshot().status.parts.staleness.level).toBe('ok');
    return { a, r };
  }

  it('a wrong Redis address set in Settings, then the right one: possibly out of date until the next full list', async () => {
    const { a, r } = await freshCore();
    const wrong = `redis://127.0.0.1:${await freePort()}`;
    expect((await a.core.handlers.updateConfig({ redis: { url: wrong } })).success).toBe(true);
    await waitUntil(() => a.core.snapshot().connection.reasonCode?.key === 'reason.connection_refused', 5000, 'refused on the wrong address');
    const during = a.core.snapshot();
    expect(during.connection.possiblyStale).toBe(true);
    expect(during.status.parts.staleness.reasons[0]?.code).toBe('staleSince');
    expect(['warn', 'error']).toContain(during.status.level);
    // Published while we listen to the wrong address: lost to us.
    await publishLines(r.url, freshList());

    expect((await a.core.handlers.updateConfig({ redis: { url: r.url } })).success).toBe(true);
    await waitUntil(() => a.core.snapshot().connection.subscribed, 5000, 'subscribed to the right address');
    const back = a.core.snapshot();
    expect(back.connection.possiblyStale).toBe(true);
    expect(back.status.level).toBe('warn');
    expect(back.status.reasons.map((x) => x.code)).toContain('staleSince');

    await publishLines(r.url, freshList());
    await waitUntil(() => !a.core.snapshot().connection.possiblyStale, 5000, 'fresh again');
    expect(a.core.snapshot().status.parts.staleness).toEqual({ level: 'ok', reasons: [] });
  }, 30_000);

  it('a restart and a pause are gaps too', async () => {
    const { a, r } = await freshCore();
    expect((await a.core.handlers.restartSubscription()).success).toBe(true);
    expect(a.core.snapshot().connection.possiblyStale).toBe(true);
    await publishLines(r.url, freshList());
    await waitUntil(() => !a.core.snapshot().connection.possiblyStale, 5000, 'fresh after restart');

    await a.core.handlers.setPaused(true);
    expect(a.core.snapshot().connection.possiblyStale).toBe(true);
    await a.core.handlers.setPaused(false);
    await waitUntil(() => a.core.snapshot().connection.subscribed, 5000, 'resumed');
    expect(a.core.snapshot().connection.possiblyStale).toBe(true);
  }, 30_000);
});
