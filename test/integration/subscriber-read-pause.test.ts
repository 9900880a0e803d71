import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../shared/config';
import { createMemoryLogger } from '../../electron/core/log';
import { SubscriberSupervisor } from '../../electron/core/redis/subscriber';
import { startRedis, type TestRedis } from '../harness/redis-server';

/**
 * The ingest pipeline's cap pauses the subscriber's reading (electron/core/ingest). The PING
 * answer then waits behind the backlog we hold back: that silence must not be taken for a dead
 * connection (it was: a drain of 100 large lists lost the subscription to "no answer to PING").
 */
describe('subscriber: reading paused by the ingest cap', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('stays subscribed through a pause far longer than the PING timeout; what was published meanwhile arrives, in order, after it', async () => {
    const settings = { ...configSchema.parse({}).redis, url: redis.url, pingIntervalMs: 200, pingTimeoutMs: 200 };
    const got: string[] = [];
    let gaps = 0;
    const sup = new SubscriberSupervisor(settings, { onMessage: (_c, p) => got.push(p.toString()), onStatus: () => undefined, onGap: () => void gaps++ }, createMemoryLogger());
    sup.start();
    const deadline = Date.now() + 10_000;
    while (!sup.getStatus().subscribed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(sup.getStatus().subscribed).toBe(true);
    const pub = new Redis(redis.url);
    try {
      sup.setReadPaused(true);
      for (let i = 0; i < 20; i++) await pub.publish(settings.channels.processorStatus, `m${i}`);
      // Seven PING intervals (each longer than the timeout) pass while nothing is read.
      await new Promise((r) => setTimeout(r, 1500));
      expect(got).toEqual([]);
      expect(sup.getStatus().subscribed).toBe(true);
      sup.setReadPaused(false);
      const until = Date.now() + 10_000;
      while (got.length < 20 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(got).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
      // PINGs are answered again once reading resumes.
      await new Promise((r) => setTimeout(r, 500));
      expect(sup.getStatus()).toMatchObject({ subscribed: true, state: 'subscribed' });
      expect(sup.getStatus().lastPingMs).not.toBeNull();
      expect(gaps).toBe(0);
    } finally {
      pub.disconnect();
      await sup.stop();
    }
  });

  it('stays subscribed while a backlog takes longer than the PING timeout to read: messages keep arriving, none is lost', async () => {
    const settings = { ...configSchema.parse({}).redis, url: redis.url, pingIntervalMs: 200, pingTimeoutMs: 200 };
    const got: string[] = [];
    let gaps = 0;
    // A busy receiver (as the main thread was with 2 MB lists): 20 ms per message, no read pause.
    const busy = (ms: number): void => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    const sup = new SubscriberSupervisor(
      settings,
      {
        onMessage: (_c, p) => {
          got.push(p.subarray(0, 8).toString());
          busy(20);
        },
        onStatus: () => undefined,
        onGap: () => void gaps++,
      },
      createMemoryLogger(),
    );
    sup.start();
    const deadline = Date.now() + 10_000;
    while (!sup.getStatus().subscribed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(sup.getStatus().subscribed).toBe(true);
    const pub = new Redis(redis.url);
    try {
      const pad = 'x'.repeat(64 * 1024);
      const p = pub.pipeline();
      for (let i = 0; i < 100; i++) p.publish(settings.channels.processorStatus, `m${String(i).padStart(7, '0')}${pad}`);
      await p.exec();
      // ~2 s of reading: every PING answer waits behind the backlog for longer than 200 ms.
      const until = Date.now() + 20_000;
      while (got.length < 100 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(got).toEqual(Array.from({ length: 100 }, (_, i) => `m${String(i).padStart(7, '0')}`));
      expect(gaps).toBe(0);
      await new Promise((r) => setTimeout(r, 500));
      expect(sup.getStatus()).toMatchObject({ subscribed: true, state: 'subscribed' });
    } finally {
      pub.disconnect();
      await sup.stop();
    }
  });
});
