import { statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { historySchema } from '../../shared/history';
import { getJson, startCore, FAST_REDIS_ENV, tempDir, waitUntil, type TestCore } from '../harness/app';
import { liveFixture, publishLines } from '../harness/fixture';
import { startRedis, type TestRedis } from '../harness/redis-server';

/** The history of the watch through the real core, a real redis-server and GET /api/history. */
describe('history of the watch', () => {
  let redis: TestRedis | null = null;
  let app: TestCore | null = null;
  afterEach(async () => {
    await app?.stop();
    await redis?.stop();
    app = null;
    redis = null;
  });

  it('an outage and a failed cycle show at /api/history and in the snapshot, and survive a restart', async () => {
    const dataDir = tempDir();
    const r = await startRedis();
    redis = r;
    app = await startCore({ REDIS_URL: r.url, ...FAST_REDIS_ENV }, dataDir);
    let a = app;
    await waitUntil(() => a.core.snapshot().connection.subscribed, 5000, 'subscribed');
    const failed = liveFixture().filter((l) => l.raw.includes('"status": "failed"'));
    expect(failed.length).toBeGreaterThan(0);
    await publishLines(r.url, failed);
    await waitUntil(() => a.core.snapshot().history.cycles.failed === 1, 5000, 'failed cycle recorded');
    await r.kill();
    await waitUntil(() => a.core.snapshot().history.outagesTotal === 1, 5000, 'outage recorded');
    await new Promise((res) => setTimeout(res, 300));
    await r.restart();
    await waitUntil(() => a.core.snapshot().connection.subscribed, 5000, 'back');

    const live = historySchema.parse((await getJson(`${a.baseUrl}/api/history`)).body);
    expect(live.outagesTotal).toBe(1);
    expect(live.outages[0]?.end).not.toBeNull();
    expect(live.outages[0]?.reason?.key).toMatch(/^reason\.(connection_refused|closed_by_server|connection_reset|connection_closed)$/);
    expect(live.uptimePercent).toBeGreaterThan(0);
    expect(live.uptimePercent).toBeLessThan(100);
    expect(live.failedCycles[0]?.error).toMatch(/FOGIS/);

    await a.stop();
    expect(statSync(path.join(dataDir, 'history.json')).mode & 0o777).toBe(0o600);
    app = await startCore({ REDIS_URL: r.url, ...FAST_REDIS_ENV }, dataDir);
    a = app;
    const after = historySchema.parse((await getJson(`${a.baseUrl}/api/history`)).body);
    expect(after.outagesTotal).toBe(1);
    expect(after.outages[0]?.start).toBe(live.outages[0]?.start);
    expect(after.failedCycles).toEqual(live.failedCycles);
  }, 40_000);
});

describe('totals across a restart', () => {
  it("the Messages total agrees with the Overview's received count after a restart", async () => {
    const dataDir = tempDir();
    const r = await startRedis();
    let a = await startCore({ REDIS_URL: r.url, ...FAST_REDIS_ENV }, dataDir);
    try {
      await waitUntil(() => a.core.snapshot().connection.subscribed, 5000, 'subscribed');
      const lines = liveFixture();
      await publishLines(r.url, lines);
      await waitUntil(() => a.core.snapshot().counters.messages_received === lines.length, 5000, 'all received');
      expect((await a.core.handlers.getMessages()).total).toBe(lines.length);
      await a.stop();
      a = await startCore({ REDIS_URL: r.url, ...FAST_REDIS_ENV }, dataDir);
      expect(a.core.snapshot().counters.messages_received).toBe(lines.length);
      const after = await a.core.handlers.getMessages();
      expect(after.total).toBe(lines.length);
      expect(after.entries).toEqual([]);
    } finally {
      await a.stop();
      await r.stop();
    }
  }, 30_000);
});
