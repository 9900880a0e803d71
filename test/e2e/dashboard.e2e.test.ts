import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startRedis, type TestRedis } from '../harness/redis-server';
import { FAST_REDIS_ENV, startHeadless, tempDir, waitUntil, type HeadlessProcess } from '../harness/app';
import { CHROMIUM, CHROMIUM_ARGS, SHOTS, ensureBuilt } from '../harness/e2e';
import { fixtureSteps, liveFixture, publishLines } from '../harness/fixture';

/**
 * The dashboard in Debian's Chromium against `dist/headless.js` (the same build
 * `npm run headless` serves) and a real redis-server; the fixture is replayed with PUBLISH.
 * Screenshots of every page go to test-results/screenshots/.
 */

const hasChromium = existsSync(CHROMIUM);

describe.skipIf(!hasChromium)('dashboard end to end (headless app, real Redis, Chromium)', () => {
  let redis: TestRedis;
  let app: HeadlessProcess;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  const dataDir = tempDir('fogis-e2e-');
  const pageErrors: string[] = [];
  const steps = fixtureSteps(liveFixture());

  // The Redis address is in config.json (written in beforeAll), not REDIS_URL: a field the
  // environment fixes is read-only in Settings, and this suite edits the Redis settings.
  const env = (): Record<string, string> => ({ ...FAST_REDIS_ENV });
  const shot = async (name: string): Promise<void> => {
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  };
  const tab = async (name: string): Promise<void> => {
    await page.getByTestId(`tab-${name}`).click();
  };
  const text = (testId: string): Promise<string> => page.getByTestId(testId).first().innerText();
  const waitText = async (testId: string, expected: string | RegExp, timeout = 10_000): Promise<void> => {
    await waitUntil(async () => {
      const t = await page.getByTestId(testId).first().innerText().catch(() => '');
      return typeof expected === 'string' ? t.trim() === expected : expected.test(t);
    }, timeout, `${testId} to show ${String(expected)}`, 50);
  };
  const subscribed = async (): Promise<void> => {
    await page.locator('[data-testid="connection-state"][data-state="subscribed"]').waitFor({ timeout: 15_000 });
  };

  beforeAll(async () => {
    ensureBuilt();
    mkdirSync(SHOTS, { recursive: true });
    redis = await startRedis();
    writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ redis: { url: redis.url } }), { mode: 0o600 });
    app = await startHeadless({ env: env(), dataDir });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    ctx = await browser.newContext({ locale: 'en-GB', viewport: { width: 1200, height: 900 } });
    page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource|ERR_CONNECTION_REFUSED|EventSource/.test(m.text())) pageErrors.push(m.text());
    });
    // The address the app prints at start: the token becomes the page's cookie.
    await page.goto(`${app.baseUrl}/?token=${app.token()}`);
    await subscribed();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await redis?.stop();
  });

  it('serves the dashboard with its CSP and shows English for an English browser', async () => {
    const res = await page.request.get(`${app.baseUrl}/`);
    expect(res.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')).toContain("connect-src 'self'");
    expect(await text('connection-state')).toContain('Connected to Redis');
    expect(await page.getByTestId('language-switch').getAttribute('data-lang')).toBe('en');
  });

  it('the address with the token opens the dashboard, keeps the token as an HttpOnly SameSite=Strict cookie and leaves the address bar', async () => {
    expect(new URL(page.url()).search).toBe('');
    const cookies = await ctx.cookies(app.baseUrl);
    const cookie = cookies.find((c) => c.name === `fogis_monitor_token_${app.port}`);
    expect(cookie).toMatchObject({ value: app.token(), httpOnly: true, sameSite: 'Strict', path: '/' });
    // Page scripts cannot read it.
    expect(await page.evaluate(() => document.cookie)).not.toContain(app.token());
  });

  it('counts the replayed run on the Overview and follows the matches from 3 to 2 with B cancelled', async () => {
    // Step 1: the first list with 3 matches.
    await publishLines(redis.url, steps[0]!);
    await waitText('counter-received', '3');
    await tab('matches');
    await waitUntil(async () => (await page.getByTestId('match-row').count()) === 3, 10_000, '3 match rows');
    await shot('matches-first-list-en');

    // The rest of the run, step by step as the processor would publish it.
    // One processor cycle after the other, as the processor publishes them (minutes apart):
    // each step is handled before the next is sent, so the calendar plans each list on its
    // own (lists that arrive together are planned as one: the newest wins).
    const handled = async (): Promise<number> => ((await (await fetch(`${app.baseUrl}/redis-stats`)).json()) as { stats: { messages_processed: number } }).stats.messages_processed;
    let target = await handled();
    for (const step of steps.slice(1)) {
      await publishLines(redis.url, step);
      target += step.length;
      const want = target;
      await waitUntil(async () => (await handled()) >= want, 15_000, `${want} messages handled`, 25);
      await new Promise((r) => setTimeout(r, 50));
    }
    await waitUntil(async () => (await page.getByTestId('match-row').count()) === 2, 10_000, '2 match rows');
    const b = page.locator('[data-testid="match-row"][data-match-id="6400102"]');
    expect(await b.getAttribute('data-cancelled')).toBe('true');
    expect(await b.getByTestId('badge-cancelled').innerText()).toBe('Cancelled');
    expect(await page.locator('[data-testid="match-row"][data-match-id="6400103"]').count()).toBe(0);
    await page.getByTestId('removed-row').first().waitFor();
    expect(await text('removed-row')).toContain('IFK Björkö');
    // A: kickoff moved 16:30 → 17:00 (Stockholm) in step 4.
    const a = page.locator('[data-testid="match-row"][data-match-id="6400101"]');
    expect(await a.getByTestId('match-time').innerText()).toBe('17:00');
    await shot('matches-en');

    await tab('overview');
    await waitText('counter-received', '20');
    expect(await text('counter-type-match_updates')).toBe('5');
    expect(await text('counter-type-processing_status')).toBe('14');
    expect(await text('counter-type-system_alert')).toBe('1');
    expect(await text('counter-channel-fogis:matches:updates')).toBe('5');
    expect(await text('counter-channel-fogis:processor:status')).toBe('14');
    expect(await text('counter-channel-fogis:system:alerts')).toBe('1');
    expect(await text('counter-rejected')).toBe('0');
    expect(await page.getByTestId('processor-status').getAttribute('data-status')).toBe('failed');
    expect(await text('rate-total')).toMatch(/^20 messages in the last 10 minutes$/);
    await shot('overview-en');
  });

  it('shows the processing alert and acknowledges it', async () => {
    await page.getByTestId('alerts-unacked').waitFor();
    await tab('alerts');
    const row = page.getByTestId('alert-row').first();
    expect(await row.getAttribute('data-severity')).toBe('error');
    expect(await row.getByTestId('alert-message').innerText()).toContain('FOGIS API client unreachable');
    await shot('alerts-en');
    // The processor's `failed` status raises one alert and the system_alert another.
    const before = Number(await text('alerts-unacked'));
    expect(before).toBe(await page.getByTestId('alert-row').count());
    await row.getByTestId('ack-alert').click();
    await waitUntil(async () => (await row.getAttribute('data-acknowledged')) === 'true', 10_000, 'alert acknowledged');
    if (before > 1) {
      await waitText('alerts-unacked', String(before - 1));
      await page.getByTestId('ack-all').click();
    }
    await page.getByTestId('alerts-unacked').waitFor({ state: 'detached' });
    await shot('alerts-acknowledged-en');
    // The server has it too.
    const state = (await (await page.request.get(`${app.baseUrl}/api/state`)).json()) as { alerts: { items: { acknowledged: boolean }[] } };
    expect(state.alerts.items.every((i) => i.acknowledged)).toBe(true);
  });

  it('shows messages in the inspector with their JSON', async () => {
    await tab('messages');
    await waitUntil(async () => (await page.getByTestId('message-row').count()) === 20, 10_000, '20 messages');
    await page.getByTestId('filter-type').selectOption('system_alert');
    expect(await page.getByTestId('message-row').count()).toBe(1);
    await page.locator('[data-testid="message-row"] summary').first().click();
    expect(await text('message-json')).toContain('"alert_type": "processing_error"');
    await shot('messages-en');
    await page.getByTestId('filter-type').selectOption('');
  });

  it('Sync now shows its result', async () => {
    await tab('overview');
    await page.getByTestId('sync-now').click();
    const result = page.getByTestId('sync-result');
    await result.waitFor({ timeout: 20_000 });
    expect(await result.getAttribute('data-success')).toBe('true');
    expect(await result.innerText()).toMatch(/\d+ updated, \d+ deleted, \d+ failed/);
    await shot('overview-after-sync-en');
  });

  it('Settings rejects an invalid Redis URL and applies a channel change live', async () => {
    await tab('settings');
    const url = page.getByTestId('setting-redis.url');
    await url.fill('http://not-redis:6379');
    await url.blur();
    expect(await text('field-error-redis.url')).toContain('not a Redis address');
    await page.getByTestId('settings-save').click();
    expect(await page.getByTestId('settings-result').getAttribute('data-result')).toBe('invalid');
    await shot('settings-invalid-en');
    // The server refuses it too, and says which field.
    const put = await page.request.put(`${app.baseUrl}/api/config`, { data: { redis: { url: 'http://not-redis' } }, headers: { 'Content-Type': 'application/json' } });
    expect(put.status()).toBe(400);

    await page.getByRole('button', { name: 'Undo changes' }).click();
    await page.getByTestId('setting-redis.channels.matchUpdates').fill('fogis:matches:e2e');
    await page.getByTestId('settings-save').click();
    await waitUntil(async () => (await page.getByTestId('settings-result').getAttribute('data-result')) === 'saved', 15_000, 'settings saved');
    await tab('overview');
    await subscribed();
    await waitUntil(async () => (await text('connection-state')).includes('Connected') && (await page.getByText('fogis:matches:e2e').count()) > 0, 15_000, 'new channel in use');
    // A list on the new channel is received and counted.
    // The newest list again (same content, new id), so the match state stays as the run left it.
    const first = steps.flat().filter((l) => l.channel === 'fogis:matches:updates').at(-1)!;
    const before = Number((await text('counter-received')).replace(/\D/g, ''));
    await publishLines(redis.url, [{ channel: 'fogis:matches:e2e', raw: first.raw.replace(/"message_id": "[^"]+"/, '"message_id": "e2e-new-channel"') }]);
    await waitText('counter-received', String(before + 1));
    await page.getByTestId('counter-channel-fogis:matches:e2e').waitFor();
    await tab('settings');
    await shot('settings-en');
  });

  it('recovers the live view after the server restarts', async () => {
    await tab('overview');
    await app.stop();
    await page.getByTestId('link-banner').waitFor({ timeout: 10_000 });
    await shot('overview-server-down-en');
    app = await startHeadless({ env: env(), dataDir, port: app.port });
    await page.getByTestId('link-banner').waitFor({ state: 'detached', timeout: 20_000 });
    await subscribed();
    // Live again: a new message shows up without reloading the page.
    const before = Number((await text('counter-received')).replace(/\D/g, ''));
    await publishLines(redis.url, steps[6]!.map((l) => ({ ...l, raw: l.raw.replace(/"message_id": "[^"]+"/, '"message_id": "after-restart"') })));
    await waitUntil(async () => Number((await text('counter-received')).replace(/\D/g, '')) > before, 10_000, 'counter after restart');
  });

  it('speaks Swedish for a Swedish browser and switches to English', async () => {
    const sv = await browser.newContext({ locale: 'sv-SE', viewport: { width: 1200, height: 900 } });
    try {
      // The language switch above saved 'auto' untouched; reset in case a test changed it.
      await sv.request.put(`${app.baseUrl}/api/config`, { data: { ui: { language: 'auto' } }, headers: app.authHeaders({ 'Content-Type': 'application/json' }) });
      const p = await sv.newPage();
      p.on('pageerror', (e) => pageErrors.push(e.message));
      await p.goto(`${app.baseUrl}/?token=${app.token()}`);
      await p.locator('[data-testid="connection-state"][data-state="subscribed"]').waitFor({ timeout: 15_000 });
      expect(await p.getByTestId('connection-state').innerText()).toContain('Ansluten till Redis');
      expect(await p.getByTestId('sync-now').innerText()).toBe('Synkronisera nu');
      expect(await p.getByTestId('tab-matches').innerText()).toBe('Matcher');
      await p.screenshot({ path: path.join(SHOTS, 'overview-sv.png'), fullPage: true });
      for (const name of ['matches', 'alerts', 'messages', 'settings']) {
        await p.getByTestId(`tab-${name}`).click();
        await p.screenshot({ path: path.join(SHOTS, `${name}-sv.png`), fullPage: true });
      }
      await p.getByTestId('tab-matches').click();
      expect(await p.locator('[data-match-id="6400102"] [data-testid="badge-cancelled"]').innerText()).toBe('Inställd');
      await p.getByTestId('language-switch').click();
      await waitUntil(async () => (await p.getByTestId('tab-matches').innerText()) === 'Matches', 5_000, 'English tabs');
      expect(await p.locator('[data-match-id="6400102"] [data-testid="badge-cancelled"]').innerText()).toBe('Cancelled');
    } finally {
      await sv.close();
    }
    expect(pageErrors).toEqual([]);
  });
});

describe.skipIf(!hasChromium)('dashboard access with and without the token (Chromium)', () => {
  let browser: Browser;
  beforeAll(async () => {
    ensureBuilt();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('bound beyond loopback, the address with the token opens the dashboard (script bundle, API, live stream, writes)', async () => {
    // English from config.json, not FOGIS_MONITOR_LANGUAGE: the language switch below must be able to save.
    const langDir = tempDir();
    writeFileSync(path.join(langDir, 'config.json'), JSON.stringify({ ui: { language: 'en' } }), { mode: 0o600 });
    const app = await startHeadless({ env: { REDIS_PUBSUB_ENABLED: 'false', MONITOR_HTTP_HOST: '0.0.0.0' }, dataDir: langDir });
    const ctx = await browser.newContext({ locale: 'en-GB', viewport: { width: 1200, height: 900 } });
    try {
      const p = await ctx.newPage();
      const errors: string[] = [];
      p.on('pageerror', (e) => errors.push(e.message));
      expect(app.output()).toContain(`/?token=${app.token()}`);
      await p.goto(`${app.baseUrl}/?token=${app.token()}`);
      await p.locator('[data-testid="connection-state"][data-state="disabled"]').waitFor({ timeout: 15_000 });
      expect(new URL(p.url()).search).toBe('');
      // A write from the page (the language switch saves ui.language) is let in by the cookie.
      await p.getByTestId('language-switch').click();
      await waitUntil(async () => (await p.getByTestId('tab-matches').innerText()) === 'Matcher', 10_000, 'Swedish tabs');
      // The switch turns the page Swedish at once and saves in the background: wait for the save.
      const saved = async (): Promise<string> =>
        ((await (await fetch(`${app.baseUrl}/api/config`, { headers: app.authHeaders() })).json()) as { config: { ui: { language: string } } }).config.ui.language;
      await waitUntil(async () => (await saved()) === 'sv', 10_000, 'ui.language saved as sv', 50);
      // A reload without ?token= still works: the cookie carries it.
      await p.reload();
      await p.locator('[data-testid="connection-state"][data-state="disabled"]').waitFor({ timeout: 15_000 });
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
      await app.stop();
    }
  }, 60_000);

  it('on loopback without the token the dashboard shows everything but a write is refused', async () => {
    const app = await startHeadless({ env: { REDIS_PUBSUB_ENABLED: 'false', FOGIS_MONITOR_LANGUAGE: 'en' } });
    const ctx = await browser.newContext({ locale: 'en-GB', viewport: { width: 1200, height: 900 } });
    try {
      const p = await ctx.newPage();
      await p.goto(`${app.baseUrl}/`);
      await p.locator('[data-testid="connection-state"][data-state="disabled"]').waitFor({ timeout: 15_000 });
      await p.getByTestId('sync-now').click();
      const result = p.getByTestId('sync-result');
      await result.waitFor({ timeout: 15_000 });
      expect(await result.getAttribute('data-success')).toBe('false');
      expect(await result.innerText()).toMatch(/access token/);
    } finally {
      await ctx.close();
      await app.stop();
    }
  }, 60_000);
});
