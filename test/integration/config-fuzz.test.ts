import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../electron/core/config/load-config';
import { maskConfig } from '../../shared/config';
import { REPO_ROOT, startHeadless, tempDir, waitUntil, type HeadlessProcess } from '../harness/app';
import { liveFixture, publishLines } from '../harness/fixture';
import { freePort, startRedis, type TestRedis } from '../harness/redis-server';

/**
 * Issue 9: at least 10,000 random configuration patches (valid, invalid, masked, hostile)
 * through `PUT /api/config` against ONE running headless app with a real redis-server. The
 * app never exits and never answers 500; config.json is always valid and loads to exactly the
 * configuration the app runs; a refused patch changes nothing (memory or disk); every few
 * hundred patches a match list is published and handled; at the end the app subscribes again.
 */

const RUNS = Number(process.env.CONFIG_FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.CONFIG_FUZZ_SEED ?? 20261130);
const PW = 'fuzz-Pa@ss:w/rd';
const PW_ENC = encodeURIComponent(PW);
const RAW_ZOD = /Invalid (input|option)|expected one of|Unrecognized key|Too (big|small):/;

const built = existsSync(path.join(REPO_ROOT, 'dist', 'headless.js'));

/** Fields the environment fixes in this run: their changes must be refused, naming the variable. */
const ENV = {
  MONITOR_HTTP_HOST: '127.0.0.1',
  CALENDAR_BACKEND: 'ics',
  CONTACTS_GOOGLE_SYNC: 'false',
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function patchArbitrary(realPort: number, closedPort: number): fc.Arbitrary<string> {
  const ctrl = fc.constantFrom('\u0000', '\u0007', '\u000b', '\u000c', '\u001b', '\u007f', '\u0085', '\u202e', '\u2028', '\n', '\t');
  const hostileScalar: fc.Arbitrary<Json> = fc.oneof(
    fc.constantFrom<Json>(null, true, false, 'NaN', 'Infinity', '-Infinity', '1e999', '', ' ', '0x10', '5', '__proto__', [], {}, [1, 2], { a: 1 }),
    fc.constantFrom<Json>(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -1, 0, 0.5, 1.5, 2 ** 31, -(2 ** 53)),
    fc.string({ maxLength: 30 }),
    ctrl.map((c) => `x${c}y`),
    fc.constant('x'.repeat(5000)),
  );
  const int = (min: number, max: number): fc.Arbitrary<Json> => fc.oneof({ weight: 3, arbitrary: fc.integer({ min, max }) }, { weight: 1, arbitrary: fc.constantFrom(min - 1, max + 1, min + 0.5) }, { weight: 1, arbitrary: hostileScalar });
  const pick = <T extends Json>(valid: readonly T[], invalid: readonly Json[]): fc.Arbitrary<Json> =>
    fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: fc.constantFrom(...invalid) }, { weight: 1, arbitrary: hostileScalar });
  const bool = pick([true, false], ['true', 1, 0, 'yes', null]);
  const channel = pick(['fogis:matches:updates', 'fogis:processor:status', 'fogis:system:alerts', 'fuzz:a', 'fuzz:b', 'fuzz:c'], ['', ' ', 'a b', 'a*', 'x?', '[x]', 'a\u0000b', 'c'.repeat(300)]);
  const db = fc.integer({ min: 0, max: 15 });
  const url: fc.Arbitrary<Json> = fc.oneof(
    { weight: 3, arbitrary: db.map((d) => `redis://:${PW_ENC}@127.0.0.1:${realPort}/${d}`) },
    { weight: 2, arbitrary: db.map((d) => `redis://:****@127.0.0.1:${realPort}/${d}`) },
    { weight: 1, arbitrary: fc.constant(`redis://127.0.0.1:${closedPort}`) },
    {
      weight: 3,
      arbitrary: fc.constantFrom<Json>(
        `redis://:****@127.0.0.1:${closedPort}`, 'redis://:****@evil.example:6379', `rediss://:****@127.0.0.1:${realPort}`, `redis://user:****@127.0.0.1:${realPort}`,
        'http://x:6379', 'redis://h:0', 'redis://h:70000', 'redis://h/16', 'redis://h/x', 'redis://h?password=x', 'redis://h#f', 'redis://:p%zz@h',
        'redis://ho st:1', 'redis://', '', `redis://:a\u0000b@127.0.0.1:${realPort}`, `redis://${'h'.repeat(3000)}`,
      ),
    },
    { weight: 1, arbitrary: hostileScalar },
  );
  const zone = pick(['Europe/Stockholm', 'UTC', 'America/New_York', 'Asia/Tokyo', 'Europe/London'], ['Europe/Stokholm', 'europe/stockholm', '+01:00', 'Mars/Base', 'Europe/Stockholm\u0000', 'Etc/GMT+99']);
  const sentinels = fc.oneof(
    fc.constant<Json>([]),
    fc.array(fc.record({ host: pick(['127.0.0.1', 'localhost', 's1.example'], ['bad host', '', 'a\u0000b']), port: int(1, 65535) }), { maxLength: 3 }) as fc.Arbitrary<Json>,
    hostileScalar,
  );
  // [group, key, value]; a patch takes a few of them.
  const entries: fc.Arbitrary<[string, string, Json]>[] = [
    url.map((v) => ['redis', 'url', v]),
    bool.map((v) => ['redis', 'enabled', v]),
    fc.record({ matchUpdates: channel, processorStatus: channel, systemAlerts: channel }, { requiredKeys: [] }).map((v) => ['redis', 'channels', v as Json]),
    int(50, 60_000).map((v) => ['redis', 'backoffInitialMs', v]),
    int(500, 600_000).map((v) => ['redis', 'backoffMaxMs', v]),
    int(200, 120_000).map((v) => ['redis', 'pingIntervalMs', v]),
    int(200, 120_000).map((v) => ['redis', 'pingTimeoutMs', v]),
    int(200, 120_000).map((v) => ['redis', 'connectTimeoutMs', v]),
    int(1024, 512 * 1024 * 1024).map((v) => ['redis', 'maxMessageBytes', v]),
    pick(['', '/nonexistent/ca.pem'], ['a\u0000b', 7]).map((v) => ['redis', 'tlsCaFile', v]),
    sentinels.map((v) => ['redis', 'sentinels', v]),
    pick(['mymaster', 'fuzz-master'], ['', 'a b', 'x\u0007']).map((v) => ['redis', 'sentinelMasterName', v]),
    pick(['127.0.0.1', 'localhost', '::1', '0.0.0.0'], ['', 'bad host', 'h\u0000']).map((v) => ['http', 'host', v]),
    int(0, 65535).map((v) => ['http', 'port', v]),
    int(64 * 1024, 256 * 1024 * 1024).map((v) => ['http', 'maxBodyBytes', v]),
    bool.map((v) => ['http', 'openManualSync', v]),
    pick(['ics', 'google'], ['outlook', 'ICS', '']).map((v) => ['calendar', 'backend', v]),
    pick(['primary', 'abc@group.calendar.google.com'], ['', 'a b', 'x\u0000']).map((v) => ['calendar', 'calendarId', v]),
    pick(['FOGIS_CALENDAR_SYNC', 'fuzz.tag:1'], ['', 'a b', 'ta\u0000g', 'x'.repeat(65)]).map((v) => ['calendar', 'syncTag', v]),
    int(15, 600).map((v) => ['calendar', 'matchDurationMinutes', v]),
    bool.map((v) => ['calendar', 'keepCancelled', v]),
    fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(-0.1, 1.1, 2), hostileScalar).map((v) => ['calendar', 'maxDeleteFraction', v as Json]),
    zone.map((v) => ['calendar', 'timeZone', v]),
    pick(['auto', 'sv', 'en'], ['de', 'SV', 1]).map((v) => ['ui', 'language', v]),
    pick(['info', 'warning', 'error'], ['debug', 'critical']).map((v) => ['ui', 'notifyMinSeverity', v]),
    bool.map((v) => ['ui', 'startAtLogin', v]),
    pick(['', '12345', 'AB-12'], ['12 345', 'x'.repeat(40), '1\u00002']).map((v) => ['contacts', 'ownRefereeNumber', v]),
    bool.map((v) => ['contacts', 'googleSync', v]),
    int(10, 100_000).map((v) => ['limits', 'messageLog', v]),
    int(10, 10_000).map((v) => ['limits', 'rejectedLog', v]),
    int(10, 10_000).map((v) => ['limits', 'alertLog', v]),
    int(10, 1_000_000).map((v) => ['limits', 'duplicateWindow', v]),
    int(10, 100_000).map((v) => ['limits', 'changeHistory', v]),
    fc.tuple(fc.constantFrom('redis', 'ui', 'calendar', 'nope', 'limits'), fc.constantFrom('urll', 'timezone', 'x', 'constructor', 'prototype')).map(([g, k]) => [g, k, 1]),
  ];
  const structured = fc.array(fc.oneof(...entries), { minLength: 1, maxLength: 4 }).map((list) => {
    const body: Record<string, Record<string, Json>> = {};
    for (const [g, k, v] of list) (body[g] ??= {})[k] = v;
    return JSON.stringify(body);
  });
  const hostileBody = fc.oneof(
    fc.constantFrom('null', '[]', '"str"', '42', 'true', '{}', '{', 'nul', '{"redis":', '{"redis":null}', '{"redis":[]}', '{"ui":"sv"}'),
    fc.constantFrom('{"__proto__":{"polluted":"yes"}}', '{"ui":{"__proto__":{"language":"sv"}}}', '{"constructor":{"prototype":{"x":1}}}', '{"redis":{"channels":{"__proto__":{"matchUpdates":"x"}}}}'),
    fc.integer({ min: 2, max: 2000 }).map((d) => `${'{"ui":'.repeat(d)}1${'}'.repeat(d)}`),
    fc.integer({ min: 2, max: 500 }).map((d) => `{"redis":{"sentinels":${'['.repeat(d)}${']'.repeat(d)}}}`),
    fc.json({ maxDepth: 4 }),
  );
  return fc.oneof({ weight: 8, arbitrary: structured }, { weight: 2, arbitrary: hostileBody });
}

describe.skipIf(!built)(`configuration fuzz: ${RUNS} patches through PUT /api/config against one running app`, () => {
  let redis: TestRedis;
  let app: HeadlessProcess;
  let closedPort: number;
  const realUrl = (): string => `redis://:${PW_ENC}@127.0.0.1:${redis.port}`;

  beforeAll(async () => {
    redis = await startRedis({ args: ['--requirepass', PW] });
    closedPort = await freePort();
    // On tmpfs where there is one: every accepted patch is an fsync'd atomic write, and the
    // disk's fsync time would dominate the run without testing anything more.
    const dataDir = existsSync('/dev/shm') ? mkdtempSync(path.join('/dev/shm', 'fogis-cfgfuzz-')) : tempDir('fogis-cfgfuzz-');
    writeFileSync(
      path.join(dataDir, 'config.json'),
      JSON.stringify({ redis: { url: realUrl(), backoffInitialMs: 100, backoffMaxMs: 1000, pingIntervalMs: 1000, pingTimeoutMs: 1000, connectTimeoutMs: 2000 } }),
      { mode: 0o600 },
    );
    app = await startHeadless({ env: ENV, dataDir, timeoutMs: 20_000 });
  });
  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
    if (app) rmSync(app.dataDir, { recursive: true, force: true });
  });

  const status = async (): Promise<{ subscribed: boolean }> => (await (await fetch(`${app.baseUrl}/redis-status`)).json() as { redis_status: { subscribed: boolean } }).redis_status;
  const put = async (body: string): Promise<{ status: number; json: Record<string, unknown> | null; text: string }> => {
    const res = await fetch(`${app.baseUrl}/api/config`, { method: 'PUT', headers: app.authHeaders({ 'Content-Type': 'application/json' }), body });
    const text = await res.text();
    let json: Record<string, unknown> | null = null;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = null;
    }
    return { status: res.status, json, text };
  };
  const getConfig = async (): Promise<string> => JSON.stringify(((await (await fetch(`${app.baseUrl}/api/config`)).json()) as { config: unknown }).config);
  const restore = async (): Promise<void> => {
    const r = await put(JSON.stringify({
      redis: { url: realUrl(), enabled: true, sentinels: [], tlsCaFile: '', channels: { matchUpdates: 'fogis:matches:updates', processorStatus: 'fogis:processor:status', systemAlerts: 'fogis:system:alerts' }, backoffInitialMs: 100, backoffMaxMs: 1000, connectTimeoutMs: 2000, maxMessageBytes: 16 * 1024 * 1024 },
      http: { maxBodyBytes: 32 * 1024 * 1024 },
    }));
    expect(r.status, r.text).toBe(200);
    await waitUntil(async () => (await status()).subscribed, 15_000, 'subscribed after restoring the Redis settings');
  };

  it('never exits, never 500, config.json always loads to the running config, a refused patch changes nothing, subscribed at the end', async () => {
    const env = { ...ENV, FOGIS_MONITOR_DATA_DIR: app.dataDir, MONITOR_HTTP_PORT: String(app.port) };
    const file = path.join(app.dataDir, 'config.json');
    const list = liveFixture().filter((l) => l.channel === 'fogis:matches:updates');
    const patches = fc.sample(patchArbitrary(redis.port, closedPort), { numRuns: RUNS, seed: SEED });
    let expected = await getConfig();
    let bytes = readFileSync(file, 'utf8');
    const tally = { accepted: 0, refused: 0, tooLarge: 0, listsHandled: 0, envRefusals: 0, retype: 0 };
    const t0 = Date.now();
    const timing = { ok: 0, no: 0 };
    for (const [i, body] of patches.entries()) {
      const where = `patch #${i} (seed ${SEED}): ${body.slice(0, 300)}`;
      const tp = performance.now();
      const r = await put(body);
      timing[r.status === 200 ? 'ok' : 'no'] += performance.now() - tp;
      expect([200, 400, 413], `${where} → ${r.status} ${r.text.slice(0, 300)}`).toContain(r.status);
      expect(app.child.exitCode, where).toBeNull();
      if (r.status === 200) {
        tally.accepted++;
        expected = JSON.stringify((r.json as { config: unknown }).config);
        bytes = readFileSync(file, 'utf8');
        expect(bytes, where).not.toContain(':****@');
        // What runs is what the next start loads.
        const loaded = await loadConfig(env, app.dataDir);
        expect(JSON.stringify(maskConfig(loaded.config)), where).toBe(expected);
      } else {
        if (r.status === 413) tally.tooLarge++;
        else tally.refused++;
        const errors = (r.json?.errors ?? []) as Array<{ message: string; code?: string }>;
        if (r.status === 400) {
          // A refusal says why: per field, or for the body as a whole (not JSON, nested too deep).
          const why = [...errors.map((e) => e.message), ...(typeof r.json?.error === 'string' ? [r.json.error] : [])];
          expect(why.length, `${where}: a refusal says why`).toBeGreaterThan(0);
          for (const m of why) expect(m, where).not.toMatch(RAW_ZOD);
          if (errors.some((e) => e.code === 'envFixed')) tally.envRefusals++;
          if (errors.some((e) => e.code === 'retypePassword')) tally.retype++;
        }
        expect(readFileSync(file, 'utf8'), `${where}: config.json changed by a refused patch`).toBe(bytes);
        expect(await getConfig(), `${where}: the running config changed by a refused patch`).toBe(expected);
      }
      expect(r.text, where).not.toContain(PW);
      expect(r.text, where).not.toContain(PW_ENC);
      if ((i + 1) % 1000 === 0) {
        // A match list on the way: whatever the settings were (a time zone above all), it is handled.
        await restore();
        expected = await getConfig();
        bytes = readFileSync(file, 'utf8');
        const before = ((await (await fetch(`${app.baseUrl}/redis-stats`)).json()) as { stats: { messages_processed: number } }).stats.messages_processed;
        // A new message id each time, or the duplicate filter would rightly skip it.
        const last = list.at(-1)!;
        await publishLines(realUrl(), [{ ...last, raw: last.raw.replace(/"message_id": "[^"]+"/, `"message_id": "${randomUUID()}"`) }]);
        await waitUntil(async () => ((await (await fetch(`${app.baseUrl}/redis-stats`)).json()) as { stats: { messages_processed: number } }).stats.messages_processed > before, 10_000, `list after patch #${i}`);
        tally.listsHandled++;
      }
    }
    await restore();
    expect((await status()).subscribed).toBe(true);
    expect(app.child.exitCode).toBeNull();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(app.output()).not.toMatch(/unhandled|uncaught|RangeError/i);
    expect(app.output()).not.toContain(PW);
    const secs = (Date.now() - t0) / 1000;
    console.log(`[config fuzz] ${RUNS} patches in ${secs.toFixed(1)} s: ${JSON.stringify(tally)} ${JSON.stringify(timing)}`);
    // The mix must exercise both sides, or the oracle proves nothing.
    expect(tally.accepted).toBeGreaterThan(RUNS / 10);
    expect(tally.refused).toBeGreaterThan(RUNS / 3);
    expect(tally.envRefusals).toBeGreaterThan(0);
    expect(tally.retype).toBeGreaterThan(0);
  }, 240_000);
});
