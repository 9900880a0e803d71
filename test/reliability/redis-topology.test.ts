import { describe, it } from 'vitest';
import { newPassword, slowConsumer } from '../../reliability/redis-faults';
import { sentinelFailover, sentinelGracefulFailover, tlsScenarios } from '../../reliability/redis-topology';
import { expectRow } from './expect-row';

describe('reliability: Redis password, slow consumer, Sentinel, TLS (headless app)', () => {
  it('Redis restarted with a new password: "authentication failed", low CPU, fixed live by PUT /api/config', async (ctx) => {
    expectRow(await newPassword({ cpuWindowMs: 3000 }), ctx);
  }, 45_000);

  it('slow consumer cut off by client-output-buffer-limit: reconnects and reports it', async (ctx) => {
    expectRow(await slowConsumer(), ctx);
  }, 45_000);

  it('Sentinel: master killed, the app follows the promoted replica within 10 s', async (ctx) => {
    expectRow(await sentinelFailover(), ctx);
  }, 60_000);

  it('Sentinel: graceful failover with the old master still up: the app moves to the new master', async (ctx) => {
    expectRow(await sentinelGracefulFailover(), ctx);
  }, 60_000);

  it('TLS: rediss:// with a private CA file; a wrong CA is a clear error', async (ctx) => {
    expectRow(await tlsScenarios(), ctx);
  }, 60_000);
});
