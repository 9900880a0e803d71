import { request } from 'node:http';
import { connect } from 'node:net';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parseMessage, MAX_DEPTH } from '../electron/core/messages/parse-message';
import { matchUpdatesMessageSchema, processingStatusMessageSchema, systemAlertMessageSchema, REJECT_REASONS } from '../shared/messages';
import { startCore, tempDir, getJson, waitUntil, FAST_REDIS_ENV } from '../test/harness/app';
import { loadFixture } from '../test/harness/fixture';
import { startRedis } from '../test/harness/redis-server';
import { startFakeCalendarServer } from '../test/harness/fake-calendar-server';
import { TOKEN_SECRET_NAME } from '../electron/core/sync/google-auth';
import { CHANNELS, envelope, headless, KICKOFF_BASE_MS, ms, pidOf, publisher, redisStats, rssMb, rssSampler, scenario, sleep, tidAt, waitStatus, type Row } from './lib';

const GROUP = 'Hostile input';
const MAX_BYTES = 16 * 1024 * 1024;

// ---- property-based fuzzing of the parser --------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const SCHEMAS = { match_updates: matchUpdatesMessageSchema, processing_status: processingStatusMessageSchema, system_alert: systemAlertMessageSchema } as const;

/** Every path (objects and arrays, leaves included) in a JSON value. */
function paths(value: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [prefix];
  if (Array.isArray(value)) value.slice(0, 4).forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function setAt(root: Json, p: Array<string | number>, mutate: (old: Json | undefined) => Json | undefined): Json {
  if (p.length === 0) return mutate(root) ?? null;
  const copy = structuredClone(root) as Record<string | number, Json>;
  let node: Record<string | number, Json> = copy;
  for (let i = 0; i < p.length - 1; i++) node = node[p[i] as string] as unknown as Record<string | number, Json>;
  const last = p[p.length - 1] as string;
  const next = mutate(node[last]);
  if (next === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else Object.defineProperty(node, last, { value: next, enumerable: true, writable: true, configurable: true });
  return copy as unknown as Json;
}

/** What the shared zod schema (the single source of truth) says about a value. */
function zodAccepts(value: unknown): boolean | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(SCHEMAS, type)) return false;
  return SCHEMAS[type as keyof typeof SCHEMAS].safeParse(value).success;
}

const replacement: fc.Arbitrary<Json | undefined> = fc.oneof(
  fc.constant(undefined), // delete the field
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('', '__proto__', '/Date(1790000000000)/', '2030-05-01T12:00:00Z', 'match_updates', 'failed', '\u0000', '\ud800'),
  fc.constant({ __proto__: { polluted: true } } as unknown as Json),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.array(fc.integer(), { maxLength: 5 }),
);

export interface FuzzResult {
  cases: number;
  accepted: number;
  rejected: number;
  threw: number;
  noReason: number;
  validRejected: number;
  invalidAccepted: number;
  byReason: Record<string, number>;
  firstProblem: string | null;
  ms: number;
}

/** Runs the three properties; `runs` is split between them (≥ 10,000 in total a run). */
export function fuzzParser(runs: number, seed = Date.now() % 2 ** 31): FuzzResult {
  const fixtures = loadFixture().map((l) => JSON.parse(l.raw) as Json);
  const res: FuzzResult = { cases: 0, accepted: 0, rejected: 0, threw: 0, noReason: 0, validRejected: 0, invalidAccepted: 0, byReason: {}, firstProblem: null, ms: 0 };
  const problem = (text: string): void => {
    res.firstProblem ??= text.slice(0, 500);
  };
  const t0 = performance.now();
  // Problems are counted, not thrown, so every generated case runs and the figures are complete.
  // true: must be accepted; false: must be rejected; 'schema': the schema accepts it, so it is
  // accepted unless the message gate's semantic checks (electron/core/messages/match-gate.ts:
  // real dates inside the kickoff window, no duplicate ids) reject it with their own reason.
  type Expect = boolean | null | 'schema';
  const GATE_REASONS: readonly string[] = ['bad_date', 'date_out_of_range', 'duplicate_match'];
  const judge = (raw: string | Buffer, expectValid: Expect): true => {
    judgeOne(raw, expectValid);
    return true;
  };
  const judgeOne = (raw: string | Buffer, expectValid: Expect): boolean => {
    res.cases++;
    let r;
    try {
      r = parseMessage(raw, MAX_BYTES);
    } catch (err) {
      res.threw++;
      problem(`threw ${(err as Error).message} on ${String(raw).slice(0, 200)}`);
      return false;
    }
    if (r.ok) {
      res.accepted++;
      if (expectValid === false) {
        res.invalidAccepted++;
        problem(`accepted a message the schema rejects: ${String(raw).slice(0, 300)}`);
        return false;
      }
      return true;
    }
    res.rejected++;
    res.byReason[r.reason] = (res.byReason[r.reason] ?? 0) + 1;
    if (!(REJECT_REASONS as readonly string[]).includes(r.reason) || !r.error) {
      res.noReason++;
      problem(`rejection without a reason: ${JSON.stringify(r)}`);
      return false;
    }
    if (expectValid === true || (expectValid === 'schema' && !GATE_REASONS.includes(r.reason))) {
      res.validRejected++;
      problem(`rejected a valid message (${r.reason}: ${r.error}): ${String(raw).slice(0, 300)}`);
      return false;
    }
    return true;
  };
  const third = Math.ceil(runs / 3);
  const params = { numRuns: third, seed } as const;
  // 1. Valid messages mutated field by field: never throws; the verdict equals the schema's.
  fc.assert(
    fc.property(fc.constantFrom(...fixtures), fc.nat(), replacement, (msg, pick, value) => {
      const all = paths(msg);
      const p = all[pick % all.length] as Array<string | number>;
      const mutated = setAt(msg, p, () => value);
      return judge(JSON.stringify(mutated), zodAccepts(JSON.parse(JSON.stringify(mutated))) ? 'schema' : false);
    }),
    params,
  );
  // 2. Arbitrary bytes and text, and arbitrary JSON: never throws; every rejection has a reason.
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v)),
        fc.record({ type: fc.constantFrom('match_updates', 'processing_status', 'system_alert', 'x'), payload: fc.jsonValue({ maxDepth: 4 }) }).map((v) => JSON.stringify(v)),
        fc.nat({ max: 200 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
      ),
      (raw) => judge(raw, Buffer.isBuffer(raw) ? null : (() => {
        try {
          return zodAccepts(JSON.parse(raw)) === true ? null : false;
        } catch {
          return false;
        }
      })()),
    ),
    params,
  );
  // 3. Valid messages re-serialised (indentation, reordered keys, new ids): all accepted.
  fc.assert(
    fc.property(fc.constantFrom(...fixtures), fc.integer({ min: 0, max: 4 }), fc.uuid(), (msg, indent, id) => {
      const m = { ...(msg as Record<string, Json>), message_id: id };
      const reordered = Object.fromEntries(Object.entries(m).reverse());
      return judge(JSON.stringify(reordered, null, indent), true);
    }),
    params,
  );
  res.ms = Math.round(performance.now() - t0);
  return res;
}

export async function parserFuzz(opts: { runs?: number } = {}): Promise<Row> {
  const runs = opts.runs ?? 30_000;
  return scenario(GROUP, `Parser fuzzing (fast-check, ${runs.toLocaleString('en')} cases)`, 'fixture messages mutated field by field, arbitrary bytes/JSON, re-serialised valid messages: never throws, every rejection has a reason, the verdict equals the shared zod schema (no valid message rejected, no invalid one accepted)', async (c, f) => {
    const r = fuzzParser(runs);
    f.cases = r.cases;
    f['accepted / rejected'] = `${r.accepted} / ${r.rejected}`;
    f['threw / no reason / valid rejected / invalid accepted'] = `${r.threw} / ${r.noReason} / ${r.validRejected} / ${r.invalidAccepted}`;
    f['rejections by reason'] = Object.entries(r.byReason).map(([k, v]) => `${k} ${v}`).join(', ');
    f.time = ms(r.ms);
    c.check(r.cases >= Math.min(runs, 10_000), `${r.cases} cases`);
    c.check(r.threw === 0 && r.noReason === 0 && r.validRejected === 0 && r.invalidAccepted === 0, r.firstProblem ?? '');
  });
}

// ---- hostile messages through real Redis ---------------------------------------------------

function minimalMatch(id: number): Record<string, unknown> {
  return { matchid: id, lag1namn: `H${id}`, lag2namn: `B${id}`, tid: tidAt(id * 60_000) };
}

/**
 * Publishes each hostile message to the headless app through a real PUBLISH and checks the
 * verdict, that the app stays up, subscribed and responsive, and its memory.
 */
export async function hostileMessages(opts: { hugeMb?: number } = {}): Promise<Row> {
  const hugeMb = opts.hugeMb ?? 100;
  return scenario(GROUP, `Hostile messages over Redis (${hugeMb} MB, deep, bad UTF-8, __proto__, wrong types, 100,000-element lists)`, `each is counted with the right reason (or accepted when valid), the app stays subscribed and answers /health within 1 s, RSS stays below 300 MB + 2× the largest message, a later valid message is processed`, async (c, f, cleanup) => {
    // No output-buffer limit for subscribers: the 100 MB message must reach the app.
    const redis = await startRedis({ args: ['--client-output-buffer-limit', 'pubsub 0 0 0', '--proto-max-bulk-len', '1gb', '--client-query-buffer-limit', '1gb'] });
    cleanup(() => redis.stop());
    const app = await headless({ REDIS_URL: redis.url, ...FAST_REDIS_ENV });
    cleanup(() => app.stop());
    await waitStatus(app.baseUrl, (s) => s.subscribed, 10_000, 'subscribed');
    const pid = pidOf(app);
    const rss0 = rssMb(pid);
    const pub = await publisher(redis.url);
    cleanup(() => pub.close());
    let slowestHealth = 0;
    let healthBusy = true;
    const healthLoop = (async () => {
      while (healthBusy) {
        const t0 = Date.now();
        try {
          await getJson(`${app.baseUrl}/health`, { signal: AbortSignal.timeout(5000) });
        } catch {
          /* counted as slow below */
        }
        slowestHealth = Math.max(slowestHealth, Date.now() - t0);
        await sleep(100);
      }
    })();
    const cases: Array<{ name: string; channel: string; raw: string | Buffer; expect: string }> = [];
    const huge = Buffer.alloc(hugeMb * 1024 * 1024, 0x61);
    huge.write('{"type":"match_updates","payload":"', 0);
    huge.write('"}', huge.length - 2);
    cases.push({ name: `${hugeMb} MB message`, channel: CHANNELS.matches, raw: huge, expect: 'oversize' });
    cases.push({ name: 'nested 1,000,000 deep', channel: CHANNELS.status, raw: '['.repeat(1_000_000) + ']'.repeat(1_000_000), expect: 'too_deep' });
    const deepDetails = JSON.stringify(envelope('processing_status', { status: 'failed', details: { x: 1 } })).replace('{"x":1}', '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000));
    cases.push({ name: 'valid envelope, details nested 100,000 deep', channel: CHANNELS.status, raw: deepDetails, expect: 'too_deep' });
    cases.push({ name: `valid envelope nested ${MAX_DEPTH} deep (accepted)`, channel: CHANNELS.status, raw: JSON.stringify(envelope('processing_status', { status: 'started', details: { x: 1 } })).replace('{"x":1}', '{"a":'.repeat(MAX_DEPTH - 3) + '1' + '}'.repeat(MAX_DEPTH - 3)), expect: 'accepted' });
    cases.push({ name: 'invalid UTF-8', channel: CHANNELS.status, raw: Buffer.concat([Buffer.from('{"type":"processing_status","x":"'), Buffer.from([0xc3, 0x28, 0xed, 0xa0, 0x80, 0xff]), Buffer.from('"}')]), expect: 'invalid_utf8' });
    const proto = envelope('system_alert', { alert_type: 'pollution', severity: 'warning', message: 'proto test', details: { nested: { constructor: { prototype: { polluted: 'yes' } } } } });
    const protoText = JSON.stringify(proto).replace('"details":{', '"details":{"__proto__":{"polluted":"yes"},').replace('{"message_id"', '{"__proto__":{"polluted":"yes"},"message_id"');
    cases.push({ name: '__proto__ / constructor.prototype keys (valid alert)', channel: CHANNELS.alerts, raw: protoText, expect: 'accepted' });
    cases.push({ name: 'numbers where strings belong', channel: CHANNELS.matches, raw: JSON.stringify(envelope('match_updates', { matches: [{ ...minimalMatch(1), lag1namn: 5, tid: KICKOFF_BASE_MS }] })), expect: 'schema' });
    cases.push({ name: 'message_id a number', channel: CHANNELS.status, raw: JSON.stringify({ ...envelope('processing_status', { status: 'started' }), message_id: 12345 }), expect: 'schema' });
    cases.push({ name: 'matches: 100,000 numbers', channel: CHANNELS.matches, raw: JSON.stringify(envelope('match_updates', { matches: Array.from({ length: 100_000 }, (_, i) => i) })), expect: 'schema' });
    cases.push({ name: 'matches: 100,000 valid matches (7.8 MB)', channel: CHANNELS.matches, raw: JSON.stringify(envelope('match_updates', { matches: Array.from({ length: 100_000 }, (_, i) => minimalMatch(i + 1)) })), expect: 'accepted-or-schema' });
    const verdicts: string[] = [];
    let peak = rss0;
    for (const cs of cases) {
      const before = await redisStats(app.baseUrl);
      const sampler = rssSampler(pid, 10);
      const t0 = Date.now();
      const receivers = await pub.publish(cs.channel, cs.raw);
      await waitUntil(async () => (await redisStats(app.baseUrl)).messages_received > before.messages_received, 60_000, `${cs.name} received`, 50);
      await sleep(300);
      const casePeak = sampler.stop();
      peak = Math.max(peak, casePeak);
      const after = await redisStats(app.baseUrl);
      const reasons = Object.entries(after.rejected_by_reason).filter(([k, v]) => v > (before.rejected_by_reason[k] ?? 0)).map(([k]) => k);
      const got = reasons.length ? reasons.join(',') : after.messages_processed > before.messages_processed ? 'accepted' : 'dropped?';
      const ok = cs.expect === 'accepted-or-schema' ? got === 'accepted' || got === 'schema' : got === cs.expect;
      verdicts.push(`${cs.name}: ${got} in ${ms(Date.now() - t0)}, RSS peak ${casePeak} MB`);
      c.check(ok && receivers === 1, `${cs.name}: expected ${cs.expect}, got ${got} (receivers ${receivers})`);
      const st = await getJson(`${app.baseUrl}/api/state`);
      c.check(st.status === 200, `${cs.name}: /api/state → ${st.status}`);
    }
    huge.fill(0);
    // After all that: still subscribed, a valid message still processed, the state saves.
    const status = await getJson(`${app.baseUrl}/redis-status`);
    const before = await redisStats(app.baseUrl);
    await pub.publish(CHANNELS.matches, JSON.stringify(envelope('match_updates', { matches: [minimalMatch(7), minimalMatch(8)] })));
    await waitUntil(async () => (await redisStats(app.baseUrl)).messages_processed > before.messages_processed, 5000, 'a valid message afterwards');
    await sleep(1500);
    const stateFile = path.join(app.dataDir, 'state.json');
    let stateOk = false;
    try {
      JSON.parse(readFileSync(stateFile, 'utf8'));
      stateOk = true;
    } catch {
      stateOk = false;
    }
    const snapshot = (await getJson(`${app.baseUrl}/api/state`)).body as { storageError?: string | null };
    healthBusy = false;
    await healthLoop;
    // Restart on the same data: the saved state (with the __proto__ alert) restores cleanly.
    await app.stop();
    const again = await headless({ REDIS_URL: redis.url, ...FAST_REDIS_ENV }, app.dataDir);
    cleanup(() => again.stop());
    const restored = (await getJson(`${again.baseUrl}/api/state`)).body as { alerts?: { items: Array<{ details: Record<string, unknown> }> } };
    const movedAside = readdirSync(app.dataDir).filter((n) => n.includes('.corrupt-'));
    const polluted = restored.alerts?.items.some((a) => Object.getPrototypeOf(a.details) !== Object.prototype && Object.getPrototypeOf(a.details) !== null);
    f.verdicts = verdicts.join('; ');
    f['RSS before / peak'] = `${rss0} MB / ${peak} MB`;
    f['slowest /health during the run'] = ms(slowestHealth);
    f['state.json parses / storageError'] = `${stateOk} / ${snapshot.storageError ?? 'none'}`;
    c.check((status.body.redis_status as { subscribed?: boolean }).subscribed === true, 'still subscribed');
    c.check(peak < 300 + 2 * hugeMb, `RSS peak ${peak} MB`);
    c.check(slowestHealth < 1000, `/health took up to ${slowestHealth} ms`);
    c.check(stateOk && !snapshot.storageError, 'state saved');
    c.check(movedAside.length === 0, `state moved aside on restart: ${movedAside.join(', ')}`);
    c.check(!polluted, 'restored alert details have a polluted prototype');
  });
}

/** In-process: the pollution attempts must not reach Object.prototype of the process running the core. */
export async function prototypePollution(): Promise<Row> {
  return scenario(GROUP, '__proto__ pollution in the running core (in-process)', 'messages, /manual-sync and PUT /api/config bodies with __proto__/constructor.prototype keys leave Object.prototype untouched', async (c, f, cleanup) => {
    const redis = await startRedis();
    cleanup(() => redis.stop());
    const app = await startCore({ REDIS_URL: redis.url, ...FAST_REDIS_ENV });
    cleanup(() => app.stop());
    await waitUntil(() => app.core.snapshot().connection.subscribed, 5000, 'subscribed');
    const pub = await publisher(redis.url);
    cleanup(() => pub.close());
    const poison = '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}';
    const alert = JSON.stringify(envelope('system_alert', { alert_type: 'x', severity: 'info', message: 'm', details: { d: 1 } })).replace('{"d":1}', poison);
    const list = JSON.stringify(envelope('match_updates', { matches: [minimalMatch(1)] })).replace('"matchid":1,', `"matchid":1,"__proto__":{"polluted":"yes"},"domaruppdraglista":[${poison}],`);
    for (const m of [alert, list]) await pub.publish(m === alert ? CHANNELS.alerts : CHANNELS.matches, m);
    await waitUntil(() => app.core.snapshot().counters.messages_processed >= 2, 5000, 'both processed');
    const json = { 'Content-Type': 'application/json' };
    const sync = await getJson(`${app.baseUrl}/manual-sync`, { method: 'POST', headers: app.authHeaders(json), body: `{"matches":[${JSON.stringify(minimalMatch(2)).replace('{', `{"__proto__":{"polluted":"yes"},`)}],"__proto__":{"polluted":"yes"}}` });
    const cfg = await getJson(`${app.baseUrl}/api/config`, { method: 'PUT', headers: app.authHeaders(json), body: `{"__proto__":{"polluted":"yes"},"ui":{"__proto__":{"polluted":"yes"}}}` });
    const snap = app.core.snapshot();
    const polluted = ({} as Record<string, unknown>).polluted !== undefined || (Object.prototype as Record<string, unknown>).polluted !== undefined;
    f['manual-sync / PUT config'] = `${sync.status} / ${cfg.status}`;
    f['alerts / matches in snapshot'] = `${snap.alerts.items.length} / ${snap.matches.list.length}`;
    c.check(!polluted, 'Object.prototype polluted');
    c.check(sync.status < 500 && cfg.status < 500, 'no 5xx');
  });
}

// ---- HTTP ------------------------------------------------------------------------------------

function raw(port: number, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, agent: false, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers, setHost: !opts.headers?.Host }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', (err) => reject(new Error(`${opts.method ?? 'GET'} ${opts.path.slice(0, 80)}: ${err.message}`)));
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** Opens a raw socket, sends `first`, then trickles `drip` one byte every `everyMs`; resolves with when the server closed it. */
function slowClient(port: number, first: string, drip: string, everyMs: number, giveUpMs: number): Promise<{ closedAfterMs: number | null; reply: string }> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    const t0 = Date.now();
    let reply = '';
    let i = 0;
    let timer: NodeJS.Timeout | null = null;
    const done = (closed: boolean): void => {
      if (timer) clearInterval(timer);
      clearTimeout(giveUp);
      sock.destroy();
      resolve({ closedAfterMs: closed ? Date.now() - t0 : null, reply });
    };
    const giveUp = setTimeout(() => done(false), giveUpMs);
    sock.on('data', (d: Buffer) => (reply += d.toString()));
    sock.on('close', () => done(true));
    sock.on('error', () => undefined);
    sock.on('connect', () => {
      sock.write(first);
      timer = setInterval(() => {
        if (sock.destroyed) return;
        sock.write(drip[i % drip.length] ?? 'x');
        i++;
      }, everyMs);
    });
  });
}

export async function httpAttacks(opts: { slowLoris?: boolean } = {}): Promise<Row> {
  const slowLoris = opts.slowLoris ?? true;
  return scenario(GROUP, 'HTTP: rebinding, cross-origin, oversize, content types, token, slow-loris, traversal, secrets', 'DNS-rebinding Host → 403; cross-origin POST/PUT → 403; oversize body → 413 without reading it all; wrong content type → 415; deep / invalid UTF-8 / 5,001-match / non-finite bodies → 400, never 500; slow headers cut ≤ 12 s, slow body cut ≤ 32 s; path traversal never leaves the static dir; no password/token in any response or log line', async (c, f, cleanup) => {
    const redisPw = 'Redis-Pw-5ecret-42';
    const redis = await startRedis({ args: ['--requirepass', redisPw] });
    cleanup(() => redis.stop());
    const root = tempDir('fogis-static-');
    cleanup(() => rmSync(root, { recursive: true, force: true }));
    const staticDir = path.join(root, 'www');
    mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
    writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>dash</title>');
    writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
    const secretText = 'TOP-SECRET-OUTSIDE-STATIC';
    writeFileSync(path.join(root, 'secret.txt'), secretText);
    const { createCore } = await import('../electron/core/index');
    const { createMemoryLogger } = await import('../electron/core/log');
    const log = createMemoryLogger();
    const dataDir = tempDir();
    const core = await createCore({ dataDir, env: { MONITOR_HTTP_PORT: '0', REDIS_URL: `redis://:${redisPw}@127.0.0.1:${redis.port}`, ...FAST_REDIS_ENV, MONITOR_HTTP_MAX_BODY_BYTES: String(2 * 1024 * 1024) }, log, http: true, staticDir });
    await core.start();
    cleanup(() => core.stop());
    const base = core.httpBaseUrl() ?? '';
    const port = Number(new URL(base).port);
    await waitUntil(() => core.snapshot().connection.subscribed, 5000, 'subscribed');
    const token = readFileSync(path.join(dataDir, 'http-token'), 'utf8').trim();
    const bodies: string[] = [];
    const record = <T extends { body: string }>(r: T): T => {
      bodies.push(r.body);
      return r;
    };
    const json = { 'Content-Type': 'application/json' };
    // Write routes need the token from every client (issue 9); the attacks below carry it, so
    // each check is about what it names, not about a missing token.
    const auth = { Authorization: `Bearer ${token}` };
    const results: Record<string, string> = {};
    // DNS rebinding
    const rebinding = await Promise.all(['attacker.example', `attacker.example:${port}`, `localhost.attacker.example:${port}`, `127.0.0.1:${port + 1}`, '0.0.0.0', `[::ffff:7f00:1]:${port}`].map(async (host) => (await raw(port, { path: '/api/state', headers: { Host: host } })).status));
    results.rebinding = rebinding.join(',');
    c.check(rebinding.every((s) => s === 403), `rebinding statuses ${rebinding}`);
    // Cross-origin writes (what a page in the user's browser could send)
    const xo: number[] = [];
    for (const [method, p, body, headers] of [
      ['POST', '/manual-sync', JSON.stringify({ matches: [minimalMatch(1)] }), { ...json, Origin: 'https://evil.example' }],
      ['POST', '/manual-sync', 'matches=1', { 'Content-Type': 'text/plain', Origin: 'https://evil.example' }],
      ['PUT', '/api/config', '{"redis":{"enabled":false}}', { ...json, Origin: 'http://evil.example' }],
      ['POST', '/api/pause', '{"paused":true}', { ...json, Origin: 'null' }],
      ['POST', '/redis-restart', '', { Origin: `http://localhost:${port}.evil.example` }],
      ['POST', '/api/google/signout', '', { Origin: 'http://127.0.0.1:1' }],
    ] as Array<[string, string, string, Record<string, string>]>) xo.push(record(await raw(port, { method, path: p, body, headers: { Host: `127.0.0.1:${port}`, ...headers } })).status);
    results['cross-origin'] = xo.join(',');
    c.check(xo.every((s) => s === 403), `cross-origin statuses ${xo}`);
    c.check(core.snapshot().config.redis.enabled && core.snapshot().connection.subscribed, 'cross-origin requests changed nothing');
    // Oversize bodies: declared and undeclared (chunked)
    const big = Buffer.alloc(4 * 1024 * 1024, 0x20);
    // The server answers 413 from Content-Length and stops reading; a client still sending may see a reset instead.
    const over1 = await raw(port, { method: 'POST', path: '/manual-sync', headers: { ...json, ...auth }, body: big }).catch(() => ({ status: -1, body: '', headers: {} }));
    const over2 = await new Promise<number>((resolve) => {
      const req = request({ host: '127.0.0.1', port, agent: false, method: 'PUT', path: '/api/config', headers: { ...json, ...auth, 'Transfer-Encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(-1));
      for (let i = 0; i < 512; i++) req.write(Buffer.alloc(8192, 0x20));
      req.end();
    });
    results.oversize = `${over1.status},${over2}`;
    c.check((over1.status === 413 || over1.status === -1) && (over2 === 413 || over2 === -1), `oversize ${over1.status}/${over2}`);
    // Wrong content types
    const types = await Promise.all(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'text/json'].map(async (t) => (await raw(port, { method: 'PUT', path: '/api/config', headers: { 'Content-Type': t, ...auth }, body: '{"ui":{"language":"en"}}' })).status));
    const noType = (await raw(port, { method: 'PUT', path: '/api/config', headers: auth, body: '{"ui":{"language":"en"}}' })).status;
    results['content types'] = [...types, noType].join(',');
    c.check([...types, noType].every((s) => s === 415), `content types ${types} / none ${noType}`);
    // Hostile JSON bodies: deep nesting, too many matches, invalid UTF-8, a huge number → 4xx, never 500
    const deepBody = `{"matches":[{"matchid":1,"lag1namn":"a","lag2namn":"b","tid":"${tidAt(0)}","x":${'['.repeat(200_000)}${']'.repeat(200_000)}}]}`;
    const bodyCases: Array<[string, string, string | Buffer]> = [
      ['POST', '/manual-sync', deepBody],
      ['PUT', '/api/config', `{"ui":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`],
      ['POST', '/manual-sync', JSON.stringify({ matches: Array.from({ length: 5001 }, (_, i) => minimalMatch(i + 1)) })],
      ['POST', '/manual-sync', Buffer.concat([Buffer.from('{"matches":[{"matchid":1,"lag1namn":"'), Buffer.from([0xff, 0xfe]), Buffer.from('","lag2namn":"b","tid":"/Date(1)/"}]}')])],
      ['POST', '/api/alerts/ack', '{"ids":[1e999999]}'],
      ['POST', '/api/pause', '{"paused":"yes","__proto__":{"x":1}}'],
    ];
    const bodyStatuses: number[] = [];
    for (const [method, p, body] of bodyCases) bodyStatuses.push(record(await raw(port, { method, path: p, headers: { ...json, ...auth }, body })).status);
    results['hostile bodies'] = bodyStatuses.join(',');
    c.check(bodyStatuses.every((s) => s >= 400 && s < 500), `hostile JSON bodies → ${bodyStatuses}`);
    // Path traversal against the static files
    const traversal = ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/%2e%2e%2fsecret.txt', '/assets/../../secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/..%5csecret.txt', '/%252e%252e/secret.txt', '//../secret.txt', '/assets/..%00/secret.txt', `/${'../'.repeat(12)}etc/passwd`, '/.%2e/.%2e/secret.txt'];
    const trav: string[] = [];
    for (const p of traversal) {
      const r = record(await raw(port, { path: p }));
      trav.push(`${r.status}`);
      c.check(!r.body.includes(secretText) && !r.body.includes('root:x:0:0'), `traversal ${p} leaked a file`);
    }
    const legit = await raw(port, { path: '/assets/app.js' });
    results.traversal = `${traversal.length} attempts → ${[...new Set(trav)].join('/')}; /assets/app.js → ${legit.status}`;
    c.check(legit.status === 200, 'a real static file is still served');
    // Secrets in every response of every GET route, plus error paths
    for (const p of ['/redis-status', '/redis-stats', '/redis-config', '/api/state', '/api/config', '/health', '/api/messages', '/calendar.ics', '/nope', `/redis-status?token=${token}`]) record(await raw(port, { path: p }));
    record(await raw(port, { method: 'PUT', path: '/api/config', headers: { ...json, ...auth }, body: JSON.stringify({ redis: { url: `redis://:${redisPw}@nohost.invalid:1`, backoffMaxMs: 1 } }) }));
    record(await raw(port, { method: 'POST', path: '/redis-test', headers: json, body: '{}' }));
    // Slow-loris: headers and body
    let loris = 'skipped (CI)';
    if (slowLoris) {
      const [hdr, body] = await Promise.all([
        slowClient(port, `GET /redis-status HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`, 'X-a: b\r\n', 500, 40_000),
        slowClient(port, `PUT /api/config HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`, ' ', 500, 45_000),
      ]);
      loris = `headers cut after ${ms(hdr.closedAfterMs)}, body cut after ${ms(body.closedAfterMs)}`;
      c.check(hdr.closedAfterMs !== null && hdr.closedAfterMs <= 12_000, `slow headers: ${hdr.closedAfterMs}`);
      c.check(body.closedAfterMs !== null && body.closedAfterMs <= 32_000, `slow body: ${body.closedAfterMs}`);
      const stillUp = await raw(port, { path: '/health' });
      c.check(stillUp.status === 200, 'server answers after slow-loris');
    }
    results['slow-loris'] = loris;
    // Leak check over everything collected
    const everything = [...bodies, ...log.lines].join('\n');
    const leaked = [redisPw, token].filter((s) => everything.includes(s));
    results['secrets in responses/log'] = `${leaked.length} of 2 (Redis password, local token) over ${bodies.length} responses and ${log.lines.length} log lines`;
    c.check(leaked.length === 0, 'a secret appeared in a response or log line');
    Object.assign(f, results);
  });
}

export async function httpToken(): Promise<Row> {
  return scenario(GROUP, 'HTTP bound beyond loopback: token', 'every route but /health answers 401 without the token, with a wrong one, with the token in a wrong place; 200 with it', async (c, f, cleanup) => {
    const app = await startCore({ REDIS_PUBSUB_ENABLED: 'false', MONITOR_HTTP_HOST: '0.0.0.0' });
    cleanup(() => app.stop());
    const port = Number(new URL(app.baseUrl).port);
    const token = readFileSync(path.join(app.dataDir, 'http-token'), 'utf8').trim();
    const routes: Array<[string, string]> = [['GET', '/redis-status'], ['GET', '/api/state'], ['GET', '/api/events'], ['POST', '/manual-sync'], ['PUT', '/api/config'], ['POST', '/api/pause'], ['GET', '/calendar.ics'], ['GET', '/index.html']];
    const statuses: number[] = [];
    for (const [method, p] of routes) {
      for (const headers of [{}, { Authorization: 'Bearer wrong' }, { Authorization: token }, { Authorization: `Basic ${token}` }, { Cookie: `token=${token}` }] as Array<Record<string, string>>) {
        const r = await raw(port, { method, path: p, headers: { ...headers, ...(method === 'GET' ? {} : { 'Content-Type': 'application/json' }) }, body: method === 'GET' ? undefined : '{}' });
        statuses.push(r.status);
        c.check(r.status === 401 && !r.body.includes(token), `${method} ${p} with ${JSON.stringify(headers).slice(0, 30)} → ${r.status}`);
      }
    }
    const ok = await raw(port, { path: '/redis-status', headers: { Authorization: `Bearer ${token}` } });
    const health = await raw(port, { path: '/health' });
    f['requests without a valid token'] = `${statuses.length}, all 401: ${statuses.every((s) => s === 401)}`;
    f['with token / health'] = `${ok.status} / ${health.status}`;
    c.check(ok.status === 200 && health.status === 200, 'token accepted; /health open');
  });
}

/** Google tokens never reach a response or a log line, also when the API fails. */
export async function googleSecrets(): Promise<Row> {
  return scenario(GROUP, 'Google tokens never in a response or log line', 'Google backend against the local Calendar v3 server, with token refresh, API errors and sign-out: access/refresh tokens and client secret appear in no response body and no log line', async (c, f, cleanup) => {
    const fake = await startFakeCalendarServer();
    cleanup(() => fake.close());
    const dataDir = tempDir();
    const refresh = 'refresh-Tok3n-abcdef';
    const clientSecret = 'client-5ecret-xyz';
    writeFileSync(path.join(dataDir, 'secrets.json'), JSON.stringify({ [TOKEN_SECRET_NAME]: JSON.stringify({ refresh_token: refresh, access_token: null, expiry_date: null, scope: 'https://www.googleapis.com/auth/calendar', client_id: 'cid.apps.googleusercontent.com', client_secret: clientSecret, token_uri: null }) }), { mode: 0o600 });
    const { createCore } = await import('../electron/core/index');
    const { createMemoryLogger } = await import('../electron/core/log');
    const log = createMemoryLogger();
    const core = await createCore({ dataDir, env: { MONITOR_HTTP_PORT: '0', REDIS_PUBSUB_ENABLED: 'false', CALENDAR_BACKEND: 'google', FOGIS_GOOGLE_API_ROOT: fake.rootUrl, FOGIS_GOOGLE_TOKEN_URL: fake.tokenUrl, GOOGLE_CALENDAR_TOKEN_FILE: path.join(dataDir, 'none.json') }, log, http: true, staticDir: null });
    await core.start();
    cleanup(() => core.stop());
    const base = core.httpBaseUrl() ?? '';
    const json = { 'Content-Type': 'application/json', Authorization: `Bearer ${core.accessToken()}` };
    const bodies: string[] = [];
    const sync1 = await fetch(`${base}/manual-sync`, { method: 'POST', headers: json, body: JSON.stringify({ matches: [minimalMatch(1), minimalMatch(2)] }) });
    bodies.push(await sync1.text());
    fake.inject({ op: 'insert', times: 3, status: 500, reason: 'backendError' });
    fake.inject({ op: 'token', times: 2, status: 400, reason: 'invalid_grant' });
    const sync2 = await fetch(`${base}/manual-sync`, { method: 'POST', headers: json, body: JSON.stringify({ matches: [minimalMatch(3)] }) });
    bodies.push(await sync2.text());
    for (const p of ['/api/state', '/api/config', '/redis-config', '/api/messages', '/health']) bodies.push(await (await fetch(`${base}${p}`)).text());
    bodies.push(await (await fetch(`${base}/api/google/signout`, { method: 'POST', headers: { Authorization: `Bearer ${core.accessToken()}` } })).text());
    bodies.push(await (await fetch(`${base}/api/state`)).text());
    const accessTokens = [...fake.issuedAccessTokens];
    const secrets = [refresh, clientSecret, ...accessTokens];
    const everything = [...bodies, ...log.lines].join('\n');
    const leaked = secrets.filter((s) => everything.includes(s));
    f['calendar events written'] = fake.liveEvents().length;
    f['secrets checked'] = `${secrets.length} (refresh token, client secret, ${accessTokens.length} access tokens) over ${bodies.length} responses, ${log.lines.length} log lines`;
    f.leaked = leaked.length;
    c.check(fake.liveEvents().length >= 2, 'the Google backend wrote events (the sink is wired)');
    c.check(leaked.length === 0, `leaked ${leaked.length}`);
  });
}
