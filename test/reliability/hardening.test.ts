import { describe, it } from 'vitest';
import { hostileConfig, hostileDates, streamNonReaders } from '../../reliability/hardening';
import { expectRow } from './expect-row';

/**
 * Issue 9's rows with CI counts; `npm run reliability` runs the stream row with 50 clients and
 * 100 lists of 1,000 matches.
 */
describe('reliability: hardening (headless app)', () => {
  it('10 /api/events clients that never read, 10 changed 200-match lists: bounded memory, /health answers', async (ctx) => {
    expectRow(await streamNonReaders({ clients: 10, lists: 10, matches: 200, maxGrowthMb: 200, maxP99Ms: 2000 }), ctx);
  }, 120_000);

  it('hostile configuration through PUT /api/config: refused, nothing changed, still subscribed', async (ctx) => {
    expectRow(await hostileConfig(), ctx);
  }, 90_000);

  it('hostile dates in match lists: each rejected with its reason, the app keeps running', async (ctx) => {
    expectRow(await hostileDates(), ctx);
  }, 90_000);
});
