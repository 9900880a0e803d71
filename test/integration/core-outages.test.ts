import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getJson, startCore, FAST_REDIS_ENV, tempDir, waitUntil, type TestCore } from '../harness/app';
import { liveFixture, publishLines } from '../harness/fixture';
import { freePort, startRedis, type TestRedis } from '../harness/redis-server';

/**
 * The faults that break the Python subscriber (spec §3.4): a Redis that dies, comes back
 * late, is absent at start, or stops answering without closing the socket.
 */
describe('subscriber supervisor against a real redis-server', () => {
  let redis: TestRedis | null = null;
  let app: TestCore | null = null;
  afterEach(async () => {
    await app?.stop();
    await redis?.stop();
    app = null;
    redis = null;
  });

  const status = async (a: TestCore) => (await getJson(`${a.baseUrl}/redis-status`)).body.redis_status as Record<string, unknown>;
  const [statusLine] = liveFixture();

  it('killed Redis: reconnecting within 2 s and honest status; back after 5 s: subscribed and receiving', async () => {
    redis = await startRedis();
    app = await startCore({ REDIS_URL: redis.url, ...FAST_REDIS_ENV });
    const a = app;
    await waitUntil(() => a.core.snapshot().connection.subscribed, 5000, 'subscribed');
    const killedAt = Date.now();
    await redis.kill();
    await waitUntil(() => a.core.snapshot().connection.state === 'reconnecting', 2000, 'reconnecting');
    expect(Date.now() - killedAt).toBeLessThan(2000);
    const during = await status(a);
    expect(during.connected).toBe(false);
    expect(during.subscribed).toBe(false);
    expect(during.possibly_stale).toBe(true);
    expect(typeof during.stale_since).toBe('string');
    expect(String(during.reason)).toMatch(/refused|closed|reset/);

    await new Promise((r) => setTimeout(r, 5000));
    expect(a.core.snapshot().connection.state).toBe('reconnecting');
    await redis.restart();
    await waitUntil(() => a.core.snapshot().connection.subscribed, 3000, 'subscribed again');
    const after = await status(a);
    expect(after.connected).toBe(true);
    expect(after.state).toBe('subscribed');
    expect(a.core.snapshot().counters.reconnect_count).toBe(1);

    if (!statusLine) throw new Error('fixture missing');
    const before = a.core.snapshot().counters.messages_received;
    await publishLines(redis.url, [statusLine]);
    await waitUntil(() => a.core.snapshot().counters.messages_received === before + 1, 2000, 'message after restart');
  }, 30_000);

  it('Redis absent at start: keeps trying without burning CPU, subscribes when it appears', async () => {
    const port = await freePort();
    app = await startCore({ REDIS_URL: `redis://127.0.0.1:${port}`, ...FAST_REDIS_ENV });
    const a = app;
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 3000));
    const s = a.core.snapshot().connection;
    expect(s.state).toBe('connecting');
    expect(s.connected).toBe(false);
    expect(s.reason).toMatch(/refused/);
    expect(s.attempt).toBeGreaterThan(1);
    // Backoff, not a spin: a few attempts in 3 s (cap 1 s here), and almost no CPU.
    expect(s.attempt).toBeLessThan(12);
    const used = process.cpuUsage(cpu0);
    expect((used.user + used.system) / 1000 / (Date.now() - t0)).toBeLessThan(0.2);
    redis = await startRedis({ port });
    await waitUntil(() => a.core.snapshot().connection.subscribed, 2500, 'subscribed once Redis appears');
  }, 20_000);

  it('paused Redis (SIGSTOP) is detected by PING within 15 s with default timings; SIGCONT recovers', async () => {
    redis = await startRedis();
    app = await startCore({ REDIS_URL: redis.url, REDIS_BACKOFF_INITIAL_MS: '200', REDIS_BACKOFF_MAX_MS: '1000' });
    const a = app;
    const r = redis;
    await waitUntil(() => a.core.snapshot().connection.subscribed, 5000, 'subscribed');
    const pausedAt = Date.now();
    r.pause();
    try {
      await waitUntil(() => !a.core.snapshot().connection.subscribed, 15_000, 'pause detected', 100);
      const detectedIn = Date.now() - pausedAt;
      expect(detectedIn).toBeLessThanOrEqual(15_000);
      expect(a.core.snapshot().connection.reason).toMatch(/PING|no answer|timed out/);
      expect(a.core.snapshot().connection.possiblyStale).toBe(true);
    } finally {
      r.resume();
    }
    await waitUntil(() => a.core.snapshot().connection.subscribed, 15_000, 'recovered after SIGCONT', 100);
  }, 40_000);

  it('a new full list clears the "possibly stale" flag set by a gap', async () => {
    redis = await startRedis();
    app = await startCore({ REDIS_URL: redis.url, ...FAST_REDIS_ENV });
    const a = app;
    await waitUntil(() => a.core.snapshot().connection.subscribed, 5000, 'subscribed');
    await redis.kill();
    await redis.restart();
    await waitUntil(() => a.core.snapshot().connection.subscribed, 5000, 'resubscribed');
    expect(a.core.snapshot().connection.possiblyStale).toBe(true);
    const update = liveFixture().find((l) => l.channel === 'fogis:matches:updates');
    if (!update) throw new Error('fixture missing');
    await publishLines(redis.url, [update]);
    // The first list starts the ingest worker: bounded generously for a loaded CI machine.
    await waitUntil(() => !a.core.snapshot().connection.possiblyStale, 10_000, 'stale cleared');
  }, 20_000);

  it('wrong password: "authentication failed", retried with backoff, fixed live through the API', async () => {
    redis = await startRedis({ args: ['--requirepass', 's3cret-pass'] });
    // In config.json, not REDIS_URL: a field the environment fixes cannot be changed through the API.
    const dataDir = tempDir();
    writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ redis: { url: `redis://:wrong-pass@127.0.0.1:${redis.port}` } }));
    app = await startCore({ ...FAST_REDIS_ENV }, dataDir);
    const a = app;
    await waitUntil(() => /authentication failed/.test(a.core.snapshot().connection.reason ?? ''), 5000, 'auth failure reason');
    expect(a.core.snapshot().connection.subscribed).toBe(false);
    const res = await getJson(`${a.baseUrl}/api/config`, {
      method: 'PUT',
      headers: a.authHeaders({ 'Content-Type': 'application/json' }),
      body: JSON.stringify({ redis: { url: `redis://:s3cret-pass@127.0.0.1:${redis.port}` } }),
    });
    expect(res.status).toBe(200);
    await waitUntil(() => a.core.snapshot().connection.subscribed, 5000, 'subscribed with the new password');
    expect(JSON.stringify(a.core.snapshot())).not.toContain('s3cret-pass');
    expect(a.logLines.join('\n')).not.toContain('s3cret-pass');
    expect(a.logLines.join('\n')).not.toContain('wrong-pass');
  }, 20_000);

  it('unknown host: "host not found"', async () => {
    app = await startCore({ REDIS_URL: 'redis://no-such-host.invalid:6379', ...FAST_REDIS_ENV });
    const a = app;
    await waitUntil(() => /host not found/.test(a.core.snapshot().connection.reason ?? ''), 8000, 'host not found');
  }, 15_000);
});
