import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../shared/config';
import { createMemoryLogger } from '../../electron/core/log';
import { SubscriberSupervisor } from '../../electron/core/redis/subscriber';
import type { TextRef } from '../../shared/text-ref';
import { startRedis, type TestRedis } from '../harness/redis-server';
import { startTcpProxy, type TcpProxy } from '../harness/tcp-proxy';

/**
 * The PING supervisor against a real Redis behind a proxy that slows or silences the line.
 * A 100 MB message on a loaded machine used to lose the subscription: the answer to a PING
 * queued behind the message for longer than the timeout, nothing "arrived" until the whole
 * message had, the connection was dropped and the message with it (pub/sub keeps nothing).
 */
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const busy = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('subscriber liveness: a slow line or a busy process is not a dead server', () => {
  let redis: TestRedis;
  let proxy: TcpProxy;
  let sup: SubscriberSupervisor | null = null;
  let pub: Redis | null = null;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    pub?.disconnect();
    pub = null;
    await sup?.stop();
    sup = null;
    await proxy?.close();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  async function subscribed(opts: { pingIntervalMs: number; pingTimeoutMs: number }): Promise<{ got: Buffer[]; gaps: TextRef[] }> {
    proxy = await startTcpProxy({ host: '127.0.0.1', port: redis.port });
    const settings = { ...configSchema.parse({}).redis, url: proxy.url, ...opts, backoffInitialMs: 100, backoffMaxMs: 200 };
    const got: Buffer[] = [];
    const gaps: TextRef[] = [];
    const s = new SubscriberSupervisor(settings, { onMessage: (_c, p) => got.push(p), onStatus: () => undefined, onGap: (_at, reason) => void gaps.push(reason) }, createMemoryLogger());
    sup = s;
    s.start();
    const deadline = Date.now() + 10_000;
    while (!s.getStatus().subscribed && Date.now() < deadline) await sleep(20);
    expect(s.getStatus().subscribed).toBe(true);
    pub = new Redis(redis.url);
    return { got, gaps };
  }

  it('a 6 MB message trickling in for ~2 s (ten PING timeouts) arrives whole, on the same connection', async () => {
    const { got, gaps } = await subscribed({ pingIntervalMs: 100, pingTimeoutMs: 200 });
    const s = sup as SubscriberSupervisor;
    const channel = configSchema.parse({}).redis.channels.processorStatus;
    proxy.pace({ bytes: 64 * 1024, everyMs: 20 });
    const big = Buffer.alloc(6 * 1024 * 1024, 0x62);
    const t0 = Date.now();
    await pub?.publish(channel, big);
    const until = Date.now() + 30_000;
    while (got.length < 1 && Date.now() < until) await sleep(20);
    const took = Date.now() - t0;
    expect(got.length).toBe(1);
    expect(got[0]?.equals(big)).toBe(true);
    // The scenario really was slower than the timeout, many times over.
    expect(took).toBeGreaterThan(1000);
    expect(gaps).toEqual([]);
    proxy.pace(null);
    await sleep(400);
    expect(s.getStatus()).toMatchObject({ subscribed: true, state: 'subscribed' });
    expect(s.getStatus().lastPingMs).not.toBeNull();
  }, 40_000);

  it('the event loop blocked for 3× the timeout just after a PING left is not taken for silence', async () => {
    const { gaps } = await subscribed({ pingIntervalMs: 100, pingTimeoutMs: 200 });
    const s = sup as SubscriberSupervisor;
    let blocked = 0;
    // Runs in this process, right after the PING has gone to Redis: the answer is on its way
    // while we cannot run (a long turn, as joining a 100 MB message or a GC pause makes).
    proxy.onClientData((chunk) => {
      if (blocked < 3 && /ping/i.test(chunk.toString('latin1'))) {
        blocked++;
        busy(600);
      }
    });
    const until = Date.now() + 10_000;
    while (blocked < 3 && Date.now() < until) await sleep(20);
    await sleep(500);
    expect(blocked).toBe(3);
    expect(gaps).toEqual([]);
    expect(s.getStatus()).toMatchObject({ subscribed: true, state: 'subscribed' });
  }, 20_000);

  it('a line that falls silent in the middle of a message is still found dead within interval + timeout, and recovers', async () => {
    const { gaps } = await subscribed({ pingIntervalMs: 100, pingTimeoutMs: 300 });
    const s = sup as SubscriberSupervisor;
    const channel = configSchema.parse({}).redis.channels.processorStatus;
    proxy.pace({ bytes: 64 * 1024, everyMs: 20 });
    await pub?.publish(channel, Buffer.alloc(6 * 1024 * 1024, 0x63));
    await sleep(300);
    const silentAt = Date.now();
    proxy.silence(true);
    const until = Date.now() + 10_000;
    while (s.getStatus().subscribed && Date.now() < until) await sleep(10);
    const detectedIn = Date.now() - silentAt;
    expect(s.getStatus().subscribed).toBe(false);
    expect(gaps.map((g) => g.key)).toEqual(['reason.ping_timeout']);
    // PING interval 100 + 300 of silence, plus timer granularity and a loaded machine.
    expect(detectedIn).toBeGreaterThanOrEqual(300);
    expect(detectedIn).toBeLessThan(2000);
    proxy.silence(false);
    proxy.pace(null);
    const back = Date.now() + 10_000;
    while (!s.getStatus().subscribed && Date.now() < back) await sleep(20);
    expect(s.getStatus()).toMatchObject({ subscribed: true, state: 'subscribed' });
  }, 30_000);
});
