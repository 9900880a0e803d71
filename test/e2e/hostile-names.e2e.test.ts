import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { FAST_REDIS_ENV, startHeadless, waitUntil, type HeadlessProcess } from '../harness/app';
import { startRedis, type TestRedis } from '../harness/redis-server';
import { publishLines } from '../harness/fixture';
import { CHROMIUM, CHROMIUM_ARGS, ensureBuilt } from '../harness/e2e';
import { liveFixture } from '../harness/fixture';

/**
 * Names are data from FOGIS: a 5,000-character name without a space must wrap (the page
 * stays as wide as the window), and a right-to-left override in a team name must not reorder
 * the text beside it (issue 9 item 8). In Chromium against the headless app.
 */

const hasChromium = existsSync(CHROMIUM);
type Json = Record<string, unknown>;

describe.skipIf(!hasChromium)('hostile names on the Matches page (Chromium)', () => {
  let browser: Browser;
  let app: HeadlessProcess;
  let redis: TestRedis;

  beforeAll(async () => {
    ensureBuilt();
    redis = await startRedis();
    app = await startHeadless({ env: { ...FAST_REDIS_ENV, REDIS_URL: redis.url, FOGIS_MONITOR_LANGUAGE: 'en' } });
    const line = liveFixture().find((l) => l.channel === 'fogis:matches:updates')!;
    const message = JSON.parse(line.raw) as { payload: { matches: Json[] } };
    const matches = message.payload.matches;
    matches[0]!.lag1namn = 'W'.repeat(5000);
    matches[0]!.anlaggningnamn = 'V'.repeat(5000);
    matches[1]!.lag1namn = '\u202EABC';
    matches[1]!.lag2namn = 'XYZ';
    await waitUntil(async () => ((await (await fetch(`${app.baseUrl}/redis-status`)).json()) as { redis_status: { subscribed: boolean } }).redis_status.subscribed, 15_000, 'subscribed');
    await publishLines(redis.url, [{ ...line, raw: JSON.stringify(message) }]);
    await waitUntil(async () => ((await (await fetch(`${app.baseUrl}/api/state`)).json()) as { matches: { list: unknown[] } }).matches.list.length === 3, 15_000, 'the list');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await redis?.stop();
  });

  for (const width of [1280, 420]) {
    it(`a 5,000-character name wraps: the page stays ${width} px wide`, async () => {
      const ctx = await browser.newContext({ locale: 'en-GB', viewport: { width, height: 900 } });
      try {
        const page = await ctx.newPage();
        await page.goto(`${app.baseUrl}/?token=${app.token()}#matches`);
        await page.getByTestId('match-row').first().waitFor({ timeout: 15_000 });
        const { scrollWidth, innerWidth, rowWidth } = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          innerWidth: window.innerWidth,
          rowWidth: Math.max(...[...document.querySelectorAll('[data-testid="match-row"]')].map((e) => e.getBoundingClientRect().right)),
        }));
        expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
        expect(rowWidth).toBeLessThanOrEqual(innerWidth);
      } finally {
        await ctx.close();
      }
    });
  }

  it('a right-to-left override in one team name does not reorder the other team name', async () => {
    const ctx = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
    try {
      const page = await ctx.newPage();
      await page.goto(`${app.baseUrl}/?token=${app.token()}#matches`);
      const teams = page.locator('[data-testid="match-row"][data-match-id="6400102"] [data-testid="match-teams"]');
      await teams.waitFor({ timeout: 15_000 });
      // Where the X, Y and Z of "XYZ" are drawn: left to right when isolated; reversed if the
      // override of the first name ran on into it.
      const xs = await teams.evaluate((el) => {
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        let node: Node | null;
        while ((node = walker.nextNode())) {
          const text = node.textContent ?? '';
          const i = text.indexOf('XYZ');
          if (i === -1) continue;
          return [0, 1, 2].map((k) => {
            const r = document.createRange();
            r.setStart(node!, i + k);
            r.setEnd(node!, i + k + 1);
            return r.getBoundingClientRect().left;
          });
        }
        return [];
      });
      expect(xs).toHaveLength(3);
      expect(xs[0]!).toBeLessThan(xs[1]!);
      expect(xs[1]!).toBeLessThan(xs[2]!);
      // And the dash between the names stays between them.
      const dashLeft = await teams.evaluate((el) => {
        const r = document.createRange();
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        let node: Node | null;
        while ((node = walker.nextNode())) {
          const i = (node.textContent ?? '').indexOf('–');
          if (i !== -1) {
            r.setStart(node, i);
            r.setEnd(node, i + 1);
            return r.getBoundingClientRect().left;
          }
        }
        return -1;
      });
      expect(dashLeft).toBeGreaterThan(0);
      expect(dashLeft).toBeLessThan(xs[0]!);
    } finally {
      await ctx.close();
    }
  });
});
