import { request } from 'node:http';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startCore, FAST_REDIS_ENV, waitUntil, type TestCore } from '../harness/app';
import { liveFixture, publishLines } from '../harness/fixture';
import { startRedis, type TestRedis } from '../harness/redis-server';

/** Raw request, so tests control Host/Origin headers exactly (fetch would not let us). */
function raw(port: number, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers, setHost: !opts.headers?.Host }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

const matchUpdate = JSON.parse(liveFixture().find((l) => l.channel === 'fogis:matches:updates')?.raw ?? '{}') as { payload: { matches: unknown[] } };

describe('local monitoring server: seed routes with exact keys and codes (spec §4)', () => {
  let redis: TestRedis;
  let app: TestCore;
  let port: number;
  const json = { 'Content-Type': 'application/json' };

  beforeAll(async () => {
    redis = await startRedis({ args: ['--requirepass', 'pw-0123456789'] });
    app = await startCore({ REDIS_URL: `redis://:pw-0123456789@127.0.0.1:${redis.port}/0`, ...FAST_REDIS_ENV });
    port = Number(new URL(app.baseUrl).port);
    await waitUntil(() => app.core.snapshot().connection.subscribed, 5000, 'subscribed');
  });
  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
  });

  it('GET /redis-status: the four original keys plus honest state', async () => {
    const { status, body } = await getJson(`${app.baseUrl}/redis-status`);
    expect(status).toBe(200);
    expect(body.success).toBe(true);
    expect(typeof body.timestamp).toBe('string');
    expect(body.redis_status).toMatchObject({ enabled: true, connected: true, subscribed: true, redis_available: true, state: 'subscribed', reason: null, possibly_stale: false, stale_since: null });
    expect(typeof (body.redis_status as Record<string, unknown>).state_since).toBe('string');
  });

  it('GET /redis-stats: subscription_active, channels and the counters', async () => {
    const { status, body } = await getJson(`${app.baseUrl}/redis-stats`);
    expect(status).toBe(200);
    const stats = body.stats as Record<string, unknown>;
    expect(stats.subscription_active).toBe(true);
    expect(stats.channels).toEqual(['fogis:matches:updates', 'fogis:processor:status', 'fogis:system:alerts']);
    for (const k of ['messages_received', 'messages_processed', 'errors', 'reconnect_count', 'duplicates', 'by_type', 'by_channel', 'rejected_by_reason', 'last_message_time']) expect(stats).toHaveProperty(k);
    // Seconds since the app started (read without building a snapshot).
    expect(stats.uptime).toEqual(expect.any(Number));
    expect(stats.uptime as number).toBeGreaterThanOrEqual(0);
  });

  it('POST /redis-test: a real PING and a pub/sub round trip', async () => {
    const { status, body } = await getJson(`${app.baseUrl}/redis-test`, { method: 'POST' });
    expect(status).toBe(200);
    expect(body.success).toBe(true);
    const r = body.test_results as Record<string, unknown>;
    expect(r.ping_ms).toBeGreaterThan(0);
    expect(r.pubsub_roundtrip_ms).toBeGreaterThan(0);
    expect(r).toMatchObject({ enabled: true, connected: true, subscribed: true, redis_available: true });
  });

  it('GET /redis-config masks the password', async () => {
    const { status, body } = await getJson(`${app.baseUrl}/redis-config`);
    expect(status).toBe(200);
    const cfg = body.config as Record<string, unknown>;
    expect(cfg.url).toBe(`redis://:****@127.0.0.1:${redis.port}/0`);
    expect(cfg.channels).toEqual({ match_updates: 'fogis:matches:updates', processor_status: 'fogis:processor:status', system_alerts: 'fogis:system:alerts' });
    expect(JSON.stringify(body)).not.toContain('pw-0123456789');
  });

  it('no response anywhere carries the Redis password or the access token', async () => {
    const token = readFileSync(path.join(app.dataDir, 'http-token'), 'utf8').trim();
    for (const p of ['/redis-status', '/redis-stats', '/redis-config', '/api/state', '/api/config', '/health', '/api/messages']) {
      const r = await raw(port, { path: p });
      expect(r.body, p).not.toContain('pw-0123456789');
      expect(r.body, p).not.toContain(token);
    }
  });

  it('POST /manual-sync: the 400 cases of the original', async () => {
    const post = (body: string | undefined, headers: Record<string, string> = app.authHeaders(json)) => raw(port, { method: 'POST', path: '/manual-sync', headers, body });
    for (const b of [undefined, '{}', '[]', 'null']) {
      const r = await post(b);
      expect(r.status, String(b)).toBe(400);
      expect(JSON.parse(r.body)).toEqual({ success: false, error: 'Missing JSON data in request' });
    }
    for (const b of ['{"foo":1}', '[1,2]']) {
      const r = await post(b);
      expect(r.status, b).toBe(400);
      expect(JSON.parse(r.body)).toEqual({ success: false, error: "Missing 'matches' in request data" });
    }
    const notJson = await post('{nope');
    expect(notJson.status).toBe(400);
    const bad = await post(JSON.stringify({ matches: [{ matchid: 1 }] }));
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error).toMatch(/^matches\[0\]/);
  });

  it('POST /manual-sync with FOGIS matches: 200 with matches_processed, list and dict form', async () => {
    const r = await raw(port, { method: 'POST', path: '/manual-sync', headers: app.authHeaders(json), body: JSON.stringify({ matches: matchUpdate.payload.matches }) });
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body);
    expect(body).toMatchObject({ success: true, matches_processed: 3 });
    expect(typeof body.timestamp).toBe('string');
    const dict = await raw(port, { method: 'POST', path: '/manual-sync', headers: app.authHeaders(json), body: JSON.stringify({ matches: matchUpdate.payload.matches.slice(0, 1), schema_version: '2.0', detailed_changes: [], high_priority: false }) });
    expect(dict.status).toBe(200);
    expect(JSON.parse(dict.body).matches_processed).toBe(1);
  });

  it('POST /redis-restart: 200 and the counters survive', async () => {
    const before = app.core.snapshot().counters.messages_received;
    const r = await getJson(`${app.baseUrl}/redis-restart`, { method: 'POST' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ success: true, message: 'Redis subscription restarted' });
    expect(app.core.snapshot().counters.messages_received).toBe(before);
    expect(app.core.snapshot().connection.subscribed).toBe(true);
  });

  it('GET /health: the one status with its parts', async () => {
    // A restart drops the subscription for a moment: a gap, so the match list is possibly
    // out of date until the next full list (issue 14.3), and /health says so.
    expect((await getJson(`${app.baseUrl}/redis-restart`, { method: 'POST' })).status).toBe(200);
    const before = await getJson(`${app.baseUrl}/health`);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ status: 'degraded', level: 'warn', redis_state: 'subscribed', demo: false, parts: { redis: { level: 'ok' }, staleness: { level: 'warn' } } });
    expect((before.body.parts as { staleness: { reasons: Array<{ code: string; text: string }> } }).staleness.reasons[0]?.text).toMatch(/^match list possibly out of date since /);
    const full = liveFixture().find((l) => l.channel === 'fogis:matches:updates')!;
    await publishLines(`redis://:pw-0123456789@127.0.0.1:${redis.port}/0`, [{ ...full, raw: full.raw.replace(/"message_id": "[^"]+"/, '"message_id": "health-list"') }]);
    await waitUntil(() => !app.core.snapshot().connection.possiblyStale, 5000, 'fresh list');
    const { status, body } = await getJson(`${app.baseUrl}/health`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'healthy', level: 'ok', summary: 'everything is working', parts: { processor: { level: 'ok' }, calendar: { level: 'ok' }, staleness: { level: 'ok', reasons: [] } } });
    expect(Object.keys(body)).toEqual(expect.arrayContaining(['status', 'version', 'redis_state', 'uptime', 'timestamp']));
  });

  it('unknown route 404, wrong method 405 with Allow', async () => {
    const nf = await raw(port, { path: '/nope' });
    expect(nf.status).toBe(404);
    expect(JSON.parse(nf.body).success).toBe(false);
    const wm = await raw(port, { method: 'DELETE', path: '/redis-status', headers: app.authHeaders() });
    expect(wm.status).toBe(405);
    expect(wm.headers.allow).toBe('GET, HEAD');
    const wm2 = await raw(port, { method: 'GET', path: '/manual-sync' });
    expect(wm2.status).toBe(405);
    expect(wm2.headers.allow).toBe('POST');
  });

  it('rejects DNS-rebinding Host headers with 403', async () => {
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1.nip.io:${port}`, 'localhost:1']) {
      const r = await raw(port, { path: '/redis-status', headers: { Host: host } });
      expect(r.status, host).toBe(403);
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, 'localhost', `LOCALHOST.:${port}`]) {
      const r = await raw(port, { path: '/redis-status', headers: { Host: host } });
      expect(r.status, host).toBe(200);
    }
  });

  it('rejects a request without a Host header (HTTP/1.0)', async () => {
    const sock = connect(port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    let reply = '';
    sock.on('data', (d: Buffer) => (reply += d.toString()));
    sock.write('GET /redis-status HTTP/1.0\r\n\r\n');
    await new Promise<void>((r) => sock.once('close', () => r()));
    expect(reply).toMatch(/^HTTP\/1\.[01] 403/);
  });

  it('rejects cross-origin requests (a web page must not POST here)', async () => {
    const r = await raw(port, { method: 'POST', path: '/redis-restart', headers: { Origin: 'https://evil.example', 'Content-Type': 'application/json' }, body: '{}' });
    expect(r.status).toBe(403);
    const same = await raw(port, { method: 'GET', path: '/redis-status', headers: { Origin: `http://127.0.0.1:${port}` } });
    expect(same.status).toBe(200);
  });

  it('bodies need application/json and are size-capped', async () => {
    const form = await raw(port, { method: 'POST', path: '/manual-sync', headers: app.authHeaders({ 'Content-Type': 'application/x-www-form-urlencoded' }), body: 'matches=1' });
    expect(form.status).toBe(415);
    const text = await raw(port, { method: 'PUT', path: '/api/config', headers: app.authHeaders({ 'Content-Type': 'text/plain' }), body: '{}' });
    expect(text.status).toBe(415);
  });

  it('PUT /api/config: invalid → 400 with field errors and nothing changed; valid → applied live and saved', async () => {
    const bad = await getJson(`${app.baseUrl}/api/config`, { method: 'PUT', headers: app.authHeaders(json), body: JSON.stringify({ redis: { url: 'http://nope', backoffMaxMs: 1 } }) });
    expect(bad.status).toBe(400);
    const paths = (bad.body.errors as Array<{ path: string }>).map((e) => e.path).sort();
    expect(paths).toEqual(['redis.backoffMaxMs', 'redis.url']);
    expect(app.core.snapshot().config.redis.channels.systemAlerts).toBe('fogis:system:alerts');

    const unknown = await getJson(`${app.baseUrl}/api/config`, { method: 'PUT', headers: app.authHeaders(json), body: JSON.stringify({ nonsense: 1 }) });
    expect(unknown.status).toBe(400);

    const ok = await getJson(`${app.baseUrl}/api/config`, { method: 'PUT', headers: app.authHeaders(json), body: JSON.stringify({ redis: { channels: { systemAlerts: 'fogis:alerts:test' } } }) });
    expect(ok.status).toBe(200);
    expect(ok.body.applied).toEqual(['redis.channels.systemAlerts']);
    await waitUntil(() => app.core.snapshot().connection.channels.includes('fogis:alerts:test'), 3000, 'resubscribed');
    const saved = JSON.parse(readFileSync(path.join(app.dataDir, 'config.json'), 'utf8'));
    expect(saved.redis.channels.systemAlerts).toBe('fogis:alerts:test');
    const numsub = await import('ioredis').then(async ({ Redis }) => {
      const c = new Redis(`redis://:pw-0123456789@127.0.0.1:${redis.port}`);
      try {
        return (await c.call('PUBSUB', 'NUMSUB', 'fogis:alerts:test', 'fogis:system:alerts')) as Array<string | number>;
      } finally {
        c.disconnect();
      }
    });
    expect(numsub).toEqual(['fogis:alerts:test', 1, 'fogis:system:alerts', 0]);
  });

  it('SSE: a snapshot first, then coalesced events', async () => {
    const res = await fetch(`${app.baseUrl}/api/events`);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body?.getReader();
    if (!reader) throw new Error('no body');
    let text = '';
    while (!text.includes('"kind":"snapshot"')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
  });

  it('slow-loris: a client that never finishes its headers is cut off', async () => {
    const sock = connect(port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write('GET /redis-status HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const closed = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 25_000);
      sock.once('close', () => {
        clearTimeout(t);
        resolve(true);
      });
      sock.resume();
    });
    expect(closed).toBe(true);
  }, 30_000);
});

describe('bound beyond loopback', () => {
  it('needs the bearer token on every route but /health', async () => {
    const app = await startCore({ REDIS_PUBSUB_ENABLED: 'false', MONITOR_HTTP_HOST: '0.0.0.0' });
    try {
      const port = Number(new URL(app.baseUrl).port);
      const token = readFileSync(path.join(app.dataDir, 'http-token'), 'utf8').trim();
      expect(token.length).toBeGreaterThanOrEqual(32);
      const mode = (await import('node:fs')).statSync(path.join(app.dataDir, 'http-token')).mode & 0o777;
      expect(mode).toBe(0o600);
      expect((await raw(port, { path: '/health' })).status).toBe(200);
      expect((await raw(port, { path: '/redis-status' })).status).toBe(401);
      expect((await raw(port, { path: '/redis-status', headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
      const ok = await raw(port, { path: '/redis-status', headers: { Authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(JSON.parse(ok.body).redis_status).toMatchObject({ enabled: false, connected: false, subscribed: false, state: 'disabled' });
      const restart = await raw(port, { method: 'POST', path: '/redis-restart', headers: { Authorization: `Bearer ${token}` } });
      expect(restart.status).toBe(400);
      // The Python service's body, plus the code the dashboard says in the user's language (issue 14.1).
      expect(JSON.parse(restart.body)).toEqual({ success: false, message: 'Redis is disabled', errorCode: { key: 'fail.redisDisabled', params: {} } });
    } finally {
      await app.stop();
    }
  });

  it('a port already in use gives a clear message naming the setting', async () => {
    const first = await startCore({ REDIS_PUBSUB_ENABLED: 'false' });
    try {
      const port = new URL(first.baseUrl).port;
      await expect(startCore({ REDIS_PUBSUB_ENABLED: 'false', MONITOR_HTTP_PORT: port })).rejects.toThrow(new RegExp(`Port ${port} .*already in use.*MONITOR_HTTP_PORT`));
    } finally {
      await first.stop();
    }
  });
});
