import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { getJson, startHeadless, waitUntil, type HeadlessProcess } from '../test/harness/app';

/**
 * Shared pieces of the reliability scenarios: one result row per scenario, process CPU and
 * memory from /proc, a publisher that counts, and message builders. The same scenario
 * functions run from `npm run reliability` (full counts, writes RELIABILITY.md) and from
 * vitest (test/reliability/*.test.ts, smaller counts).
 */

export type Figures = Record<string, string | number | boolean | null>;

export interface Row {
  group: string;
  scenario: string;
  expectation: string;
  figures: Figures;
  pass: boolean;
  /** Set when the scenario could not run here; the reason says why. Never counts as a pass. */
  skipped?: string;
  notes?: string[];
}

/** Collects checks; a scenario passes only when every check held. */
export class Checks {
  readonly failures: string[] = [];
  readonly notes: string[] = [];
  check(ok: boolean, what: string): boolean {
    if (!ok) this.failures.push(what);
    return ok;
  }
  note(text: string): void {
    this.notes.push(text);
  }
  row(group: string, scenario: string, expectation: string, figures: Figures): Row {
    return { group, scenario, expectation, figures, pass: this.failures.length === 0, notes: [...this.failures.map((f) => `FAILED: ${f}`), ...this.notes] };
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const CLK_TCK = 100;

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the command: state(0) … utime(11) stime(12).
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Resident memory in MB, from /proc/<pid>/status. */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

/** Measures a process's CPU share (percent of one core) over `ms`. */
export async function cpuPercentOver(pid: number, ms: number): Promise<number> {
  const c0 = cpuSeconds(pid);
  const t0 = Date.now();
  await sleep(ms);
  const used = cpuSeconds(pid) - c0;
  return Math.round((used / ((Date.now() - t0) / 1000)) * 1000) / 10;
}

/** Samples RSS every `everyMs` until stopped; returns the peak. */
export function rssSampler(pid: number, everyMs = 20): { stop(): number } {
  let peak = 0;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMb(pid));
    } catch {
      /* process gone */
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

export interface RedisStatus {
  enabled: boolean;
  connected: boolean;
  subscribed: boolean;
  state: string;
  reason: string | null;
  possibly_stale: boolean;
  stale_since: string | null;
}

export async function redisStatus(baseUrl: string): Promise<RedisStatus> {
  return (await getJson(`${baseUrl}/redis-status`)).body.redis_status as unknown as RedisStatus;
}

export interface Stats {
  messages_received: number;
  messages_processed: number;
  errors: number;
  reconnect_count: number;
  duplicates: number;
  rejected_by_reason: Record<string, number>;
  by_type: Record<string, number>;
}

export async function redisStats(baseUrl: string): Promise<Stats> {
  return (await getJson(`${baseUrl}/redis-stats`)).body.stats as unknown as Stats;
}

/** Polls /redis-status until `pred` holds; returns the ms it took. */
export async function waitStatus(baseUrl: string, pred: (s: RedisStatus) => boolean, timeoutMs: number, what: string, intervalMs = 50): Promise<number> {
  const t0 = Date.now();
  await waitUntil(async () => {
    try {
      return pred(await redisStatus(baseUrl));
    } catch {
      return false;
    }
  }, timeoutMs, what, intervalMs);
  return Date.now() - t0;
}

const DAY_MS = 86_400_000;

/**
 * Kickoffs the scenarios send lie 30 days ahead of the run (noon UTC) plus an offset: inside
 * the message gate's window around today (shared/fogis-time.ts KICKOFF_WINDOW), in the
 * future so the calendar's played-match rules never apply, and the same for one run.
 */
export const KICKOFF_BASE_MS = ((): number => {
  const d = new Date();
  d.setUTCHours(12, 0, 0, 0);
  return d.getTime() + 30 * DAY_MS;
})();

/** A FOGIS `tid` (`/Date(ms)/`) `offsetMs` after KICKOFF_BASE_MS. */
export function tidAt(offsetMs: number): string {
  return `/Date(${KICKOFF_BASE_MS + offsetMs})/`;
}

/**
 * "published / received / lost" from measured counts: published = PUBLISH commands sent,
 * received = what the app's own counter (messages_received) says arrived, lost = messages
 * Redis delivered (PUBLISH answered ≥ 1 receiver) that the app did not count. A message
 * published while no subscriber existed is named separately, never hidden in the numbers.
 */
export function pubRecvLost(m: { published: number; delivered: number; received: number }): string {
  const noSubscriber = m.published - m.delivered;
  return `${m.published} / ${m.received} / ${Math.max(0, m.delivered - m.received)}${noSubscriber > 0 ? ` (${noSubscriber} had no subscriber)` : ''}`;
}

/** Addresses of machines other than this one (a registry, a mirror) never go into the report. */
export function scrubAddresses(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>|)]+/gi, (match) => {
    // Sentence punctuation after an address is not part of it.
    const url = match.replace(/[.,;:!?]+$/, '');
    const tail = match.slice(url.length);
    try {
      const host = new URL(url).hostname;
      return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' ? match : `<address removed>${tail}`;
    } catch {
      return `<address removed>${tail}`;
    }
  });
}

/** The groups of RELIABILITY.md's table; one group's scenarios may live in several files. */
export const GROUPS = { redis: 'Redis faults', crashes: 'Crashes and data safety', hostile: 'Hostile input' } as const;

/** Backoff used by the Redis fault scenarios: the first retry after 0.5 s, never more than 5 s apart. */
export const FAULT_BACKOFF = { REDIS_BACKOFF_INITIAL_MS: '500', REDIS_BACKOFF_MAX_MS: '5000' };
export const FAULT_BACKOFF_CAP_MS = 5000;

export const CHANNELS = { matches: 'fogis:matches:updates', status: 'fogis:processor:status', alerts: 'fogis:system:alerts' };

export function envelope(type: string, payload: Record<string, unknown>, id: string = randomUUID()): Record<string, unknown> {
  return { message_id: id, timestamp: new Date().toISOString(), source: 'reliability', version: '1.0', type, payload };
}

export function statusMessage(n: number): string {
  return JSON.stringify(envelope('processing_status', { status: 'started', details: { seq: n } }, `rel-${randomUUID()}-${n}`));
}

/** A Redis client for publishing; counts receivers as Redis reports them. */
export async function publisher(url: string): Promise<{ client: Redis; publish(channel: string, msg: string | Buffer): Promise<number>; close(): void }> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  return {
    client,
    publish: (channel, msg) => client.publish(channel, msg),
    close: () => client.disconnect(),
  };
}

/**
 * Publishes `n` numbered status messages, each only once Redis reports at least one
 * receiver; returns how many were delivered to a subscriber.
 */
export async function publishNumbered(url: string, n: number, intervalMs = 5): Promise<{ published: number; deliveredTo: number }> {
  const p = await publisher(url);
  let delivered = 0;
  try {
    for (let i = 0; i < n; i++) {
      delivered += (await p.publish(CHANNELS.status, statusMessage(i))) > 0 ? 1 : 0;
      if (intervalMs) await sleep(intervalMs);
    }
  } finally {
    p.close();
  }
  return { published: n, deliveredTo: delivered };
}

/** Waits until the app has received `expected` more messages than `before`; returns what arrived. */
export async function receivedAfter(baseUrl: string, before: number, expected: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let got = 0;
  while (Date.now() < deadline) {
    got = (await redisStats(baseUrl)).messages_received - before;
    if (got >= expected) break;
    await sleep(50);
  }
  return got;
}

/** The fewest fields a match in a list needs. */
export function minimalMatch(id: number): Record<string, unknown> {
  return { matchid: id, lag1namn: `H${id}`, lag2namn: `B${id}`, tid: tidAt(id * 60_000) };
}

/** A full match list (clears the "possibly stale" flag). */
export function fullMatchList(ids: number[]): string {
  return JSON.stringify(
    envelope('match_updates', {
      matches: ids.map((id) => ({ matchid: id, lag1namn: `Hemma ${id}`, lag2namn: `Borta ${id}`, tid: tidAt(id * 3_600_000), anlaggningnamn: 'Arena' })),
    }),
  );
}

/**
 * Publishes `n` messages at ~`perSecond` and counts: published, delivered (Redis reported a
 * receiver) and received by the app. Lost-while-connected = delivered − received.
 */
export async function publishAndCount(url: string, baseUrl: string, n: number, perSecond = 200): Promise<{ published: number; delivered: number; received: number }> {
  const before = (await redisStats(baseUrl)).messages_received;
  const p = await publisher(url);
  let delivered = 0;
  try {
    for (let i = 0; i < n; i++) {
      if ((await p.publish(CHANNELS.status, statusMessage(i))) > 0) delivered++;
      await sleep(1000 / perSecond);
    }
  } finally {
    p.close();
  }
  const received = await receivedAfter(baseUrl, before, delivered, 5000);
  return { published: n, delivered, received };
}

/** Headless app (dist/headless.js) with the given env; build first (`npm run build:core`). */
export async function headless(env: Record<string, string>, dataDir?: string): Promise<HeadlessProcess> {
  const app = await startHeadless({ env: { LOG_LEVEL: 'info', ...env }, ...(dataDir ? { dataDir } : {}), timeoutMs: 15_000 });
  // A scenario that times out never reaches its cleanups: don't leave the app behind.
  const kill = (): void => {
    if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
  };
  process.once('exit', kill);
  void app.exited.then(() => process.off('exit', kill));
  return app;
}

export function pidOf(app: HeadlessProcess): number {
  const pid = app.child.pid;
  if (pid === undefined) throw new Error('headless app has no pid');
  return pid;
}

export function ms(n: number | null | undefined): string {
  return n === null || n === undefined ? '–' : `${Math.round(n)} ms`;
}

/** Runs `fn`, always runs the cleanups (newest first), turns a throw into a failed row. */
export async function scenario(group: string, name: string, expectation: string, fn: (c: Checks, f: Figures, cleanup: (f: () => unknown) => void) => Promise<void>): Promise<Row> {
  const c = new Checks();
  const figures: Figures = {};
  const cleanups: Array<() => unknown> = [];
  const t0 = Date.now();
  try {
    await fn(c, figures, (f) => cleanups.push(f));
  } catch (err) {
    const where = err instanceof Error ? (err.stack ?? '').split('\n').find((l) => l.includes('/reliability/'))?.trim() : undefined;
    c.check(false, `${err instanceof Error ? (err.message.split('\n')[0] ?? '').slice(0, 400) : String(err)}${where ? ` (${where.replace(/^at /, 'at ').replace(/.*\/reliability\//, 'reliability/')})` : ''}`);
  } finally {
    for (const f of cleanups.reverse()) {
      try {
        await f();
      } catch {
        /* best effort */
      }
    }
  }
  figures.duration = `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  return c.row(group, name, expectation, figures);
}

export function skippedRow(group: string, name: string, expectation: string, reason: string): Row {
  return { group, scenario: name, expectation, figures: {}, pass: false, skipped: reason };
}
