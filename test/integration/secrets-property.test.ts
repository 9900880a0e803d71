import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_REDIS_ENV, getJson, startCore, tempDir, waitUntil, type TestCore } from '../harness/app';
import { liveFixture, publishLines } from '../harness/fixture';
import { freePort, startRedis, type TestRedis } from '../harness/redis-server';

/**
 * Issue 9 "Secrets": for random Redis passwords made of every printable ASCII character
 * (`@ : / % # ?` and space included, percent-encoded in the address as a user has to), the
 * app really logs in with the password, and no HTTP response, no live-stream frame
 * (`/api/events`), no log line and no file in the data directory other than config.json
 * contains it: raw, percent-encoded, as the URL parser writes it, or escaped inside JSON.
 */

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
const RUNS = Number(process.env.SECRETS_PROPERTY_RUNS ?? 25);

/** Every form in which a leak of `pw` could appear. */
function forms(pw: string): string[] {
  const enc = encodeURIComponent(pw);
  return [...new Set([pw, enc, new URL(`redis://:${enc}@h`).password, JSON.stringify(pw).slice(1, -1), JSON.stringify(enc).slice(1, -1)])];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('no secret leaves the app: property over random passwords', () => {
  let redis: TestRedis;
  let admin: Redis;
  let app: TestCore;
  let closedPort: number;
  const frames: string[] = [];
  const stream = new AbortController();

  beforeAll(async () => {
    redis = await startRedis({ args: ['--requirepass', 'initial-pass-0000'] });
    admin = new Redis(`redis://:initial-pass-0000@127.0.0.1:${redis.port}`, { lazyConnect: true });
    await admin.connect();
    closedPort = await freePort();
    const dataDir = tempDir();
    writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ redis: { url: `redis://:initial-pass-0000@127.0.0.1:${redis.port}` } }));
    app = await startCore({ ...FAST_REDIS_ENV }, dataDir);
    await waitUntil(() => app.core.snapshot().connection.subscribed, 8000, 'subscribed');
    // The live stream, read for the whole run.
    const res = await fetch(`${app.baseUrl}/api/events`, { headers: app.authHeaders(), signal: stream.signal });
    expect(res.status).toBe(200);
    void (async () => {
      const reader = res.body!.getReader();
      const dec = new TextDecoder();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          frames.push(dec.decode(value, { stream: true }));
        }
      } catch {
        // Aborted at the end.
      }
    })();
  });
  afterAll(async () => {
    stream.abort();
    admin?.disconnect();
    await app?.stop();
    await redis?.stop();
  });

  it(`${RUNS} random passwords: logged in with each, and none appears in any response, frame, log line or file`, async () => {
    const secrets: string[] = [];
    const responses: string[] = [];
    const json = app.authHeaders({ 'Content-Type': 'application/json' });
    const put = async (body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
      const r = await getJson(`${app.baseUrl}/api/config`, { method: 'PUT', headers: json, body: JSON.stringify(body) });
      responses.push(JSON.stringify(r.body));
      return r;
    };
    const update = liveFixture().find((l) => l.channel === 'fogis:matches:updates');
    if (!update) throw new Error('fixture missing');

    await fc.assert(
      fc.asyncProperty(
        // At least one of the characters that break naive URL handling, and long enough
        // that finding it in a response by chance is impossible.
        fc.tuple(fc.string({ unit: fc.constantFrom(...PRINTABLE), minLength: 8, maxLength: 32 }), fc.constantFrom('@', ':', '/', '%', '#', '?', ' ', '"', '\\', '@@')).map(([s, special]) => `${s.slice(0, 4)}${special}${s.slice(4)}`)
          .filter((pw) => new Set(pw).size >= 6),
        async (pw) => {
          secrets.push(pw);
          const enc = encodeURIComponent(pw);
          await admin.call('CONFIG', 'SET', 'requirepass', pw);
          const url = `redis://:${enc}@127.0.0.1:${redis.port}`;
          const since = app.core.snapshot().connection.stateSince;
          expect((await put({ redis: { url } })).status).toBe(200);
          // Really logged in with it: subscribed again after the reconnect.
          await waitUntil(() => app.core.snapshot().connection.stateSince !== since && app.core.snapshot().connection.subscribed, 8000, 'subscribed with the new password');
          // The masked address sent back: same server (kept), another port (refused), another db (kept).
          expect((await put({ redis: { url: `redis://:****@127.0.0.1:${redis.port}` } })).status).toBe(200);
          expect((await put({ redis: { url: `redis://:****@127.0.0.1:${closedPort}` } })).status).toBe(400);
          // Invalid addresses carrying the password: their error messages show it masked.
          expect((await put({ redis: { url: `${url}/99` } })).status).toBe(400);
          expect((await put({ redis: { url: `http://:${enc}@127.0.0.1:${redis.port}` } })).status).toBe(400);
          expect((await put({ redis: { url: `redis://:${pw}@127.0.0.1:${redis.port}` } })).status).toBeLessThan(500);
          // Whatever the last step did, back to the right address with the password typed.
          const back = await put({ redis: { url } });
          expect(back.status).toBe(200);
          await waitUntil(() => app.core.snapshot().connection.subscribed, 8000, 'subscribed');
          await publishLines(`redis://:${enc}@127.0.0.1:${redis.port}`, [update]);
          for (const route of ['/redis-config', '/api/config', '/api/state', '/redis-status', '/redis-stats', '/health', '/api/messages', '/api/contacts']) {
            responses.push(await (await fetch(`${app.baseUrl}${route}`, { headers: app.authHeaders() })).text());
          }
          const test = await getJson(`${app.baseUrl}/redis-test`, { method: 'POST', headers: json, body: '{}' });
          responses.push(JSON.stringify(test.body));
        },
      ),
      { numRuns: RUNS, seed: 9_2026 },
    );
    // Let the last pushes and the state writer run, then stop (flushes state.json).
    await new Promise((r) => setTimeout(r, 300));
    const files = filesUnder(app.dataDir).filter((f) => path.basename(f) !== 'config.json');
    await app.stop();
    const fileText = files.map((f) => `${f}\n${readFileSync(f, 'latin1')}`);
    expect(frames.join('').length).toBeGreaterThan(1000);
    expect(app.logLines.length).toBeGreaterThan(RUNS);
    const haystacks: Array<[string, string]> = [
      ['HTTP responses', responses.join('\n')],
      ['live-stream frames', frames.join('')],
      ['log lines', app.logLines.join('\n')],
      ...fileText.map((t): [string, string] => [`file ${t.split('\n', 1)[0]}`, t]),
    ];
    for (const pw of secrets) {
      for (const form of forms(pw)) {
        for (const [where, text] of haystacks) expect(text.includes(form), `${where} contain the password ${JSON.stringify(pw)} as ${JSON.stringify(form)}`).toBe(false);
      }
    }
    // config.json holds the last one (it is where the password lives), mode 0600.
    const cfg = path.join(app.dataDir, 'config.json');
    expect(readFileSync(cfg, 'utf8')).toContain(encodeURIComponent(secrets.at(-1) ?? ''));
    expect(statSync(cfg).mode & 0o777).toBe(0o600);
  }, 180_000);
});
