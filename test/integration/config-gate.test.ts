import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../electron/core/config/load-config';
import { FAST_REDIS_ENV, getJson, REPO_ROOT, startCore, startHeadless, tempDir, waitUntil, type TestCore } from '../harness/app';
import { liveFixture, publishLines } from '../harness/fixture';
import { startRedis, type TestRedis } from '../harness/redis-server';

/**
 * Issue 9 findings 1, 4, 5, 6 and issue 14 item 4 against a running core with a real
 * redis-server, through `PUT /api/config` as any local program could send it.
 */

const JSON_TYPE = { 'Content-Type': 'application/json' };

async function put(app: TestCore, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return getJson(`${app.baseUrl}/api/config`, { method: 'PUT', headers: app.authHeaders(JSON_TYPE), body: JSON.stringify(body) });
}

/** A TCP server that only records whether anyone connected and what they sent. */
async function listener(): Promise<{ port: number; received: () => string; connections: () => number; close: () => Promise<void> }> {
  let data = '';
  let connections = 0;
  const server: Server = createServer((sock) => {
    connections++;
    sock.on('data', (d: Buffer) => (data += d.toString('latin1')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { port, received: () => data, connections: () => connections, close: () => new Promise((r) => server.close(() => r())) };
}

const configFile = (app: TestCore): string => path.join(app.dataDir, 'config.json');
const readConfigFile = (app: TestCore): string | null => (existsSync(configFile(app)) ? readFileSync(configFile(app), 'utf8') : null);

describe('configuration gate in the running app', () => {
  let redis: TestRedis | null = null;
  let app: TestCore | null = null;
  afterEach(async () => {
    await app?.stop();
    await redis?.stop();
    app = null;
    redis = null;
  });

  /** A core whose Redis address (with password) is in config.json, so the API may change it. */
  const start = async (password: string, env: Record<string, string> = {}): Promise<TestCore> => {
    redis = await startRedis({ args: ['--requirepass', password] });
    const dataDir = tempDir();
    writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ redis: { url: `redis://:${encodeURIComponent(password)}@127.0.0.1:${redis.port}` } }));
    const a = await startCore({ ...FAST_REDIS_ENV, ...env }, dataDir);
    await waitUntil(() => a.core.snapshot().connection.subscribed, 8000, 'subscribed');
    return a;
  };

  it('finding 1: a misspelt time zone is refused (400, field named), nothing changes, and the next match list is handled', async () => {
    app = await start('tz-pass-0123');
    const a = app;
    const before = readConfigFile(a);
    const res = await put(a, { calendar: { timeZone: 'Europe/Stokholm' }, ui: { language: 'sv' } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'calendar.timeZone', code: 'timeZone', message: expect.stringMatching(/not a known time zone/) })]);
    // Nothing of the change was applied: not the zone, not the valid language beside it.
    expect(a.core.snapshot().config.calendar.timeZone).toBe('Europe/Stockholm');
    expect(a.core.snapshot().config.ui.language).toBe('auto');
    expect(readConfigFile(a)).toBe(before);
    const update = liveFixture().find((l) => l.channel === 'fogis:matches:updates');
    if (!update || !redis) throw new Error('fixture missing');
    await publishLines(`redis://:tz-pass-0123@127.0.0.1:${redis.port}`, [update]);
    await waitUntil(() => a.core.snapshot().matches.list.length > 0, 5000, 'match list applied');
    const sync = await getJson(`${a.baseUrl}/api/sync`, { method: 'POST', headers: a.authHeaders(JSON_TYPE), body: '{}' });
    expect(sync.status).toBe(200);
    // A later valid change answers 200 and is saved (it used to answer 500 after being applied).
    const ok = await put(a, { ui: { language: 'sv' } });
    expect(ok.status).toBe(200);
    expect(JSON.parse(readConfigFile(a) ?? '{}').ui.language).toBe('sv');
    expect((await loadConfig({}, a.dataDir)).config.ui.language).toBe('sv');
  }, 30_000);

  it('finding 4: a masked address for another host or port is refused and that server receives nothing', async () => {
    const password = 'never-elsewhere-4711';
    app = await start(password);
    const a = app;
    const trap = await listener();
    try {
      const before = readConfigFile(a);
      for (const url of [`redis://:****@127.0.0.1:${trap.port}`, `redis://:****@localhost:${redis?.port}`, `rediss://:****@127.0.0.1:${redis?.port}`]) {
        const res = await put(a, { redis: { url } });
        expect(res.status, url).toBe(400);
        expect(res.body.errors, url).toEqual([expect.objectContaining({ path: 'redis.url', code: 'retypePassword', message: expect.stringMatching(/type the password again/) })]);
      }
      await new Promise((r) => setTimeout(r, 300));
      expect(trap.connections()).toBe(0);
      expect(trap.received()).not.toContain(password);
      expect(readConfigFile(a)).toBe(before);
      expect(a.core.snapshot().connection.subscribed).toBe(true);
      // Typing the password for the other server is allowed: the password then goes where the user said.
      const typed = await put(a, { redis: { url: `redis://:typed-for-trap@127.0.0.1:${trap.port}` } });
      expect(typed.status).toBe(200);
      await waitUntil(() => trap.received().includes('typed-for-trap'), 5000, 'AUTH with the typed password');
      expect(trap.received()).not.toContain(password);
    } finally {
      await trap.close();
    }
  }, 30_000);

  it('finding 5: the masked address written back keeps the password; later Redis changes still log in; **** is never stored', async () => {
    app = await start('keep-me-5150');
    const a = app;
    const masked = a.core.snapshot().config.redis.url;
    expect(masked).toBe(`redis://:****@127.0.0.1:${redis?.port}`);
    const same = await put(a, { redis: { url: masked } });
    expect(same.status).toBe(200);
    // Any later change that reconnects must log in with the real password, not "****".
    const since = a.core.snapshot().connection.stateSince;
    expect((await put(a, { redis: { sentinelMasterName: 'reconnect-please' } })).status).toBe(200);
    await waitUntil(() => a.core.snapshot().connection.stateSince !== since && a.core.snapshot().connection.subscribed, 8000, 'subscribed again after the reconnect');
    const db = await put(a, { redis: { url: `redis://:****@127.0.0.1:${redis?.port}/3` } });
    expect(db.status).toBe(200);
    await waitUntil(() => a.core.snapshot().connection.subscribed, 8000, 'subscribed on db 3');
    expect(a.core.snapshot().connection.reason ?? '').not.toMatch(/auth/i);
    expect(readConfigFile(a)).not.toContain('****');
    expect((await loadConfig({}, a.dataDir)).config.redis.url).toBe(`redis://:keep-me-5150@127.0.0.1:${redis?.port}/3`);
  }, 30_000);

  it('finding 6: a password with @ is masked whole in /redis-config, /api/config, /api/state and the log', async () => {
    app = await start('Part1@Part2-tail');
    const a = app;
    const bodies: string[] = [];
    for (const route of ['/redis-config', '/api/config', '/api/state', '/redis-status']) bodies.push((await (await fetch(`${a.baseUrl}${route}`)).text()));
    bodies.push(JSON.stringify((await put(a, { redis: { url: `redis://:Part1%40Part2-tail@127.0.0.1:${redis?.port}/99` } })).body));
    const all = [...bodies, a.logLines.join('\n')].join('\n');
    expect(all).toContain('redis://:****@127.0.0.1');
    expect(all).not.toContain('Part2');
    expect(all).not.toContain('Part1');
  }, 30_000);

  it('issue 14 item 4: a field set by the environment is shown as such and a change to it is refused naming the variable', async () => {
    app = await start('env-fixed-pw', { REDIS_SYSTEM_ALERTS_CHANNEL: 'fogis:alerts:env', FOGIS_MONITOR_LANGUAGE: 'sv' });
    const a = app;
    const get = await getJson(`${a.baseUrl}/api/config`);
    expect(get.body.envFixed).toMatchObject({ 'redis.channels.systemAlerts': 'REDIS_SYSTEM_ALERTS_CHANNEL', 'ui.language': 'FOGIS_MONITOR_LANGUAGE' });
    expect(a.core.snapshot().envFixed).toEqual(get.body.envFixed);
    const before = readConfigFile(a);
    const res = await put(a, { redis: { channels: { systemAlerts: 'fogis:alerts:dashboard' } }, calendar: { keepCancelled: true } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'redis.channels.systemAlerts', code: 'envFixed', variable: 'REDIS_SYSTEM_ALERTS_CHANNEL', message: expect.stringContaining('REDIS_SYSTEM_ALERTS_CHANNEL') })]);
    expect(readConfigFile(a)).toBe(before);
    expect(a.core.snapshot().config.calendar.keepCancelled).toBe(false);
    // The same value (a client sending the whole config back) is accepted and not written.
    const same = await put(a, { ui: { language: 'sv' }, calendar: { keepCancelled: true } });
    expect(same.status).toBe(200);
    expect(JSON.parse(readConfigFile(a) ?? '{}').ui).toBeUndefined();
  }, 30_000);
});

const built = existsSync(path.join(REPO_ROOT, 'dist', 'headless.js'));

describe.skipIf(!built)('headless start with an invalid config.json', () => {
  it('exits with status 2 naming the field, in plain words, with the password masked (no crash loop)', async () => {
    const dataDir = tempDir();
    writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ redis: { url: 'redis://:Sec@ret@h:6379/99' }, calendar: { timeZone: 'Europe/Stokholm', backend: 'outlook' } }));
    const app = await startHeadless({ dataDir, waitFor: null });
    const { code } = await app.exited;
    expect(code).toBe(2);
    const out = app.output();
    expect(out).toMatch(/calendar\.timeZone = "Europe\/Stokholm": is not a known time zone/);
    expect(out).toMatch(/calendar\.backend = "outlook": must be one of ics, google/);
    expect(out).toMatch(/redis\.url = "redis:\/\/:\*\*\*\*@h:6379\/99": has an invalid database/);
    expect(out).not.toMatch(/Invalid option|expected one of|ret@h/);
  }, 20_000);
});
