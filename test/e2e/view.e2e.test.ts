import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startRedis, type TestRedis } from '../harness/redis-server';
import { FAST_REDIS_ENV, REPO_ROOT, startHeadless, tempDir, waitUntil, type HeadlessProcess } from '../harness/app';
import { CHROMIUM, CHROMIUM_ARGS, SHOTS, ensureBuilt } from '../harness/e2e';
import { fixtureSteps, liveFixture, publishLines } from '../harness/fixture';
// The dashboard's own list, so a new tab is checked without touching this file.
import { TABS } from '../../renderer/src/tabs';

/**
 * The coordinator's view (issue 14) in Chromium against the headless app and a real
 * redis-server: an axe-core WCAG 2.1 AA check of every tab and the compact view, in both
 * languages, light and dark, at 1280 and 420 px; and screenshots of each state (failed
 * cycle, failed cycle acknowledged, Redis down, possibly stale, a setting fixed by the
 * environment, compact view) at both
 * widths in both languages, kept in test-results/screenshots/view-*.png.
 */

const hasChromium = existsSync(CHROMIUM);
const AXE = readFileSync(path.join(REPO_ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const PAGES = [...TABS, 'compact'] as const;
type PageName = (typeof PAGES)[number];
const LANGS = [
  { locale: 'en-GB', code: 'en' },
  { locale: 'sv-SE', code: 'sv' },
] as const;
const WIDTHS = [1280, 420] as const;
const SCHEMES = ['light', 'dark'] as const;

interface Violation {
  where: string;
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

declare global {
  interface Window {
    axe: {
      run(ctx: Document, opts: { runOnly: { type: 'tag'; values: string[] }; resultTypes?: string[] }): Promise<{
        violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[]; failureSummary?: string }> }>;
      }>;
    };
  }
}

describe.skipIf(!hasChromium)('the coordinator’s view: accessibility and screenshots (issue 14)', () => {
  let redis: TestRedis;
  let app: HeadlessProcess;
  let browser: Browser;
  const dataDir = tempDir('fogis-view-e2e-');
  const pageErrors: string[] = [];
  const steps = fixtureSteps(liveFixture());

  const env = (): Record<string, string> => ({ ...FAST_REDIS_ENV, REDIS_URL: redis.url, FOGIS_MONITOR_LANGUAGE: 'auto' });

  /** A page in its own context, so language, colour scheme and width come from the context. */
  async function open(o: { locale: string; width: number; scheme?: 'light' | 'dark'; height?: number }, name: PageName): Promise<{ page: Page; close: () => Promise<void> }> {
    const ctx = await browser.newContext({
      locale: o.locale,
      colorScheme: o.scheme ?? 'light',
      viewport: { width: o.width, height: o.height ?? (o.width < 500 ? 800 : 900) },
      reducedMotion: 'reduce',
    });
    // Injected through the DevTools protocol, so the page's CSP (script-src 'self') stays on.
    await ctx.addInitScript({ content: AXE });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${name}: ${e.message}`));
    // The address the app prints: its token becomes the page's cookie, so writes (Acknowledge) work.
    await page.goto(`${app.baseUrl}/?token=${app.token()}#${name}`);
    await show(page, name);
    return { page, close: () => ctx.close() };
  }

  /** Moves an open page to another tab (or the compact view) the way a link would: by hash. */
  async function show(page: Page, name: PageName): Promise<void> {
    if (!page.url().endsWith(`#${name}`)) await page.evaluate((h) => (location.hash = h), name);
    if (name === 'compact') await page.getByTestId('glance').waitFor({ timeout: 15_000 });
    else {
      await page.locator(`[data-testid="tab-${name}"][aria-selected="true"]`).waitFor({ timeout: 15_000 });
      await page.getByTestId('overall-status').waitFor({ timeout: 15_000 });
    }
  }

  async function axe(page: Page, where: string): Promise<Violation[]> {
    const result = await page.evaluate(() =>
      window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] }),
    );
    return result.violations.map((v) => ({
      where,
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${JSON.stringify(n.target)} ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`),
    }));
  }

  /** Every page in both languages, light and dark, wide and narrow; returns what axe found. */
  async function sweep(state: string, pages: readonly PageName[]): Promise<Violation[]> {
    const found: Violation[] = [];
    for (const lang of LANGS) {
      for (const scheme of SCHEMES) {
        for (const width of WIDTHS) {
          const { page, close } = await open({ locale: lang.locale, width, scheme }, pages[0]!);
          try {
            for (const name of pages) {
              await show(page, name);
              found.push(...(await axe(page, `${state} ${name} ${lang.code} ${scheme} ${width}px`)));
            }
          } finally {
            await close();
          }
        }
      }
    }
    return found;
  }

  /** Screenshots of a state: the given pages at 1280 and 420 px, in both languages. */
  async function shots(state: string, pages: readonly PageName[], before?: (page: Page) => Promise<void>): Promise<string[]> {
    const files: string[] = [];
    for (const lang of LANGS) {
      for (const width of WIDTHS) {
        const { page, close } = await open({ locale: lang.locale, width }, pages[0]!);
        try {
          for (const name of pages) {
            await show(page, name);
            await before?.(page);
            const file = path.join(SHOTS, `view-${state}-${name}-${lang.code}-${width}.png`);
            await page.screenshot({ path: file, fullPage: true });
            files.push(file);
          }
        } finally {
          await close();
        }
      }
    }
    return files;
  }

  const report = (v: Violation[]): string => v.map((x) => `${x.where}: ${x.id} (${x.impact}) ${x.help}\n    ${x.nodes.join('\n    ')}`).join('\n');

  const connectionState = async (want: RegExp): Promise<void> => {
    await waitUntil(async () => {
      const res = await fetch(`${app.baseUrl}/api/state`);
      const body = (await res.json()) as { connection: { state: string; possiblyStale: boolean } };
      return want.test(`${body.connection.state}${body.connection.possiblyStale ? ' stale' : ''}`);
    }, 20_000, `connection ${want}`, 100);
  };

  beforeAll(async () => {
    ensureBuilt();
    mkdirSync(SHOTS, { recursive: true });
    redis = await startRedis();
    app = await startHeadless({ env: env(), dataDir });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    await connectionState(/^subscribed$/);
    // The whole recorded run: 2 matches (one cancelled), a failed last cycle, two alerts.
    for (const step of steps) await publishLines(redis.url, step);
    await waitUntil(async () => {
      const body = (await (await fetch(`${app.baseUrl}/api/state`)).json()) as { processor: { last: { status: string } | null }; counters: { messages_received: number } };
      return body.counters.messages_received === 20 && body.processor.last?.status === 'failed';
    }, 15_000, 'the fixture run to be counted', 100);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await redis?.stop();
  });

  it('a failed cycle, not yet acknowledged: the compact view answers at a glance; axe finds nothing', async () => {
    const { page, close } = await open({ locale: 'en-GB', width: 400, height: 600 }, 'compact');
    try {
      expect(await page.getByTestId('glance-processor').innerText()).toContain('processor check failed');
      expect(await page.getByTestId('glance-alert').count()).toBeGreaterThan(0);
      expect(await page.getByTestId('glance-sync-now').isVisible()).toBe(true);
      expect(await page.getByTestId('open-dashboard').isVisible()).toBe(true);
      expect(await page.getByRole('tablist').count()).toBe(0);
      // Everything the coordinator needs is inside the 400 × 600 window without scrolling.
      const bottom = await page.getByTestId('open-dashboard').evaluate((el) => el.getBoundingClientRect().bottom);
      expect(bottom).toBeLessThanOrEqual(600);
      await page.screenshot({ path: path.join(SHOTS, 'view-compact-window-en-400x600.png') });
    } finally {
      await close();
    }
    await shots('failed', ['overview', 'compact']);
    const found = await sweep('failed', ['overview', 'alerts', 'compact']);
    expect(found, report(found)).toEqual([]);
  }, 240_000);

  it('at 420 px the first screen says how things are and what is next; Redis details come after', async () => {
    const { page, close } = await open({ locale: 'sv-SE', width: 420, height: 800 }, 'overview');
    try {
      const header = await page.locator('header.topbar').boundingBox();
      // Two rows at most: name and language, then the status line.
      expect(header!.height).toBeLessThan(110);
      const glance = await page.getByTestId('glance').boundingBox();
      const conn = await page.getByTestId('connection-state').boundingBox();
      expect(glance!.y).toBeLessThan(conn!.y);
      const failure = await page.getByTestId('glance-processor').boundingBox();
      expect(failure!.y + failure!.height).toBeLessThan(800);
      // All tabs can be seen (they wrap rather than scroll out of sight).
      for (const tab of TABS) {
        const box = await page.getByTestId(`tab-${tab}`).boundingBox();
        expect(box!.x + box!.width, tab).toBeLessThanOrEqual(420);
      }
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBe(0);
    } finally {
      await close();
    }
  });

  it('focus stays off the page body after Test connection and Acknowledge (real Chromium)', async () => {
    const { page, close } = await open({ locale: 'en-GB', width: 1280 }, 'overview');
    try {
      await page.getByTestId('test-connection').focus();
      await page.keyboard.press('Enter');
      await page.getByTestId('connection-note').waitFor();
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('test-connection');
      await page.getByTestId('tab-alerts').click();
      const row = page.locator('[data-testid="alert-row"][data-acknowledged="false"]').first();
      const id = await row.getAttribute('data-alert-id');
      await row.getByTestId('ack-alert').focus();
      await page.keyboard.press('Enter');
      await page.locator(`[data-alert-id="${id}"][data-acknowledged="true"]`).waitFor();
      await waitUntil(async () => (await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))) === 'alert-acked', 5_000, 'focus on the acknowledged text');
    } finally {
      await close();
    }
  });

  it('the failed cycle acknowledged: every tab passes axe in both languages, light and dark, 1280 and 420 px', async () => {
    const { page, close } = await open({ locale: 'en-GB', width: 1280 }, 'alerts');
    try {
      const ackAll = page.getByTestId('ack-all');
      if (await ackAll.isEnabled()) await ackAll.click();
      await page.getByTestId('alerts-unacked').waitFor({ state: 'detached', timeout: 10_000 });
    } finally {
      await close();
    }
    await shots('acknowledged', ['overview', 'alerts', 'messages', 'compact']);
    // REDIS_URL fixes the Redis address: Settings shows it read-only with the variable's name.
    await shots('env-fixed', ['settings'], async (page) => {
      await page.getByTestId('env-fixed-redis.url').waitFor();
      expect(await page.getByTestId('env-fixed-redis.url').innerText()).toContain('REDIS_URL');
    });
    const found = await sweep('acknowledged', PAGES);
    expect(found, report(found)).toEqual([]);

    // The check can fail: the old way of dimming an acknowledged alert (opacity) is reported.
    const probe = await open({ locale: 'en-GB', width: 1280 }, 'alerts');
    try {
      await probe.page.locator('[data-testid="alert-row"][data-acknowledged="true"]').first().waitFor();
      await probe.page.addStyleTag({ content: '.alert.is-acked { opacity: 0.75; }' });
      const dimmed = await axe(probe.page, 'acknowledged alerts dimmed by opacity');
      expect(dimmed.map((v) => v.id)).toContain('color-contrast');
    } finally {
      await probe.close();
    }
  }, 600_000);

  it('Redis down, then back and possibly stale: shown in both layouts, and axe finds nothing', async () => {
    // kill, not stop: stop also removes the server's directory, so it could not restart.
    await redis.kill();
    await connectionState(/^(reconnecting|connecting)/);
    await shots('down', ['overview', 'compact'], async (page) => {
      if (page.url().endsWith('#compact')) await page.getByTestId('glance-connection').waitFor();
    });
    const down = await sweep('down', ['overview', 'compact']);
    await redis.restart();
    await connectionState(/^subscribed stale$/);
    await shots('stale', ['overview', 'matches', 'compact'], async (page) => {
      if (page.url().endsWith('#overview')) await page.getByTestId('stale-banner').waitFor();
      // Staleness is the headline here: the status line says it, the glance does not repeat it.
      if (page.url().endsWith('#compact')) await page.locator('[data-testid="overall-status"][data-code^="stale"]').waitFor();
    });
    const stale = await sweep('stale', ['overview', 'matches']);
    expect([...down, ...stale], report([...down, ...stale])).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 600_000);
});
