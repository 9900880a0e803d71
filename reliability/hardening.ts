import { createServer, connect, type Server, type Socket } from 'node:net';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getJson, tempDir, waitUntil, FAST_REDIS_ENV, type HeadlessProcess } from '../test/harness/app';
import { freePort, startRedis } from '../test/harness/redis-server';
import { loadConfig } from '../electron/core/config/load-config';
import { CHANNELS, envelope, headless, ms, pidOf, publisher, pubRecvLost, redisStats, redisStatus, rssMb, rssSampler, scenario, sleep, statusMessage, tidAt, waitStatus, type Checks, type Row } from './lib';

/**
 * Issue 9's rows: clients of the live stream that never read, hostile configuration through
 * PUT /api/config, and hostile dates in match lists. Each starts its own redis-server and
 * headless app on 127.0.0.1 and measures what it reports.
 */

const GROUP = 'Hardening';
const HOUR_MS = 3_600_000;

// ---- shared ----------------------------------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Polls /health until stopped and keeps every latency (a timeout counts as 5000 ms). */
function healthProbe(baseUrl: string, everyMs = 100): { stop(): Promise<number[]> } {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      try {
        await getJson(`${baseUrl}/health`, { signal: AbortSignal.timeout(5000) });
      } catch {
        /* counted with its time */
      }
      latencies.push(performance.now() - t0);
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return latencies.sort((a, b) => a - b);
    },
  };
}

/** Publishes a valid status message and waits for the app to count it: the app is alive and subscribed. */
async function stillReceiving(app: HeadlessProcess, url: string): Promise<boolean> {
  try {
    const before = (await redisStats(app.baseUrl)).messages_received;
    const p = await publisher(url);
    try {
      await p.publish(CHANNELS.status, statusMessage(1));
    } finally {
      p.close();
    }
    await waitUntil(async () => (await redisStats(app.baseUrl)).messages_received > before, 5000, 'a message after the run', 50);
    return (await redisStatus(app.baseUrl)).subscribed;
  } catch {
    return false;
  }
}

// ---- (a) live-stream clients that never read ------------------------------------------------

function bigList(k: number, matches: number): string {
  // List k moves one tenth of the matches to another venue: every list is a real change for
  // 10 % of them, so the change history grows as a season's does.
  return JSON.stringify(
    envelope('match_updates', {
      matches: Array.from({ length: matches }, (_, i) => ({
        matchid: 7_000_000 + i,
        lag1namn: `Hemmalag ${i}`,
        lag2namn: `Bortalag ${i}`,
        tid: tidAt((i % 2000) * HOUR_MS),
        anlaggningnamn: i % 10 === k % 10 ? `Arena ${k}` : `Arena ${i % 7}`,
        domaruppdraglista: [{ domarrollkortnamn: 'Dom', personnamn: `Domare ${i % 40}`, mobiltelefon: '070-0000000' }],
      })),
    }),
  );
}

/** Opens `/api/events` and stops reading as soon as the first bytes arrive. */
function nonReadingClient(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    sock.setTimeout(10_000, () => {
      sock.destroy();
      reject(new Error('stream client got no answer within 10 s'));
    });
    sock.once('error', reject);
    sock.once('connect', () => sock.write(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`));
    sock.once('data', () => {
      sock.pause();
      sock.setTimeout(0);
      sock.removeListener('error', reject);
      sock.on('error', () => undefined);
      resolve(sock);
    });
  });
}

export async function streamNonReaders(opts: { clients?: number; lists?: number; matches?: number; maxGrowthMb?: number; maxP99Ms?: number } = {}): Promise<Row> {
  const clients = opts.clients ?? 50;
  const lists = opts.lists ?? 100;
  const matches = opts.matches ?? 1000;
  const maxGrowthMb = opts.maxGrowthMb ?? 256;
  const maxP99Ms = opts.maxP99Ms ?? 1000;
  return scenario(GROUP, `${clients} /api/events clients that never read, ${lists} changed ${matches}-match lists`, `the app keeps running and counts every list; RSS grows < ${maxGrowthMb} MB (the unbounded stream grew > 1.5 GB); /health p99 < ${maxP99Ms} ms while it happens`, async (c, f, cleanup) => {
    const redis = await startRedis({ args: ['--client-output-buffer-limit', 'pubsub 0 0 0'] });
    cleanup(() => redis.stop());
    const app = await headless({ REDIS_URL: redis.url, ...FAST_REDIS_ENV });
    cleanup(() => app.stop());
    await waitStatus(app.baseUrl, (s) => s.subscribed, 10_000, 'subscribed');
    const pid = pidOf(app);
    // The first list sets the matches up; the growth is measured from there.
    const pub = await publisher(redis.url);
    cleanup(() => pub.close());
    const r0 = (await redisStats(app.baseUrl)).messages_received;
    await pub.publish(CHANNELS.matches, bigList(-1, matches));
    await waitUntil(async () => (await redisStats(app.baseUrl)).messages_received > r0, 30_000, 'the first list', 50);
    const sockets: Socket[] = [];
    cleanup(() => sockets.forEach((s) => s.destroy()));
    for (let i = 0; i < clients; i++) sockets.push(await nonReadingClient(app.port));
    await sleep(500);
    const rssBefore = rssMb(pid);
    const sampler = rssSampler(pid, 50);
    const probe = healthProbe(app.baseUrl);
    const before = (await redisStats(app.baseUrl)).messages_received;
    const t0 = Date.now();
    let delivered = 0;
    for (let k = 0; k < lists; k++) {
      if ((await pub.publish(CHANNELS.matches, bigList(k, matches))) > 0) delivered++;
      await sleep(20);
    }
    let received = 0;
    await waitUntil(async () => {
      received = (await redisStats(app.baseUrl)).messages_received - before;
      return received >= delivered;
    }, 120_000, 'every list counted', 200).catch(() => undefined);
    const processMs = Date.now() - t0;
    // Let queued pushes pile up where they would.
    await sleep(2000);
    const latencies = await probe.stop();
    const peak = sampler.stop();
    const rssAfter = app.child.exitCode === null ? rssMb(pid) : 0;
    const alive = app.child.exitCode === null && app.child.signalCode === null;
    const stillOpen = sockets.filter((s) => !s.destroyed && s.readyState === 'open').length;
    sockets.forEach((s) => s.destroy());
    await sleep(2000);
    const rssReleased = alive ? rssMb(pid) : 0;
    const receiving = alive && (await stillReceiving(app, redis.url));
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    f['published / received / lost'] = pubRecvLost({ published: lists, delivered, received });
    f['RSS before / peak / after / 2 s after the clients left'] = `${rssBefore} / ${peak} / ${rssAfter} / ${rssReleased} MB`;
    f['RSS growth (peak − before)'] = `${peak - rssBefore} MB`;
    f['/health latency p50 / p99 / max'] = `${p50.toFixed(0)} / ${p99.toFixed(0)} / ${(latencies[latencies.length - 1] ?? Number.NaN).toFixed(0)} ms over ${latencies.length} requests`;
    f['stream clients still connected at the end'] = `${stillOpen} of ${clients}`;
    f['time to count every list'] = ms(processMs);
    c.check(alive, `the app exited (${app.child.exitCode ?? app.child.signalCode})`);
    c.check(received === delivered && delivered === lists, `${received} of ${delivered} delivered lists counted (${lists} published)`);
    c.check(peak - rssBefore < maxGrowthMb, `RSS grew ${peak - rssBefore} MB`);
    c.check(p99 < maxP99Ms, `/health p99 ${p99.toFixed(0)} ms`);
    c.check(receiving, 'subscribed and counting messages afterwards');
  });
}

// ---- (b) hostile configuration through PUT /api/config --------------------------------------

interface ConfigCase {
  name: string;
  /** A raw JSON text, so non-JSON-able values (1e400, deep nesting, __proto__) reach the server as written. */
  body: string;
  /** Send without the access token. */
  noToken?: boolean;
}

/** A TCP server that records whatever is sent to it (a host the password must never reach). */
function trap(): Promise<{ server: Server; port: number; received: () => string }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const server = createServer((sock) => {
      sock.on('data', (d: Buffer) => chunks.push(d));
      sock.on('error', () => undefined);
    });
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve({ server, port: typeof a === 'object' && a ? a.port : 0, received: () => Buffer.concat(chunks).toString('latin1') });
    });
  });
}

function configFileState(dataDir: string): { text: string; parses: boolean } {
  try {
    const text = readFileSync(path.join(dataDir, 'config.json'), 'utf8');
    JSON.parse(text);
    return { text, parses: true };
  } catch (err) {
    return { text: (err as NodeJS.ErrnoException).code === 'ENOENT' ? '(none)' : '', parses: (err as NodeJS.ErrnoException).code === 'ENOENT' };
  }
}

export async function hostileConfig(): Promise<Row> {
  const password = 'Pa55-hostile-cfg-4e1b';
  return scenario(GROUP, 'Hostile configuration through PUT /api/config', 'every hostile patch answers 4xx (401 without the token), never 5xx, and changes nothing in memory or in config.json; a masked password sent with another host or port is refused and that host receives nothing; afterwards the app is subscribed, a valid patch still works and config.json loads', async (c, f, cleanup) => {
    const redis = await startRedis({ args: ['--requirepass', password] });
    cleanup(() => redis.stop());
    const redisUrl = `redis://:${password}@127.0.0.1:${redis.port}`;
    // The address comes from config.json, not REDIS_URL: a field fixed by the environment is
    // refused at run time anyway, and the masked-password rule must be what refuses here.
    const dataDir = tempDir('fogis-hostile-config-');
    cleanup(() => rmSync(dataDir, { recursive: true, force: true }));
    writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ redis: { url: redisUrl } }), { mode: 0o600 });
    const app = await headless({ ...FAST_REDIS_ENV }, dataDir);
    cleanup(() => app.stop());
    await waitStatus(app.baseUrl, (s) => s.subscribed, 10_000, 'subscribed');
    const t = await trap();
    cleanup(() => t.server.close());
    const otherPort = await freePort();
    const shown = (await getJson(`${app.baseUrl}/api/config`)).body as { redis?: { url?: string } };
    const masked = shown.redis?.url ?? '';
    const maskedTo = (host: string, port: number): string => masked.replace(/@[^/]+/, `@${host}:${port}`);
    const cases: ConfigCase[] = [
      { name: 'unknown time zone (a typo)', body: JSON.stringify({ calendar: { timeZone: 'Europe/Stokholm' } }) },
      { name: 'time zone with a NUL', body: JSON.stringify({ calendar: { timeZone: 'Europe/Stockholm\u0000' } }) },
      { name: 'masked password, another port (a trap server)', body: JSON.stringify({ redis: { url: maskedTo('127.0.0.1', t.port) } }) },
      { name: 'masked password, another host', body: JSON.stringify({ redis: { url: maskedTo('127.0.0.2', redis.port) } }) },
      { name: 'masked password, unused port', body: JSON.stringify({ redis: { url: maskedTo('127.0.0.1', otherPort) } }) },
      { name: 'NUL in a channel name', body: JSON.stringify({ redis: { channels: { matchUpdates: 'fogis:\u0000matches' } } }) },
      { name: 'BEL, VT, FF in the calendar id', body: JSON.stringify({ calendar: { calendarId: 'primary\u0007\u000b\u000c' } }) },
      { name: 'line break in the sync tag', body: JSON.stringify({ calendar: { syncTag: 'FOGIS\r\nX-Injected: 1' } }) },
      { name: 'database index beyond range', body: JSON.stringify({ redis: { url: `redis://127.0.0.1:${redis.port}/99999` } }) },
      { name: 'port 1e308', body: '{"http":{"port":1e308}}' },
      { name: 'match duration 1e400 (Infinity after JSON.parse)', body: '{"calendar":{"matchDurationMinutes":1e400}}' },
      { name: 'message size cap 2^53 + 1', body: '{"redis":{"maxMessageBytes":9007199254740993}}' },
      { name: 'negative delete fraction', body: JSON.stringify({ calendar: { maxDeleteFraction: -5 } }) },
      { name: 'numbers as strings', body: JSON.stringify({ calendar: { matchDurationMinutes: '90' } }) },
      { name: 'wrong types everywhere', body: JSON.stringify({ redis: 'redis://evil', http: [], ui: null }) },
      { name: '__proto__ and constructor.prototype keys', body: '{"__proto__":{"polluted":true},"ui":{"constructor":{"prototype":{"polluted":true}},"language":"xx"}}' },
      { name: 'nested 10,000 deep', body: `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}` },
      { name: 'valid change without the access token', body: JSON.stringify({ ui: { language: 'en' } }), noToken: true },
    ];
    const verdicts: string[] = [];
    for (const cs of cases) {
      // Compared with the state just before this case, so one accepted patch is not blamed on the next.
      const before = JSON.stringify((await getJson(`${app.baseUrl}/api/config`)).body);
      const fileBefore = configFileState(app.dataDir);
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      const res = await fetch(`${app.baseUrl}/api/config`, { method: 'PUT', headers: cs.noToken ? headers : app.authHeaders(headers), body: cs.body, signal: AbortSignal.timeout(10_000) }).catch((err: unknown) => ({ status: 0, text: async () => String(err) }));
      const text = await res.text();
      const now = JSON.stringify((await getJson(`${app.baseUrl}/api/config`)).body);
      const file = configFileState(app.dataDir);
      verdicts.push(`${cs.name}: ${res.status}`);
      const wanted = cs.noToken ? res.status === 401 || res.status === 403 : res.status >= 400 && res.status < 500;
      c.check(wanted, `${cs.name}: answered ${res.status} ${text.slice(0, 160)}`);
      c.check(now === before, `${cs.name}: the running configuration changed`);
      c.check(file.parses && file.text === fileBefore.text, `${cs.name}: config.json changed or no longer parses`);
      c.check(!text.includes(password), `${cs.name}: the password is in the answer`);
      c.check(app.child.exitCode === null, `${cs.name}: the app exited`);
    }
    await sleep(1500);
    const trapGot = t.received();
    // A message through Redis: still subscribed with the real password.
    const receiving = await stillReceiving(app, redisUrl);
    // A valid change still goes through and is saved loadably.
    const good = await getJson(`${app.baseUrl}/api/config`, { method: 'PUT', headers: app.authHeaders({ 'Content-Type': 'application/json' }), body: JSON.stringify({ ui: { language: 'sv' } }) });
    const after = configFileState(app.dataDir);
    let loads = false;
    let loadError = '';
    try {
      const loaded = await loadConfig({ FOGIS_MONITOR_DATA_DIR: app.dataDir }, app.dataDir);
      loads = loaded.config.ui.language === 'sv';
    } catch (err) {
      loadError = err instanceof Error ? err.message : String(err);
    }
    const leaked = app.output().includes(password);
    f.cases = cases.length;
    f.answers = verdicts.join('; ');
    f['bytes the trap server received'] = trapGot.length;
    f['after: subscribed / valid patch / config.json loads'] = `${receiving} / ${good.status} / ${loads}${loadError ? ` (${loadError.slice(0, 200)})` : ''}`;
    c.check(trapGot.length === 0, `the trap server received ${trapGot.length} bytes${trapGot.includes(password) ? ', including the password' : ''}`);
    c.check(receiving, 'subscribed and receiving afterwards');
    c.check(good.status === 200 && after.parses, `a valid patch: ${good.status}, config.json parses: ${after.parses}`);
    c.check(loads, `config.json does not load back: ${loadError}`);
    c.check(!leaked, 'the password is in the log');
  });
}

// ---- (c) hostile dates in match lists -------------------------------------------------------

interface DateCase {
  name: string;
  matches: Array<Record<string, unknown>>;
  /** The counted reasons that are right for it, or 'accepted'. */
  expect: string | string[];
}

function match(id: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { matchid: id, lag1namn: `Hemma ${id}`, lag2namn: `Borta ${id}`, tid: tidAt(id * HOUR_MS), anlaggningnamn: 'Arena', ...extra };
}

export function hostileDateCases(): DateCase[] {
  const year = new Date().getUTCFullYear() + 1;
  return [
    { name: 'kickoff beyond what a Date holds', matches: [match(1), match(2, { tid: '/Date(8640000000000001)/' })], expect: 'bad_date' },
    { name: 'kickoff 99 digits long', matches: [match(1), match(2, { tid: `/Date(${'9'.repeat(99)})/` })], expect: 'bad_date' },
    { name: 'kickoff 10 years ahead', matches: [match(1), match(2, { tid: tidAt(3660 * 24 * HOUR_MS) })], expect: 'date_out_of_range' },
    { name: 'kickoff 5 years ago', matches: [match(1), match(2, { tid: tidAt(-1860 * 24 * HOUR_MS) })], expect: 'date_out_of_range' },
    // Not even the shape of a FOGIS date: the schema's pattern refuses it before the date check.
    { name: 'kickoff in year +275760', matches: [match(1), match(2, { tid: '+275760-09-13T00:00:00' })], expect: ['schema', 'bad_date'] },
    { name: 'February 30', matches: [match(1), match(2, { tid: `${year}-02-30T15:00:00` })], expect: 'bad_date' },
    { name: '25:61', matches: [match(1), match(2, { tid: `${year}-03-01T25:61:00` })], expect: 'bad_date' },
    { name: 'speldatum February 30', matches: [match(1), match(2, { tid: '/Date(-62135596800000)/', speldatum: `${year}-02-30` })], expect: 'bad_date' },
    { name: 'avsparkstid 25:61', matches: [match(1), match(2, { tid: '/Date(-62135596800000)/', speldatum: `${year}-03-01`, avsparkstid: '25:61' })], expect: 'bad_date' },
    { name: 'a number as tid', matches: [match(1), match(2, { tid: 1_800_000_000_000 })], expect: 'schema' },
    { name: 'the same match id twice', matches: [match(1), match(2), match(1, { lag1namn: 'Dubblett' })], expect: 'duplicate_match' },
    // FOGIS's null date means "no kickoff yet" (spec §2.7): accepted, the match has no event.
    { name: 'the null date /Date(-62135596800000)/', matches: [match(1), match(2, { tid: '/Date(-62135596800000)/' })], expect: 'accepted' },
  ];
}

export async function hostileDates(): Promise<Row> {
  return scenario(GROUP, 'Hostile dates in match lists (out of range, Feb 30, 25:61, the null date, duplicates)', 'each bad list is counted as rejected with its reason (bad_date, date_out_of_range, duplicate_match, schema) and the previous list stays; the null date is accepted as "no kickoff yet"; the app keeps running and subscribed and a valid list afterwards is processed', async (c, f, cleanup) => {
    const redis = await startRedis();
    cleanup(() => redis.stop());
    const app = await headless({ REDIS_URL: redis.url, ...FAST_REDIS_ENV });
    cleanup(() => app.stop());
    await waitStatus(app.baseUrl, (s) => s.subscribed, 10_000, 'subscribed');
    const pub = await publisher(redis.url);
    cleanup(() => pub.close());
    const cases = hostileDateCases();
    const verdicts: string[] = [];
    let rejected = 0;
    let delivered = 0;
    let received = 0;
    for (const cs of cases) await oneCase(c, app, pub, cs).then((r) => {
      verdicts.push(`${cs.name}: ${r.got}`);
      if (r.got !== 'accepted') rejected++;
      delivered += r.delivered;
      received += r.received;
    });
    const p = await publisher(redis.url);
    const before = await redisStats(app.baseUrl);
    await p.publish(CHANNELS.matches, JSON.stringify(envelope('match_updates', { matches: [match(41), match(42)] })));
    p.close();
    const processed = await waitUntil(async () => (await redisStats(app.baseUrl)).messages_processed > before.messages_processed, 5000, 'a valid list afterwards', 50).then(() => true, () => false);
    const status = await redisStatus(app.baseUrl);
    const health = await getJson(`${app.baseUrl}/health`).catch(() => ({ status: 0 }));
    f.verdicts = verdicts.join('; ');
    f['published / received / lost'] = pubRecvLost({ published: cases.length, delivered, received });
    f['rejected with a reason'] = `${rejected} of ${cases.filter((x) => x.expect !== 'accepted').length} bad lists`;
    c.check(app.child.exitCode === null && app.child.signalCode === null, 'the app kept running');
    c.check(status.subscribed, 'still subscribed');
    c.check(health.status === 200, `/health → ${health.status}`);
    c.check(processed, 'a valid list afterwards was processed');
  });
}

async function oneCase(c: Checks, app: HeadlessProcess, pub: { publish(ch: string, m: string): Promise<number> }, cs: DateCase): Promise<{ got: string; delivered: number; received: number }> {
  const before = await redisStats(app.baseUrl);
  const receivers = await pub.publish(CHANNELS.matches, JSON.stringify(envelope('match_updates', { matches: cs.matches })));
  const arrived = await waitUntil(async () => (await redisStats(app.baseUrl)).messages_received > before.messages_received, 5000, `${cs.name} received`, 25).then(() => true, () => false);
  // The verdict is counted right after the message (the same turn), but give it a moment.
  await sleep(100);
  const after = await redisStats(app.baseUrl);
  const reasons = Object.entries(after.rejected_by_reason).filter(([k, v]) => v > (before.rejected_by_reason[k] ?? 0)).map(([k, v]) => `${k}${v - (before.rejected_by_reason[k] ?? 0) > 1 ? `×${v - (before.rejected_by_reason[k] ?? 0)}` : ''}`);
  const got = !arrived ? 'not received' : reasons.length ? reasons.join(',') : after.messages_processed > before.messages_processed ? 'accepted' : 'dropped without a reason';
  const ok = Array.isArray(cs.expect) ? cs.expect.includes(got) : got === cs.expect;
  c.check(ok, `${cs.name}: expected ${String(cs.expect)}, got ${got}`);
  c.check(app.child.exitCode === null, `${cs.name}: the app exited`);
  return { got, delivered: receivers > 0 ? 1 : 0, received: after.messages_received - before.messages_received };
}
