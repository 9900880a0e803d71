import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startRedis, type TestRedis } from '../harness/redis-server';
import { FAST_REDIS_ENV, REPO_ROOT, startHeadless, tempDir, waitUntil, type HeadlessProcess } from '../harness/app';
import { fixtureSteps, liveFixture, publishLines } from '../harness/fixture';

/**
 * The Contacts page in Debian's Chromium against the built headless app (`npm run build`
 * first) and a real redis-server fed the recorded processor run: search, tel:/mailto:
 * links, copy, the link from a match, the vCard download, Swedish and English.
 */

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.join(REPO_ROOT, 'test-results', 'screenshots');
const AXE = readFileSync(path.join(REPO_ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
type AxeResult = { violations: Array<{ id: string; help: string; nodes: Array<{ target: unknown[] }> }> };
const built = existsSync(path.join(REPO_ROOT, 'dist', 'headless.js')) && existsSync(path.join(REPO_ROOT, 'dist', 'renderer', 'index.html'));

describe.skipIf(!existsSync(CHROMIUM) || !built)('Contacts page end to end (headless app, real Redis, Chromium)', () => {
  let redis: TestRedis;
  let app: HeadlessProcess;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  const open = async (locale: string, o: { width?: number; scheme?: 'light' | 'dark' } = {}): Promise<Page> => {
    const ctx = await browser.newContext({ locale, colorScheme: o.scheme ?? 'light', viewport: { width: o.width ?? 1100, height: 900 } });
    contexts.push(ctx);
    // Through the DevTools protocol, so the page's CSP (script-src 'self') stays on.
    await ctx.addInitScript({ content: AXE });
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.baseUrl });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${app.baseUrl}/?token=${app.token()}`);
    await page.locator('[data-testid="connection-state"][data-state="subscribed"]').waitFor({ timeout: 15_000 });
    return page;
  };
  const rows = (page: Page) => page.getByTestId('contact-row');
  const names = async (page: Page): Promise<string[]> => (await page.getByTestId('contact-name').allInnerTexts()).map((s) => s.trim());
  const waitRows = (page: Page, n: number, what: string) => waitUntil(async () => (await rows(page).count()) === n, 10_000, what, 50);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    redis = await startRedis();
    app = await startHeadless({ env: { ...FAST_REDIS_ENV, REDIS_URL: redis.url, FOGIS_MONITOR_LANGUAGE: 'auto', USER_REFEREE_NUMBER: '61003' }, dataDir: tempDir('fogis-contacts-e2e-') });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    const steps = fixtureSteps(liveFixture());
    // Wait for the subscription before publishing (pub/sub keeps nothing for late subscribers).
    await waitUntil(async () => ((await (await fetch(`${app.baseUrl}/api/state`)).json()) as { connection: { subscribed: boolean } }).connection.subscribed, 15_000, 'subscribed');
    for (const step of steps) await publishLines(redis.url, step);
    await waitUntil(async () => ((await (await fetch(`${app.baseUrl}/api/state`)).json()) as { counters: { messages_received: number } }).counters.messages_received === 20, 15_000, 'run received');
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await app?.stop();
    await redis?.stop();
  });

  it('English: everyone of the final list, search by name, team and number, tel: and mailto: links, copy', async () => {
    const page = await open('en-GB');
    await page.getByTestId('tab-contacts').click();
    expect(await page.getByTestId('tab-contacts').innerText()).toBe('Contacts');
    await waitRows(page, 6, '6 contacts');
    // Final list: A (Anna, Isak, Hanna + 2 team contacts) and cancelled B (Erik, the coordinator
    // himself here, + 1 team contact); C left the list.
    expect(await names(page)).toEqual(['Anna Ekström', 'Hanna Wik', 'Isak Öhman', 'Frida Berg', 'David Lind', 'Carin Holm']);
    expect(await page.getByTestId('contacts-count').innerText()).toMatch(/^6 people/);
    await page.screenshot({ path: path.join(SHOTS, 'contacts-en.png'), fullPage: true });

    const search = page.getByTestId('contacts-search');
    expect(await search.getAttribute('placeholder')).toBe('Search by name, team or number');
    await search.fill('ekström');
    await waitRows(page, 1, 'search by name');
    const anna = rows(page).first();
    expect(await anna.getByTestId('contact-role').innerText()).toBe('Huvuddomare');
    const tel = anna.getByTestId('contact-tel');
    expect(await tel.getAttribute('href')).toBe('tel:+46701234567');
    expect(await tel.getAttribute('aria-label')).toBe('+46701234567: call Anna Ekström');
    expect(await anna.getByTestId('contact-mail').getAttribute('href')).toBe('mailto:anna.ekstrom@example.se');

    await search.fill('070-678 90 12');
    await waitRows(page, 1, 'search by phone as written in FOGIS');
    expect(await names(page)).toEqual(['Isak Öhman']);
    await search.fill('61005');
    await waitRows(page, 1, 'search by referee number');
    expect(await names(page)).toEqual(['Hanna Wik']);
    // A team finds its contact and the people of its matches.
    await search.fill('lerums');
    await waitRows(page, 1, 'search by team');
    expect(await names(page)).toEqual(['Frida Berg']);
    await search.fill('torslanda');
    await waitRows(page, 5, 'a team finds the people of its matches');
    await search.fill('nobody here');
    await page.getByTestId('contacts-empty').waitFor();

    await search.fill('Wik');
    await waitRows(page, 1, 'Hanna');
    await rows(page).first().getByTestId('contact-copy').click();
    await waitUntil(async () => (await page.evaluate(() => navigator.clipboard.readText())) === '+46705678901', 5_000, 'copied', 50);
    expect(await rows(page).first().getByRole('status').innerText()).toBe('Copied +46705678901');
    expect(pageErrors).toEqual([]);
  });

  it('from a match in Matches, one click shows its referees and team contacts', async () => {
    const page = await open('en-GB');
    await page.getByTestId('tab-matches').click();
    const a = page.locator('[data-testid="match-row"][data-match-id="6400101"]');
    await a.getByTestId('match-contacts').click();
    await page.getByTestId('contacts-match-filter').waitFor();
    await waitRows(page, 5, "match A's people");
    expect((await names(page)).sort()).toEqual(['Anna Ekström', 'Carin Holm', 'David Lind', 'Hanna Wik', 'Isak Öhman']);
    expect(await page.getByTestId('contacts-match-filter').innerText()).toContain('Öckerö IF - Torslanda IK');
    await page.getByTestId('contacts-show-all').click();
    await waitRows(page, 6, 'everyone again');
  });

  it('the vCard link downloads what ical.js reads back; the own referee number is not in it', async () => {
    const page = await open('en-GB');
    await page.getByTestId('tab-contacts').click();
    const href = await page.getByTestId('contacts-download').getAttribute('href');
    const res = await page.request.get(new URL(href!, `${app.baseUrl}/`).toString());
    expect(res.status()).toBe(200);
    const cards = (ICAL.parse(await res.text()) as unknown[][]).map((c) => new ICAL.Component(c));
    expect(cards).toHaveLength(6);
    expect(cards.map((c) => String(c.getFirstPropertyValue('uid')))).toContain('fogis-domarnr-61001@fogis-monitor');
    expect(cards.map((c) => String(c.getFirstPropertyValue('uid')))).not.toContain('fogis-domarnr-61003@fogis-monitor');
    expect(await page.getByTestId('contacts-skipped').innerText()).toContain('Your own referee number is left out.');
    expect(await page.getByTestId('contacts-google').getAttribute('data-status')).toBe('off');
  });

  it('axe (WCAG 2.1 AA) finds nothing on the Contacts page: both languages, light and dark, wide and narrow, filtered by a match', async () => {
    const found: string[] = [];
    for (const locale of ['en-GB', 'sv-SE']) {
      for (const scheme of ['light', 'dark'] as const) {
        for (const width of [1100, 420]) {
          const page = await open(locale, { width, scheme });
          await page.evaluate(() => (location.hash = 'contacts/match:6400101'));
          await waitRows(page, 5, 'filtered');
          const r = await page.evaluate(() =>
            (window as unknown as { axe: { run(d: Document, o: unknown): Promise<AxeResult> } }).axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] }),
          );
          for (const v of r.violations) found.push(`${locale} ${scheme} ${width}: ${v.id} ${v.help} ${JSON.stringify(v.nodes.slice(0, 3).map((n) => n.target))}`);
          if (width === 420 && scheme === 'dark') await page.screenshot({ path: path.join(SHOTS, `contacts-${locale}-narrow-dark.png`), fullPage: true });
          await page.context().close();
        }
      }
    }
    expect(found).toEqual([]);
  }, 120_000);

  it('Swedish: the same page in Swedish, search and tel: links', async () => {
    const page = await open('sv-SE');
    await page.getByTestId('tab-contacts').click();
    expect(await page.getByTestId('tab-contacts').innerText()).toBe('Kontakter');
    await waitRows(page, 6, '6 kontakter');
    expect(await page.getByTestId('contacts-count').innerText()).toMatch(/^6 personer/);
    const search = page.getByTestId('contacts-search');
    expect(await search.getAttribute('placeholder')).toBe('Sök på namn, lag eller nummer');
    await search.fill('öhman');
    await waitRows(page, 1, 'sök på namn');
    const isak = rows(page).first();
    expect(await isak.getByTestId('contact-tel').getAttribute('href')).toBe('tel:+46706789012');
    expect(await isak.getByTestId('contact-tel').getAttribute('aria-label')).toBe('+46706789012: ring Isak Öhman');
    expect(await isak.getByTestId('contact-copy').innerText()).toBe('Kopiera');
    expect(await page.getByTestId('contacts-google').innerText()).toContain('Av (kan slås på under Inställningar)');
    await search.fill('');
    await page.screenshot({ path: path.join(SHOTS, 'contacts-sv.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
