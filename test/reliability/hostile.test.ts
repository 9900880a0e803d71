import { describe, it } from 'vitest';
import { googleSecrets, hostileMessages, prototypePollution } from '../../reliability/hostile';
import { parserFuzz } from '../../reliability/hostile-fuzz';
import { httpToken } from '../../reliability/hostile-http';
import { expectRow } from './expect-row';

/** The HTTP attack set runs in http-slowloris.test.ts (with its slow-loris waits, in parallel with this file). */
describe('reliability: hostile input', () => {
  it('fast-check: 10,000 generated messages; never throws, every rejection has a reason, verdict equals the schema', async (ctx) => {
    expectRow(await parserFuzz({ runs: 10_000 }), ctx);
  }, 60_000);

  it('100 MB, deep, invalid UTF-8, __proto__, wrong types, 100,000-element lists through real Redis', async (ctx) => {
    expectRow(await hostileMessages({ hugeMb: 100 }), ctx);
  }, 90_000);

  it('__proto__ pollution attempts leave Object.prototype alone (in-process core)', async (ctx) => {
    expectRow(await prototypePollution(), ctx);
  }, 30_000);

  it('HTTP beyond loopback: every route but /health needs the token', async (ctx) => {
    expectRow(await httpToken(), ctx);
  }, 30_000);

  it('Google tokens never in a response or log line', async (ctx) => {
    expectRow(await googleSecrets(), ctx);
  }, 30_000);
});
