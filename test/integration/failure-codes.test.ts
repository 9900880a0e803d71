import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fetchWithToken, tempDir, waitUntil } from '../harness/app';
import { createCore, type Core } from '../../electron/core/index';
import { createMemoryLogger } from '../../electron/core/log';
import { liveFixture } from '../harness/fixture';
import { freePort, startRedis, type TestRedis } from '../harness/redis-server';
import { publishLines } from '../harness/fixture';
import { createHttpBridge } from '../../renderer/src/bridge/http';
import { sayFailure } from '../../shared/i18n/say';
import { translate } from '../../shared/i18n';
import type { TextRef } from '../../shared/text-ref';

/**
 * Issue 14.1: every failure a coordinator can see carries a code the dashboard says in the
 * user's language. The real core and its HTTP server, read through the dashboard's own HTTP
 * bridge: the English `error` stays for scripts, `errorCode` is what the page says.
 */
const time = (iso: string): string => iso;
const sv = (r: { errorCode?: TextRef; error?: string }): string | null => sayFailure('sv', r, { time });

const fixtureMatches = (): unknown[] => {
  const line = liveFixture().filter((l) => l.channel === 'fogis:matches:updates').at(-1);
  const matches = (JSON.parse(line?.raw ?? '{}') as { payload: { matches: Array<Record<string, unknown>> } }).payload.matches;
  // Kickoffs a week ahead, so the list has upcoming matches to write.
  const ahead = Date.now() + 7 * 86_400_000;
  return matches.map((m) => ({ ...m, speldatum: new Date(ahead).toISOString().slice(0, 10), tid: `/Date(${ahead})/` }));
};

describe('failure codes from the real core, through the dashboard bridge', () => {
  let core: Core;
  let app: { baseUrl: string; token: string; authedFetch: (url: string, init?: RequestInit) => Promise<Response> };
  let taken: Server;
  let redis: TestRedis;
  let takenPort: number;

  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const a = taken.address();
    takenPort = typeof a === 'object' && a ? a.port : 0;
    // A real Redis (stopped later for Reconnect); Google Calendar chosen but never signed in (no
    // credentials.json); the HTTP port from the file, so Settings may change it.
    const dataDir = tempDir('fogis-failcodes-');
    writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ http: { port: await freePort() } }), { mode: 0o600 });
    redis = await startRedis();
    const env = {
      REDIS_URL: redis.url,
      REDIS_CONNECT_TIMEOUT_MS: '500',
      REDIS_BACKOFF_INITIAL_MS: '100',
      REDIS_BACKOFF_MAX_MS: '500',
      CALENDAR_BACKEND: 'google',
      FOGIS_MONITOR_LANGUAGE: 'sv',
    };
    core = await createCore({ dataDir, env, log: createMemoryLogger(), http: true, staticDir: null });
    await core.start();
    const token = core.accessToken();
    app = { baseUrl: core.httpBaseUrl() ?? '', token, authedFetch: fetchWithToken(token) };
  }, 30_000);

  afterAll(async () => {
    await core?.stop();
    if (taken) await new Promise((r) => taken.close(r));
    await redis?.stop();
  });

  it('a page without the access token: the 401 is "no valid access token", in Swedish, not the guard\'s English', async () => {
    const bridge = createHttpBridge({ baseUrl: app.baseUrl });
    const r = await bridge.syncNow();
    expect(r.success).toBe(false);
    expect(r.error).toMatch(/access token/);
    expect(r.errorCode).toEqual({ key: 'fail.unauthorized', params: {} });
    expect(sv(r)).toBe(translate('sv', 'fail.unauthorized'));
    const cfg = await bridge.updateConfig({ ui: { language: 'en' } });
    expect(cfg.success).toBe(false);
    expect(!cfg.success && cfg.errorCode?.key).toBe('fail.unauthorized');
    expect((await bridge.googleSignIn()).errorCode?.key).toBe('fail.unauthorized');
  });

  it('Sync now with Google chosen but not signed in: "sign in", said in Swedish', async () => {
    await waitUntil(() => core.snapshot().connection.subscribed, 10_000, 'subscribed');
    const line = liveFixture().filter((l) => l.channel === 'fogis:matches:updates').at(-1)!;
    const message = JSON.parse(line.raw) as { payload: { matches: unknown[] } };
    message.payload.matches = fixtureMatches();
    await publishLines(redis.url, [{ channel: line.channel, raw: JSON.stringify(message) }]);
    await waitUntil(() => core.snapshot().calendar.pending > 0, 10_000, 'writes waiting for the sign-in');
    const manual = await app.authedFetch(`${app.baseUrl}/manual-sync`, { method: 'POST', body: JSON.stringify({ matches: fixtureMatches() }) });
    const body = (await manual.json()) as { success: boolean; error?: string; report: { errorCode?: TextRef } };
    // The Python-compatible route keeps its English `error` and carries the code in its report.
    expect(body.success).toBe(false);
    expect(body.error).toMatch(/^sign-in needed: \d+ write\(s\) wait in the outbox$/);
    expect(body.report.errorCode).toEqual({ key: 'fail.signInNeeded', params: {} });
    const bridge = createHttpBridge({ baseUrl: app.baseUrl, token: app.token });
    const r = await bridge.syncNow();
    expect(r.success).toBe(false);
    expect(r.errorCode).toEqual({ key: 'fail.signInNeeded', params: {} });
    expect(sv(r)).toMatch(/^Logga in hos Google Kalender/);
  });

  it('Google sign-in without a client file names the file, in Swedish', async () => {
    const r = await createHttpBridge({ baseUrl: app.baseUrl, token: app.token }).googleSignIn();
    expect(r.success).toBe(false);
    expect(r.error).toMatch(/^no Google OAuth client file at /);
    expect(r.errorCode?.key).toBe('fail.googleNoClientFile');
    expect(String(r.errorCode?.params.path)).toMatch(/credentials\.json$/);
    expect(sv(r)).toMatch(/^Det finns ingen Google-klientfil i .*credentials\.json: hämta/);
  });

  it('no takeover waiting: a code, not only English', async () => {
    const r = await createHttpBridge({ baseUrl: app.baseUrl, token: app.token }).confirmTakeover();
    expect(r.errorCode).toEqual({ key: 'fail.noTakeover', params: {} });
  });

  it('Reconnect while Redis refuses: the connection reason with its hint', async () => {
    await redis.stop();
    const bridge = createHttpBridge({ baseUrl: app.baseUrl, token: app.token });
    const r = await bridge.restartSubscription();
    expect(r.success).toBe(false);
    expect(r.message).toBe('Failed to restart subscription');
    expect(r.errorCode?.key).toBe('reason.connection_refused');
    expect(sv(r)).toBe('anslutningen nekades: kör Redis på den värden och porten?');
    const test = await bridge.testConnection();
    expect(test.success).toBe(false);
    expect(test.errorCode?.key).toBe('reason.connection_refused');
  }, 20_000);

  it('settings: a taken port and an environment-fixed field are refused with codes the page says', async () => {
    const bridge = createHttpBridge({ baseUrl: app.baseUrl, token: app.token });
    const r = await bridge.updateConfig({ http: { port: takenPort } });
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(r.error).toBe('Some settings are not valid; nothing was changed.');
    expect(r.errorCode).toEqual({ key: 'fail.invalidSettings', params: {} });
    expect(r.errors).toEqual([expect.objectContaining({ path: 'http.port', code: 'portInUse' })]);
    const env = await bridge.updateConfig({ calendar: { backend: 'ics' } });
    expect(!env.success && env.errors).toEqual([expect.objectContaining({ path: 'calendar.backend', code: 'envFixed', variable: 'CALENDAR_BACKEND' })]);
    expect(sv(r)).toBe('Några inställningar är ogiltiga; inget ändrades.');
  });

  it('answers the page cannot read: by their status, in Swedish', async () => {
    const statuses = [403, 413, 429, 500, 502, 200];
    let i = 0;
    const fetchImpl = (async () => new Response(i === 0 ? '{"success":false,"error":"Cross-origin requests are not allowed"}' : '<html>proxy</html>', { status: statuses[i++] })) as typeof fetch;
    const bridge = createHttpBridge({ fetchImpl });
    const keys: string[] = [];
    for (let n = 0; n < statuses.length; n++) keys.push((await bridge.restartSubscription()).errorCode?.key ?? '');
    expect(keys).toEqual(['fail.forbidden', 'fail.badRequest', 'fail.tooMany', 'fail.serverError', 'fail.serverError', 'fail.badAnswer']);
    // Without a code an English page gets the host's words and a Swedish one the page's own sentence.
    expect(sayFailure('en', { error: 'Boom' }, { time })).toBe('Boom');
    expect(sayFailure('sv', { error: 'Boom' }, { time })).toBeNull();
  });
});
