/**
 * `npm run bench [-- --quick] [-- --only=startup,memory,throughput,latency,http,calendar]`
 *
 * One run, one redis-server of its own (free port, never 6379), every figure measured next to
 * its baseline: a bare ioredis subscriber that only counts, the same plus JSON.parse, and our
 * real headless process (dist/headless.js, measured from the inside by bench/probe.ts). Each
 * subscriber is its own process. A raw-RESP publisher (no client library in the way) drives
 * them. Prints a table, writes bench-results.json. Figures are medians of the repetitions;
 * compare the ratios, the absolute numbers move with the machine's load.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startRedis, freePort, type TestRedis } from '../test/harness/redis-server';
import type { ControlCommand, ControlEvent } from './control';
import { messageText, publishCommand, stamp, type Command, type SizeName } from './messages';

// ---- options ---------------------------------------------------------------------------------

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const onlyArg = argv.find((a) => a.startsWith('--only='));
const ONLY = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : null;
const want = (section: string): boolean => !ONLY || ONLY.has(section);
const ROOT = process.cwd();
const DIST = path.join(ROOT, 'dist');
const BENCH_DIST = path.join(DIST, 'bench');
/** `--headless=<file>`: measure another build of the headless app (e.g. an older commit's) as "ours". */
const headlessArg = argv.find((a) => a.startsWith('--headless='));
const HEADLESS = headlessArg ? path.resolve(headlessArg.slice('--headless='.length)) : path.join(DIST, 'headless.js');

const P = QUICK
  ? { reps: 1, n: { small: 50_000, m10: 4_000, m1000: 40 }, latSeconds: { small: 2, m10: 2, m1000: 6 }, memMessages: 200_000, httpSeconds: 2, startupReps: 2, calReps: 1 }
  : { reps: 3, n: { small: 200_000, m10: 15_000, m1000: 120 }, latSeconds: { small: 5, m10: 5, m1000: 12 }, memMessages: 1_000_000, httpSeconds: 5, startupReps: 5, calReps: 3 };
const LAT_RATE: Record<SizeName, number> = { small: 1000, m10: 1000, m1000: 10 };
/** How far the publisher may run ahead of the subscriber (messages): bounded Redis backlog. */
const WINDOW: Record<SizeName, number> = { small: 40_000, m10: 1_500, m1000: 20 };
/** Messages per socket write when pipelining. */
const BATCH: Record<SizeName, number> = { small: 200, m10: 4, m1000: 1 };

// ---- small helpers ---------------------------------------------------------------------------

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const hr = (): bigint => process.hrtime.bigint();
const median = (xs: number[]): number => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const quantile = (sorted: number[], q: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : NaN);
const MB = (b: number): number => Math.round((b / 1048576) * 10) / 10;
const r1 = (x: number): number => Math.round(x * 10) / 10;
const r2 = (x: number): number => Math.round(x * 100) / 100;
const r3 = (x: number): number => Math.round(x * 1000) / 1000;
function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}
function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error(`${what}: timed out after ${ms} ms`)), ms)))]).finally(() => clearTimeout(t));
}

// ---- raw RESP publisher -----------------------------------------------------------------------

class Publisher {
  private sock!: net.Socket;
  acked = 0;
  private ackWaiters: Array<() => void> = [];
  constructor(private readonly port: number) {}
  async connect(): Promise<void> {
    this.sock = net.connect(this.port, '127.0.0.1');
    this.sock.setNoDelay(true);
    await new Promise<void>((res, rej) => {
      this.sock.once('connect', res);
      this.sock.once('error', rej);
    });
    this.sock.on('data', (d: Buffer) => {
      // Each PUBLISH reply is ":<n>\r\n": one newline each.
      let n = 0;
      for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) n++;
      this.acked += n;
      const w = this.ackWaiters;
      this.ackWaiters = [];
      for (const f of w) f();
    });
  }
  async write(buf: Buffer): Promise<void> {
    if (!this.sock.write(buf)) await new Promise<void>((r) => this.sock.once('drain', () => r()));
  }
  writeNow(buf: Buffer): void {
    this.sock.write(buf);
  }
  async waitAcked(n: number): Promise<void> {
    while (this.acked < n) await new Promise<void>((r) => this.ackWaiters.push(r));
  }
  close(): void {
    this.sock.destroy();
  }
}

// ---- subscriber processes ----------------------------------------------------------------------

type Mem = Extract<ControlEvent, { ev: 'mem' }>;
type Reached = Extract<ControlEvent, { ev: 'reached' }>;

class Sub {
  progress = 0;
  private listeners = new Set<(e: ControlEvent) => void>();
  lines: string[] = [];
  exited = false;
  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
    /** Channel to publish each size on. */
    readonly channel: Record<SizeName, string>,
    readonly httpPort: number | null,
  ) {
    proc.on('message', (e: ControlEvent) => {
      if (e.ev === 'progress') this.progress = e.count;
      for (const l of [...this.listeners]) l(e);
    });
    const keep = (d: Buffer): void => {
      for (const line of d.toString('utf8').split('\n')) if (line.trim()) this.lines.push(line);
      if (this.lines.length > 200) this.lines.splice(0, this.lines.length - 200);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    proc.on('exit', () => (this.exited = true));
  }
  private send(c: ControlCommand): void {
    this.proc.send(c);
  }
  next<K extends ControlEvent['ev']>(ev: K, ms = 180_000): Promise<Extract<ControlEvent, { ev: K }>> {
    return withTimeout(
      new Promise((resolve) => {
        const l = (e: ControlEvent): void => {
          if (e.ev !== ev) return;
          this.listeners.delete(l);
          resolve(e as Extract<ControlEvent, { ev: K }>);
        };
        this.listeners.add(l);
      }),
      ms,
      `${this.name} ${ev}`,
    );
  }
  arm(target: number): Promise<Reached> {
    this.progress = 0;
    const p = this.next('reached');
    this.send({ cmd: 'arm', target });
    return p;
  }
  /** Resolves at the next progress report (≤ 50 ms). */
  tick(): Promise<unknown> {
    return this.next('progress', 60_000);
  }
  lat(on: boolean): void {
    this.send({ cmd: 'lat', on });
  }
  async latDump(): Promise<number[]> {
    const p = this.next('lat');
    this.send({ cmd: 'latdump' });
    return (await p).samples;
  }
  async mem(): Promise<Mem> {
    const p = this.next('mem', 30_000);
    this.send({ cmd: 'mem' });
    return p;
  }
  async stop(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.proc.kill('SIGTERM');
    await Promise.race([done, sleep(3000)]);
    if (!this.exited) this.proc.kill('SIGKILL');
  }
}

function headlessEnv(redisUrl: string, httpPort: number, dataDir: string): NodeJS.ProcessEnv {
  return { ...process.env, REDIS_URL: redisUrl, MONITOR_HTTP_PORT: String(httpPort), FOGIS_MONITOR_DATA_DIR: dataDir, NODE_ENV: 'production' };
}

const OUR_CHANNELS: Record<SizeName, string> = { small: 'fogis:processor:status', m10: 'fogis:matches:updates', m1000: 'fogis:matches:updates' };

async function startOurs(redisUrl: string): Promise<{ sub: Sub; dataDir: string }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fogis-bench-data-'));
  const httpPort = await freePort();
  const proc = spawn(process.execPath, ['--expose-gc', '--import', pathToFileURL(path.join(BENCH_DIST, 'probe.js')).href, HEADLESS], {
    env: headlessEnv(redisUrl, httpPort, dataDir),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const sub = new Sub('ours', proc, OUR_CHANNELS, httpPort);
  await withTimeout(
    new Promise<void>((resolve) => {
      const check = (d: Buffer): void => {
        if (d.toString().includes('[redis] subscribed to')) {
          proc.stdout?.off('data', check);
          resolve();
        }
      };
      proc.stdout?.on('data', check);
    }),
    30_000,
    'headless subscribed',
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${sub.lines.join('\n')}`);
  });
  return { sub, dataDir };
}

async function startBaseline(mode: 'count' | 'parse' | 'parsebuf', redisUrl: string): Promise<Sub> {
  const channel: Record<SizeName, string> = { small: `bench:${mode}:status`, m10: `bench:${mode}:matches`, m1000: `bench:${mode}:matches` };
  const proc = spawn(process.execPath, ['--expose-gc', path.join(BENCH_DIST, 'baseline-sub.js'), mode, redisUrl, channel.small, channel.m10], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const sub = new Sub(mode, proc, channel, null);
  await sub.next('ready', 30_000);
  return sub;
}

// ---- HTTP helpers -------------------------------------------------------------------------------

function getJson(port: number, p: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: p }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
          } catch (err) {
            reject(err as Error);
          }
        });
      })
      .on('error', reject);
  });
}

async function stats(port: number): Promise<Record<string, number>> {
  const j = (await getJson(port, '/redis-stats')) as { stats: Record<string, number> };
  return j.stats;
}

// ---- message templates ------------------------------------------------------------------------------

const texts = new Map<SizeName, string>();
function textOf(size: SizeName): string {
  let t = texts.get(size);
  if (!t) {
    t = messageText(ROOT, size);
    texts.set(size, t);
  }
  return t;
}
const commands = new Map<string, Command>();
function commandFor(channel: string, size: SizeName): Command {
  const key = `${channel}|${size}`;
  let c = commands.get(key);
  if (!c) {
    c = publishCommand(channel, textOf(size));
    commands.set(key, c);
  }
  return c;
}

let seq = 0;

/** Pipelined burst of n messages, at most WINDOW ahead of the subscriber. */
async function burst(pub: Publisher, sub: Sub, size: SizeName, n: number): Promise<{ msgPerSec: number; cpuUsPerMsg: number; peakRss: number }> {
  const cmd = commandFor(sub.channel[size], size);
  const len = cmd.buf.length;
  const reached = sub.arm(n);
  const t0 = hr();
  let sent = 0;
  while (sent < n) {
    while (sent - sub.progress >= WINDOW[size]) await sub.tick();
    const k = Math.min(BATCH[size], n - sent, WINDOW[size] - (sent - sub.progress));
    const chunk = Buffer.allocUnsafe(k * len);
    for (let i = 0; i < k; i++) {
      cmd.buf.copy(chunk, i * len);
      stamp(chunk, i * len + cmd.payloadOffset, ++seq, 0);
    }
    sent += k;
    await pub.write(chunk);
  }
  const r = await reached;
  const seconds = Number(BigInt(r.ns) - t0) / 1e9;
  return { msgPerSec: n / seconds, cpuUsPerMsg: r.cpuUs / n, peakRss: r.peakRss };
}

/** Fixed-rate publishing; every message carries its publish time. Returns latencies in ms. */
async function paced(pub: Publisher, sub: Sub, size: SizeName, rate: number, seconds: number, warmSeconds: number, onTick?: () => void): Promise<{ samples: number[]; sentPerSec: number }> {
  const cmd = commandFor(sub.channel[size], size);
  const warm = Math.round(rate * warmSeconds);
  const total = warm + Math.round(rate * seconds);
  const reached = sub.arm(total);
  sub.lat(true);
  const interval = 1e9 / rate;
  const start = hr();
  let next = Number(start);
  let i = 0;
  while (i < total) {
    const now = Number(hr());
    while (next <= now && i < total) {
      const b = Buffer.from(cmd.buf);
      stamp(b, cmd.payloadOffset, ++seq, hr());
      pub.writeNow(b);
      i++;
      next += interval;
    }
    onTick?.();
    const waitMs = (next - Number(hr())) / 1e6;
    await sleep(Math.max(1, Math.floor(waitMs)));
  }
  const elapsed = Number(hr() - start) / 1e9;
  await withTimeout(reached, 120_000, `${sub.name} paced ${size}`);
  sub.lat(false);
  const samples = (await sub.latDump()).slice(warm);
  return { samples, sentPerSec: total / elapsed };
}

function latencySummary(samples: number[]): { p50: number; p99: number; p999: number; max: number; n: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: quantile(s, 0.5), p99: quantile(s, 0.99), p999: quantile(s, 0.999), max: s[s.length - 1] ?? NaN, n: s.length };
}

// ---- sections ---------------------------------------------------------------------------------------

async function startup(redis: TestRedis): Promise<Record<string, unknown>> {
  const ours: number[] = [];
  const bare: number[] = [];
  for (let r = 0; r < P.startupReps; r++) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fogis-bench-start-'));
    const port = await freePort();
    const t0 = performance.now();
    const proc = spawn(process.execPath, [HEADLESS], { env: headlessEnv(redis.url, port, dataDir), stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stderr?.resume();
    let out = '';
    await withTimeout(
      new Promise<void>((resolve) => {
        proc.stdout?.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('[redis] subscribed to')) resolve();
        });
      }),
      30_000,
      'headless start-up',
    );
    ours.push(performance.now() - t0);
    const done = new Promise<void>((res) => proc.once('exit', () => res()));
    proc.kill('SIGTERM');
    await Promise.race([done, sleep(3000)]);
    rmSync(dataDir, { recursive: true, force: true });

    const t1 = performance.now();
    const b = await startBaseline('count', redis.url);
    bare.push(performance.now() - t1);
    await b.stop();
  }
  return { oursMs: r1(median(ours)), bareSubscriberMs: r1(median(bare)), samplesOurs: ours.map(r1), samplesBare: bare.map(r1) };
}

async function memory(pub: Publisher, ours: Sub, bare: Sub, parse: Sub): Promise<Record<string, unknown>> {
  await sleep(1500);
  const bareIdle = await bare.mem();
  const parseIdle = await parse.mem();
  const oursIdle = await ours.mem();
  log(`memory: idle ours ${MB(oursIdle.rss)} MB RSS, bare ${MB(bareIdle.rss)} MB; sending ${P.memMessages} small messages`);
  const tenth = Math.round(P.memMessages / 10);
  await burst(pub, ours, 'small', tenth);
  const oursTenth = await ours.mem();
  await burst(pub, ours, 'small', P.memMessages - tenth);
  const oursAfter = await ours.mem();
  const m = (x: Mem): Record<string, number> => ({ rssMB: MB(x.rss), heapUsedMB: MB(x.heapUsed), heapTotalMB: MB(x.heapTotal), externalMB: MB(x.external) });
  return {
    messages: P.memMessages,
    bareIdle: m(bareIdle),
    parseIdle: m(parseIdle),
    oursIdle: m(oursIdle),
    oursAfterTenth: m(oursTenth),
    oursAfter: m(oursAfter),
    idleAboveBareMB: MB(oursIdle.rss - bareIdle.rss),
    rssGrowthMB: MB(oursAfter.rss - oursIdle.rss),
    heapGrowthMB: MB(oursAfter.heapUsed - oursIdle.heapUsed),
    rssGrowthLast90pctMB: MB(oursAfter.rss - oursTenth.rss),
    heapGrowthLast90pctMB: MB(oursAfter.heapUsed - oursTenth.heapUsed),
  };
}

async function throughput(pub: Publisher, subs: Sub[], sizes: SizeName[], out: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  for (const size of sizes) {
    const n = P.n[size];
    const runs: Record<string, Array<{ msgPerSec: number; cpuUsPerMsg: number; peakRss: number }>> = {};
    for (const s of subs) {
      runs[s.name] = [];
      await burst(pub, s, size, Math.max(5, Math.round(n / 5))); // warm-up: JIT, buffers
    }
    for (let r = 0; r < P.reps; r++) {
      // Rotate the order each repetition so no subscriber always runs first on a noisy machine.
      const order = subs.map((_, i) => subs[(i + r) % subs.length]!);
      for (const s of order) runs[s.name]!.push(await burst(pub, s, size, n));
    }
    const row: Record<string, unknown> = { bytes: Buffer.byteLength(textOf(size)), messages: n };
    for (const s of subs) {
      const rs = runs[s.name]!;
      row[s.name] = { msgPerSec: Math.round(median(rs.map((x) => x.msgPerSec))), cpuUsPerMsg: r1(median(rs.map((x) => x.cpuUsPerMsg))), peakRssMB: MB(Math.max(...rs.map((x) => x.peakRss))), samples: rs.map((x) => Math.round(x.msgPerSec)) };
    }
    const get = (name: string): number => (row[name] as { msgPerSec: number } | undefined)?.msgPerSec ?? NaN;
    row.oursVsCount = r3(get('ours') / get('count'));
    row.oursVsParse = r3(get('ours') / get('parse'));
    row.oursTimeVsParse = r3(get('parse') / get('ours'));
    out[size] = row;
    log(`throughput ${size}: count ${get('count')}/s, parse ${get('parse')}/s, ours ${get('ours')}/s (×${row.oursVsParse as number} of parse)`);
  }
  return out;
}

async function latency(pub: Publisher, subs: Sub[], sizes: SizeName[], out: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  for (const size of sizes) {
    const res: Record<string, Array<ReturnType<typeof latencySummary>>> = {};
    for (const s of subs) res[s.name] = [];
    for (let r = 0; r < P.reps; r++) {
      for (const s of subs) {
        const { samples } = await paced(pub, s, size, LAT_RATE[size], P.latSeconds[size], size === 'm1000' ? 1 : 0.5);
        res[s.name]!.push(latencySummary(samples));
      }
    }
    const row: Record<string, unknown> = { ratePerSec: LAT_RATE[size], seconds: P.latSeconds[size] };
    for (const s of subs) {
      const xs = res[s.name]!;
      row[s.name] = { p50: r3(median(xs.map((x) => x.p50))), p99: r3(median(xs.map((x) => x.p99))), p999: r3(median(xs.map((x) => x.p999))), max: r3(Math.max(...xs.map((x) => x.max))), samplesPerRun: xs[0]?.n ?? 0 };
    }
    out[size] = row;
    const o = row.ours as { p50: number; p99: number; p999: number };
    log(`latency ${size} @${LAT_RATE[size]}/s: ours p50 ${o.p50} p99 ${o.p99} p99.9 ${o.p999} ms`);
  }
  return out;
}

/** /redis-stats under 100 keep-alive clients while 5,000 small messages/s flow; SSE pushes to one client. */
async function httpLoad(pub: Publisher, ours: Sub): Promise<Record<string, unknown>> {
  const port = ours.httpPort!;
  const runLoad = (seconds: number): Promise<Record<string, number>> =>
    new Promise((resolve, reject) => {
      const p = spawn(process.execPath, [path.join(BENCH_DIST, 'loadgen.js'), `http://127.0.0.1:${port}/redis-stats`, '100', String(seconds * 1000)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.on('exit', (code) => {
        try {
          resolve(JSON.parse(out) as Record<string, number>);
        } catch {
          reject(new Error(`loadgen failed (${code}): ${out}`));
        }
      });
    });

  // SSE: one dashboard client; a push is one coalesced flush (it carries one "state" event).
  const pushTimes: number[] = [];
  let sseBytes = 0;
  const sse = http.get({ host: '127.0.0.1', port, path: '/api/events' });
  sse.on('response', (res) => {
    let buf = '';
    res.on('data', (d: Buffer) => {
      sseBytes += d.length;
      buf += d.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n\n')) !== -1) {
        const ev = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (ev.startsWith('data: {"kind":"state"')) pushTimes.push(performance.now());
      }
    });
  });
  sse.on('error', () => undefined);
  await sleep(500);

  const idle = QUICK ? null : await runLoad(3);
  const pushesBefore = pushTimes.length;
  const before = await stats(port);
  const tStart = performance.now();
  const loadP = runLoad(P.httpSeconds);
  const flow = await paced(pub, ours, 'small', 5000, P.httpSeconds, 0);
  const load = await loadP;
  const tEnd = performance.now();
  await sleep(300);
  const after = await stats(port);
  sse.destroy();
  const windowPushes = pushTimes.filter((t) => t >= tStart && t <= tEnd);
  const buckets = new Map<number, number>();
  for (const t of windowPushes) buckets.set(Math.floor((t - tStart) / 1000), (buckets.get(Math.floor((t - tStart) / 1000)) ?? 0) + 1);
  const lat = latencySummary(flow.samples);
  return {
    idle: idle ? { rps: Math.round(idle.rps ?? 0), p50: r2(idle.p50 ?? NaN), p99: r2(idle.p99 ?? NaN), errors: idle.errors } : null,
    underFlow: { rps: Math.round(load.rps ?? 0), p50: r2(load.p50 ?? NaN), p99: r2(load.p99 ?? NaN), errors: load.errors, requests: load.requests },
    messagesPerSecSent: Math.round(flow.sentPerSec),
    messagesProcessedInWindow: (after.messages_processed ?? 0) - (before.messages_processed ?? 0),
    messageLatencyUnderLoad: { p50: r3(lat.p50), p99: r3(lat.p99), p999: r3(lat.p999) },
    ssePushesPerSec: r1(windowPushes.length / ((tEnd - tStart) / 1000)),
    ssePushesMaxInOneSecond: Math.max(0, ...[...buckets.entries()].filter(([k]) => k < Math.floor((tEnd - tStart) / 1000)).map(([, v]) => v)),
    ssePushesTotal: pushTimes.length - pushesBefore,
    sseKBPerSec: r1(sseBytes / 1024 / ((tEnd - tStart) / 1000)),
  };
}

function calendar(): Record<string, unknown> {
  const r = spawnSync(process.execPath, [path.join(BENCH_DIST, 'calendar.js'), ROOT, String(P.calReps)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { error: `calendar bench failed (${r.status}): ${r.stderr.slice(-2000)}` };
  }
}

// ---- report ---------------------------------------------------------------------------------------

function machine(): Record<string, unknown> {
  const redisVersion = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.trim();
  const ioredis = (JSON.parse(readFileSync(path.join(ROOT, 'node_modules/ioredis/package.json'), 'utf8')) as { version: string }).version;
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', cwd: ROOT }).stdout.trim();
  return { headless: path.relative(ROOT, HEADLESS), nproc: os.availableParallelism(), cpu: os.cpus()[0]?.model ?? 'unknown', memGB: r1(os.totalmem() / 2 ** 30), node: process.version, ioredis, redis: redisVersion.replace(/^Redis server /, '').split(' ').slice(0, 1).join(' '), os: `${os.type()} ${os.release()}`, git, quick: QUICK, date: new Date().toISOString() };
}

type Results = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function table(res: Results): string {
  const lines: string[] = [];
  const f = (x: unknown, d = 0): string => (typeof x === 'number' && Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '–');
  const ok = (b: boolean | null): string => (b === null ? 'n/a' : b ? 'MET' : 'MISSED');
  const m = res.machine;
  lines.push(`Machine: ${m.nproc} × ${m.cpu}, ${m.memGB} GB, Node ${m.node}, ioredis ${m.ioredis}, redis ${m.redis}${m.quick ? '  (QUICK RUN)' : ''}`);
  const targets: Array<[string, boolean | null, string]> = [];
  if (res.throughput) {
    lines.push('', '| throughput (pipelined publisher) | bytes | count-only msg/s | ioredis+JSON.parse msg/s | ours msg/s | ours ÷ count | ours ÷ parse | ours CPU µs/msg | parse CPU µs/msg |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const size of ['small', 'm10', 'm1000']) {
      const t = res.throughput[size];
      if (!t) continue;
      lines.push(`| ${size} | ${f(t.bytes)} | ${f(t.count.msgPerSec)} | ${f(t.parse.msgPerSec)} | ${f(t.ours.msgPerSec)} | ${f(t.oursVsCount, 2)} | ${f(t.oursVsParse, 2)} | ${f(t.ours.cpuUsPerMsg, 1)} | ${f(t.parse.cpuUsPerMsg, 1)} |`);
    }
    const t = res.throughput;
    if (t.small) targets.push(['small: ours ≥ 0.8 × parse', t.small.oursVsParse >= 0.8, `${f(t.small.oursVsParse, 2)}×`]);
    if (t.m10) targets.push(['m10: ours ≥ 0.8 × parse', t.m10.oursVsParse >= 0.8, `${f(t.m10.oursVsParse, 2)}×`]);
    if (t.m1000) targets.push(['m1000: ours time ≤ 1.2 × parse', t.m1000.oursTimeVsParse <= 1.2, `${f(t.m1000.oursTimeVsParse, 2)}×`]);
  }
  if (res.latency) {
    lines.push('', '| latency publish → state updated | rate | parse p50 / p99 / p99.9 ms | ours p50 / p99 / p99.9 ms | ours max ms |', '|---|---:|---|---|---:|');
    for (const size of ['small', 'm10', 'm1000']) {
      const l = res.latency[size];
      if (!l) continue;
      lines.push(`| ${size} | ${l.ratePerSec}/s | ${f(l.parse.p50, 2)} / ${f(l.parse.p99, 2)} / ${f(l.parse.p999, 2)} | ${f(l.ours.p50, 2)} / ${f(l.ours.p99, 2)} / ${f(l.ours.p999, 2)} | ${f(l.ours.max, 1)} |`);
    }
    if (res.latency.m10) targets.push(['m10 @1000/s: ours p99 ≤ 5 ms', res.latency.m10.ours.p99 <= 5, `${f(res.latency.m10.ours.p99, 2)} ms`]);
  }
  if (res.memory) {
    const mm = res.memory;
    lines.push('', '| memory (after GC) | RSS MB | heap used MB |', '|---|---:|---:|');
    lines.push(`| bare subscriber, idle | ${f(mm.bareIdle.rssMB, 1)} | ${f(mm.bareIdle.heapUsedMB, 1)} |`);
    lines.push(`| ioredis+JSON.parse, idle | ${f(mm.parseIdle.rssMB, 1)} | ${f(mm.parseIdle.heapUsedMB, 1)} |`);
    lines.push(`| ours (headless), idle | ${f(mm.oursIdle.rssMB, 1)} | ${f(mm.oursIdle.heapUsedMB, 1)} |`);
    lines.push(`| ours after ${f(mm.messages / 10)} small | ${f(mm.oursAfterTenth.rssMB, 1)} | ${f(mm.oursAfterTenth.heapUsedMB, 1)} |`);
    lines.push(`| ours after ${f(mm.messages)} small | ${f(mm.oursAfter.rssMB, 1)} | ${f(mm.oursAfter.heapUsedMB, 1)} |`);
    lines.push(`| growth idle → ${f(mm.messages)} (last 90 %) | ${f(mm.rssGrowthMB, 1)} (${f(mm.rssGrowthLast90pctMB, 1)}) | ${f(mm.heapGrowthMB, 1)} (${f(mm.heapGrowthLast90pctMB, 1)}) |`);
    targets.push(['idle RSS ≤ bare + 15 MB', mm.idleAboveBareMB <= 15, `+${f(mm.idleAboveBareMB, 1)} MB`]);
    targets.push([`RSS growth over ${f(mm.messages)} msgs ≤ 5 MB`, mm.messages >= 1_000_000 ? mm.rssGrowthMB <= 5 : null, `${f(mm.rssGrowthMB, 1)} MB`]);
  }
  if (res.throughput?.m1000) lines.push(`Peak RSS draining m1000 bursts: ours ${f(res.throughput.m1000.ours.peakRssMB, 1)} MB, parse ${f(res.throughput.m1000.parse.peakRssMB, 1)} MB, count ${f(res.throughput.m1000.count.peakRssMB, 1)} MB`);
  if (res.calendar?.backends) {
    lines.push('', '| calendar, 1000-match list | first sight: decide ms / settle ms / writes / API calls | unchanged: decide ms / settle ms / writes / API calls / pending |', '|---|---|---|');
    for (const b of res.calendar.backends) {
      lines.push(`| ${b.backend} | ${f(b.firstDecisionMs, 1)} / ${f(b.firstSettleMs)} / ${b.firstWrites} / ${b.firstApiCalls} | ${f(b.unchangedDecisionMs, 1)} / ${f(b.unchangedSettleMs, 1)} / ${b.unchangedWrites} / ${b.unchangedApiCalls} / ${b.unchangedPending} |`);
      targets.push([`calendar ${b.backend}: unchanged → 0 writes, 0 API calls, decide ≤ 50 ms`, b.unchangedWrites === 0 && b.unchangedApiCalls === 0 && b.unchangedDecisionMs <= 50, `${b.unchangedWrites} writes, ${b.unchangedApiCalls} calls, ${f(b.unchangedDecisionMs, 1)} ms`]);
    }
    const ing = res.calendar.ingest as Array<{ sink: string; firstMs: number; unchangedMs: number }>;
    if (ing) {
      const by = (s: string): number => median(ing.filter((x) => x.sink === s).map((x) => x.unchangedMs));
      lines.push(`Monitor.ingest of an unchanged 1000-match message: ${f(by('recording'), 1)} ms with the recording sink, ${f(by('ics'), 1)} ms with the real ICS sink`);
    }
  } else if (res.calendar?.error) lines.push('', `calendar: ${res.calendar.error}`);
  if (res.http) {
    const h = res.http;
    lines.push('', '| GET /redis-stats, 100 keep-alive clients | req/s | p50 ms | p99 ms | errors |', '|---|---:|---:|---:|---:|');
    if (h.idle) lines.push(`| no messages | ${f(h.idle.rps)} | ${f(h.idle.p50, 2)} | ${f(h.idle.p99, 2)} | ${h.idle.errors} |`);
    lines.push(`| while ${f(h.messagesPerSecSent)} small msg/s flow | ${f(h.underFlow.rps)} | ${f(h.underFlow.p50, 2)} | ${f(h.underFlow.p99, 2)} | ${h.underFlow.errors} |`);
    lines.push(`Messages processed during the window: ${f(h.messagesProcessedInWindow)}; their latency p50/p99/p99.9 ${f(h.messageLatencyUnderLoad.p50, 2)} / ${f(h.messageLatencyUnderLoad.p99, 2)} / ${f(h.messageLatencyUnderLoad.p999, 2)} ms`);
    lines.push(`SSE to one dashboard client: ${f(h.ssePushesPerSec, 1)} pushes/s (max ${h.ssePushesMaxInOneSecond} in one second), ${f(h.sseKBPerSec, 1)} KB/s`);
    targets.push(['SSE ≤ 10 pushes/s', h.ssePushesMaxInOneSecond <= 10, `${f(h.ssePushesPerSec, 1)}/s, max ${h.ssePushesMaxInOneSecond}`]);
  }
  if (res.startup) lines.push('', `Start-up to subscribed: ours (headless) ${f(res.startup.oursMs)} ms, bare ioredis subscriber ${f(res.startup.bareSubscriberMs)} ms (medians)`);
  if (res.totals) lines.push(`Our process totals: ${JSON.stringify(res.totals)}`);
  if (targets.length) {
    lines.push('', '| target | result | |', '|---|---|---|');
    for (const [name, pass, value] of targets) lines.push(`| ${name} | ${value} | ${ok(pass)} |`);
  }
  return lines.join('\n');
}

// ---- main -------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const t0 = performance.now();
  const results: Results = { machine: machine(), params: P };
  log(`machine: ${JSON.stringify(results.machine)}`);
  const redis = await startRedis({ args: ['--client-output-buffer-limit', 'pubsub', '0', '0', '0', '--loglevel', 'warning'] });
  log(`redis-server on ${redis.port}`);
  const subs: Sub[] = [];
  const cleanup: Array<() => Promise<void> | void> = [];
  try {
    for (const s of ['small', 'm10', 'm1000'] as SizeName[]) log(`message ${s}: ${Buffer.byteLength(textOf(s))} bytes`);
    if (want('startup')) {
      results.startup = await startup(redis);
      log(`start-up: ${JSON.stringify(results.startup)}`);
    }
    const pub = new Publisher(redis.port);
    await pub.connect();
    cleanup.push(() => pub.close());
    const bare = await startBaseline('count', redis.url);
    const parse = await startBaseline('parse', redis.url);
    const { sub: ours, dataDir } = await startOurs(redis.url);
    subs.push(bare, parse, ours);
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    if (want('memory')) results.memory = await memory(pub, ours, bare, parse);
    // Size by size, so our process sees one list switch (10 → 1000 matches, all new) and
    // never a 1000 → 10 switch, which holds back 990 calendar deletions (see BENCHMARKS.md).
    if (want('throughput')) results.throughput = {};
    if (want('latency')) results.latency = {};
    for (const size of ['small', 'm10', 'm1000'] as SizeName[]) {
      const guard = async (section: string, fn: () => Promise<unknown>): Promise<void> => {
        try {
          await fn();
        } catch (err) {
          log(`${section} ${size} failed: ${(err as Error).message}\n  ${ours.lines.slice(-8).join('\n  ')}`);
          (results[section] as Record<string, unknown>)[`${size}_error`] = (err as Error).message;
        }
      };
      if (want('throughput')) await guard('throughput', () => throughput(pub, [bare, parse, ours], [size], results.throughput));
      if (want('latency')) await guard('latency', () => latency(pub, [parse, ours], [size], results.latency));
    }
    if (want('http')) {
      results.http = await httpLoad(pub, ours);
      log(`http: ${JSON.stringify(results.http)}`);
    }
    const st = await stats(ours.httpPort!);
    results.totals = { messages_received: st.messages_received, messages_processed: st.messages_processed, errors: st.errors, duplicates: st.duplicates };
    if (want('calendar')) {
      log('calendar decisions (real sink: electron/core/sync createCalendarSink)');
      results.calendar = calendar();
    }
  } catch (err) {
    for (const s of subs) if (s.lines.length) log(`last output of ${s.name}:\n  ${s.lines.slice(-30).join('\n  ')}`);
    throw err;
  } finally {
    for (const s of subs) await s.stop();
    for (const c of cleanup) await c();
    await redis.stop();
  }
  results.seconds = Math.round((performance.now() - t0) / 1000);
  const text = table(results);
  process.stdout.write(`\n${text}\n\nTotal ${results.seconds} s. Results in bench-results.json\n`);
  writeFileSync(path.join(ROOT, 'bench-results.json'), `${JSON.stringify({ ...results, table: text }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
