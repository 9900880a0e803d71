import { randomUUID } from 'node:crypto';
import type { RedisTestResult } from '../../../shared/api';
import { connectionReason } from '../../../shared/text-ref';
import { reasonText, redisErrorReason } from './redis-errors';
import { createClient, type RedisSettings } from './redis-client';

/**
 * `/redis-test` done for real (the Python route only echoes flags, spec §4): a PING round
 * trip on a fresh connection, and a probe published and received on a private channel.
 */
export async function testRedis(settings: RedisSettings, timeoutMs = 5000): Promise<RedisTestResult> {
  const pub = createClient(settings, { connectTimeout: Math.min(timeoutMs, settings.connectTimeoutMs) });
  const sub = createClient(settings, { connectTimeout: Math.min(timeoutMs, settings.connectTimeoutMs) });
  let lastError: unknown = null;
  for (const c of [pub, sub]) c.on('error', (e: unknown) => (lastError = e));
  let timer: NodeJS.Timeout | undefined;
  let pingMs: number | null = null;
  const work = (async (): Promise<RedisTestResult> => {
    await pub.connect();
    const t0 = performance.now();
    await pub.ping();
    pingMs = round(performance.now() - t0);
    await sub.connect();
    const channel = `fogis-monitor:test:${randomUUID()}`;
    const token = randomUUID();
    const received = new Promise<number>((resolve) => {
      sub.on('message', (ch: string, msg: string) => {
        if (ch === channel && msg === token) resolve(performance.now());
      });
    });
    await sub.subscribe(channel);
    const t1 = performance.now();
    await pub.publish(channel, token);
    const t2 = await received;
    return { success: true, ping_ms: pingMs, pubsub_roundtrip_ms: round(t2 - t1) };
  })();
  const timeout = new Promise<RedisTestResult>((resolve) => {
    timer = setTimeout(() => {
      const why = lastError ? redisErrorReason(lastError) : connectionReason('no_answer_within', { ms: timeoutMs });
      resolve({ success: false, ping_ms: pingMs, pubsub_roundtrip_ms: null, error: reasonText(why), errorCode: why });
    }, timeoutMs);
  });
  try {
    return await Promise.race([
      work.catch((err: unknown): RedisTestResult => {
        const why = redisErrorReason(lastError ?? err);
        return { success: false, ping_ms: pingMs, pubsub_roundtrip_ms: null, error: reasonText(why), errorCode: why };
      }),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
    pub.disconnect();
    sub.disconnect();
  }
}

const round = (ms: number): number => Math.round(ms * 100) / 100;
