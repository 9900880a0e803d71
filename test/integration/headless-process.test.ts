import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, REPO_ROOT, startHeadless, waitUntil } from '../harness/app';
import { startRedis, type TestRedis } from '../harness/redis-server';

const built = existsSync(path.join(REPO_ROOT, 'dist', 'headless.js'));

/** `npm run headless` as a user runs it (dist/headless.js; `npm test` builds it first). */
describe.skipIf(!built)('the headless process', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('invalid configuration: exits with status 2 and names each bad field', async () => {
    const app = await startHeadless({ env: { REDIS_URL: 'http://user:topsecret@x', MONITOR_HTTP_PORT: 'abc' }, waitFor: null });
    const { code } = await app.exited;
    expect(code).toBe(2);
    expect(app.output()).toMatch(/redis\.url/);
    expect(app.output()).toMatch(/REDIS_URL/);
    expect(app.output()).toMatch(/MONITOR_HTTP_PORT: expected a whole number/);
    expect(app.output()).not.toContain('topsecret');
  });

  it('subscribes, logs with area prefixes, and shuts down cleanly on SIGTERM within 2 s', async () => {
    const app = await startHeadless({ env: { REDIS_URL: redis.url } });
    await waitUntil(async () => (await getJson(`${app.baseUrl}/redis-status`)).body.redis_status, 5000, 'status');
    await waitUntil(() => /\[redis\] subscribed to/.test(app.output()), 5000, 'subscribed log line');
    expect(app.output()).toMatch(/\[http\] listening on/);
    const t0 = Date.now();
    const { code } = await app.stop('SIGTERM');
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(existsSync(path.join(app.dataDir, 'state.json'))).toBe(true);
  });

  it('SIGINT works the same', async () => {
    const app = await startHeadless({ env: { REDIS_URL: redis.url } });
    const { code } = await app.stop('SIGINT');
    expect(code).toBe(0);
  });

  it('a port in use: a clear message naming the port and the setting', async () => {
    const first = await startHeadless({ env: { REDIS_URL: redis.url } });
    try {
      const second = await startHeadless({ env: { REDIS_URL: redis.url }, port: first.port, waitFor: null });
      const { code } = await second.exited;
      expect(code).not.toBe(0);
      expect(second.output()).toContain(`Port ${first.port}`);
      expect(second.output()).toContain('MONITOR_HTTP_PORT');
    } finally {
      await first.stop();
    }
  });
});
