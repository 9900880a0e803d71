import { describe, it } from 'vitest';
import { absentAtStart, killAndRestart, pausedRedis } from '../../reliability/redis-faults';
import { expectRow } from './expect-row';

/**
 * Redis outages against the headless app (dist/headless.js; `npm test` builds it). The full
 * run (`npm run reliability`) adds the 60 s outage and pauses Redis for 30 s instead of 12 s.
 */
describe('reliability: Redis outages (headless app)', () => {
  it('Redis absent at start, appears after 5 s: subscribed within the backoff cap + 1 s', async (ctx) => {
    expectRow(await absentAtStart({ absentMs: 5000 }), ctx);
  }, 30_000);

  it('Redis killed, restarted after 1 s: honest state, resubscribed, nothing lost while subscribed', async (ctx) => {
    expectRow(await killAndRestart({ downMs: 1000, messages: 100 }), ctx);
  }, 30_000);

  it('Redis killed, restarted after 10 s', async (ctx) => {
    expectRow(await killAndRestart({ downMs: 10_000, messages: 100 }), ctx);
  }, 45_000);

  it('Redis paused (SIGSTOP) 12 s: detected by PING within 15 s, recovers after SIGCONT', async (ctx) => {
    expectRow(await pausedRedis({ pauseMs: 12_000 }), ctx);
  }, 60_000);
});
