/**
 * The benchmark's moving parts: a raw-RESP publisher, the subscriber processes it drives over
 * IPC (bench/control.ts), pipelined bursts and paced streams, and the small helpers every step
 * shares. Steps live in bench/steps-*.ts; bench/run.ts runs them, each within its own time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort } from '../test/harness/redis-server';
import type { ControlCommand, ControlEvent } from './control';
import { stamp, type Command, type SizeName } from './messages';

export const ROOT = process.cwd();
export const BENCH_DIST = path.join(ROOT, 'dist', 'bench');

// ---- small helpers ---------------------------------------------------------------------------

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const hr = (): bigint => process.hrtime.bigint();
export const median = (xs: number[]): number => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
export const quantile = (sorted: number[], q: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : NaN);
export const MB = (b: number): number => Math.round((b / 1048576) * 10) / 10;
export const r1 = (x: number): number => Math.round(x * 10) / 10;
export const r2 = (x: number): number => Math.round(x * 100) / 100;
export const r3 = (x: number): number => Math.round(x * 1000) / 1000;
export function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error(`${what}: timed out after ${Math.round(ms / 1000)} s`)), ms)))]).finally(() => clearTimeout(t));
}

/**
 * Each step runs under a new generation; the loops of a step that ran out of time see the
 * generation move on and stop at their next turn instead of publishing behind the next
 * step's back.
 */
export const steps = { generation: 0 };
export function stepGuard(): () => void {
  const mine = steps.generation;
  return () => {
    if (steps.generation !== mine) throw new Error('step aborted (out of time)');
  };
}

// ---- raw RESP publisher -----------------------------------------------------------------------

export class Publisher {
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
  close(): void {
    this.sock.destroy();
  }
}

// ---- subscriber processes ----------------------------------------------------------------------

export type Mem = Extract<ControlEvent, { ev: 'mem' }>;
export type Reached = Extract<ControlEvent, { ev: 'reached' }>;
export type Eld = Extract<ControlEvent, { ev: 'eld' }>;

export class Sub {
  progress = 0;
  /** Highest RSS the progress reports showed since the last arm. */
  peakRssSeen = 0;
  private listeners = new Set<(e: ControlEvent | { ev: 'exit' }) => void>();
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
      if (e.ev === 'progress') {
        this.progress = e.count;
        this.peakRssSeen = Math.max(this.peakRssSeen, e.rss);
      }
      for (const l of [...this.listeners]) l(e);
    });
    const keep = (d: Buffer): void => {
      for (const line of d.toString('utf8').split('\n')) if (line.trim()) this.lines.push(line);
      if (this.lines.length > 200) this.lines.splice(0, this.lines.length - 200);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    proc.on('exit', (code, signal) => {
      this.exited = true;
      this.lines.push(`(exited: ${code ?? signal})`);
      for (const l of [...this.listeners]) l({ ev: 'exit' });
    });
  }
  send(c: ControlCommand): void {
    if (!this.exited) this.proc.send(c);
  }
  /** The next event of a kind; fails at once when the process has exited. */
  next<K extends ControlEvent['ev']>(ev: K, ms = 120_000): Promise<Extract<ControlEvent, { ev: K }>> {
    if (this.exited) return Promise.reject(new Error(`${this.name} has exited: ${this.lines.slice(-3).join(' | ')}`));
    let l: (e: ControlEvent | { ev: 'exit' }) => void = () => undefined;
    const p = withTimeout(
      new Promise<Extract<ControlEvent, { ev: K }>>((resolve, reject) => {
        l = (e) => {
          if (e.ev === 'exit') reject(new Error(`${this.name} exited: ${this.lines.slice(-3).join(' | ')}`));
          else if (e.ev === ev) resolve(e as Extract<ControlEvent, { ev: K }>);
          else return;
          this.listeners.delete(l);
        };
        this.listeners.add(l);
      }),
      ms,
      `${this.name} ${ev}`,
    ).finally(() => this.listeners.delete(l));
    // A step that ran out of time may leave this unawaited: its failure is already reported.
    p.catch(() => undefined);
    return p;
  }
  /**
   * Sets a target; resolves once the subscriber has it in force, with the promise of the
   * target reached. Publishing must wait for that: a message that arrived before the arm
   * would count towards the previous target and the new one would never be reached.
   */
  async arm(target: number, ms?: number): Promise<{ reached: Promise<Reached> }> {
    this.progress = 0;
    this.peakRssSeen = 0;
    const reached = this.next('reached', ms);
    const armed = this.next('armed', 30_000);
    this.send({ cmd: 'arm', target });
    await armed;
    return { reached };
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
  /** Total CPU time of the process (all its threads), µs. */
  async cpu(): Promise<number> {
    const p = this.next('cpu', 30_000);
    this.send({ cmd: 'cpu' });
    return (await p).us;
  }
  eldStart(): void {
    this.send({ cmd: 'eld', on: true });
  }
  async eldStop(): Promise<Eld> {
    const p = this.next('eld', 30_000);
    this.send({ cmd: 'eld', on: false });
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

export function headlessEnv(redisUrl: string, httpPort: number, dataDir: string): NodeJS.ProcessEnv {
  return { ...process.env, REDIS_URL: redisUrl, MONITOR_HTTP_PORT: String(httpPort), FOGIS_MONITOR_DATA_DIR: dataDir, NODE_ENV: 'production' };
}

export const OUR_CHANNELS: Record<SizeName, string> = { small: 'fogis:processor:status', m10: 'fogis:matches:updates', m1000: 'fogis:matches:updates' };

/** The real headless app with the probe preloaded (bench/probe.ts), default config (ICS calendar). */
export async function startOurs(headless: string, redisUrl: string): Promise<{ sub: Sub; dataDir: string }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fogis-bench-data-'));
  const httpPort = await freePort();
  const proc = spawn(process.execPath, ['--expose-gc', '--import', pathToFileURL(path.join(BENCH_DIST, 'probe.js')).href, headless], {
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

export async function startBaseline(mode: 'count' | 'parse' | 'parsebuf', redisUrl: string): Promise<Sub> {
  const channel: Record<SizeName, string> = { small: `bench:${mode}:status`, m10: `bench:${mode}:matches`, m1000: `bench:${mode}:matches` };
  const proc = spawn(process.execPath, ['--expose-gc', path.join(BENCH_DIST, 'baseline-sub.js'), mode, redisUrl, channel.small, channel.m10], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const sub = new Sub(mode, proc, channel, null);
  await sub.next('ready', 30_000);
  return sub;
}

// ---- HTTP -----------------------------------------------------------------------------------------

export function getJson(port: number, p: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, timeout: 20_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${p}: no answer in 20 s`)));
    req.on('error', reject);
  });
}

export async function stats(port: number): Promise<Record<string, number>> {
  const j = (await getJson(port, '/redis-stats')) as { stats: Record<string, number> };
  return j.stats;
}

// ---- publishing -------------------------------------------------------------------------------------

/** How far the publisher may run ahead of the subscriber (messages): bounded Redis backlog. */
export const WINDOW: Record<SizeName, number> = { small: 40_000, m10: 1_500, m1000: 20 };
/** Messages per socket write when pipelining. */
const BATCH: Record<SizeName, number> = { small: 200, m10: 4, m1000: 1 };

let seq = 0;
/** The next unique message number (the monitor drops repeated message ids). */
export const nextSeq = (): number => ++seq;

/** A burst fails when its subscriber handles nothing for this long. */
const STALL_MS = 20_000;

/** Where message i of a run comes from: a fixed command (stamped in a copy) or a series. */
export type Source = (i: number) => Command;

export interface BurstResult {
  msgPerSec: number;
  cpuUsPerMsg: number;
  peakRss: number;
}

/**
 * Pipelined burst of n messages, at most `window` ahead of the subscriber. For our process,
 * done means applied: the probe counts a message when ioredis' listener returns; when the
 * core hands work on (a worker), the burst also waits for /redis-stats to count n processed.
 */
export async function burst(pub: Publisher, sub: Sub, size: SizeName, n: number, source: Source, window = WINDOW[size]): Promise<BurstResult> {
  const checkAbort = stepGuard();
  const before = sub.httpPort ? (await stats(sub.httpPort)).messages_processed ?? 0 : 0;
  const { reached } = await sub.arm(n);
  const t0 = hr();
  let sent = 0;
  while (sent < n) {
    checkAbort();
    while (sent - sub.progress >= window) {
      checkAbort();
      await sub.tick();
    }
    const k = Math.min(BATCH[size], n - sent, window - (sent - sub.progress));
    const cmds = Array.from({ length: k }, (_, j) => source(sent + j));
    const chunk = Buffer.allocUnsafe(cmds.reduce((a, c) => a + c.buf.length, 0));
    let at = 0;
    for (const c of cmds) {
      c.buf.copy(chunk, at);
      stamp(chunk, at + c.payloadOffset, nextSeq(), 0);
      at += c.buf.length;
    }
    sent += k;
    await pub.write(chunk);
  }
  // A subscriber that stops making progress fails the burst at once, saying how far it got.
  let r: Reached | null = null;
  void reached.then((x) => (r = x)).catch(() => undefined);
  let last = sub.progress;
  let lastMove = Date.now();
  while (!r) {
    await Promise.race([reached, sleep(250)]);
    checkAbort();
    if (sub.progress !== last) {
      last = sub.progress;
      lastMove = Date.now();
    } else if (!r && Date.now() - lastMove > STALL_MS) {
      // Its last warning or error about Redis says why (e.g. the subscription dropped).
      const said = sub.lines.filter((l) => l.includes('[redis]') && !l.includes(' INFO ')).slice(-1)[0] ?? '';
      throw new Error(`${sub.name} handled ${sub.progress} of ${n} messages, then nothing for ${STALL_MS / 1000} s${said ? `; it said: ${said.replace(/^\S+\s+/, '')}` : ''}`);
    }
  }
  let end = Number(BigInt((r as Reached).ns) - t0);
  if (sub.httpPort) {
    const deadline = Date.now() + 60_000;
    while (((await stats(sub.httpPort)).messages_processed ?? 0) - before < n) {
      if (Date.now() > deadline) throw new Error(`${sub.name}: /redis-stats did not count ${n} processed within 60 s`);
      checkAbort();
      await sleep(5);
      end = Number(hr() - t0);
    }
  }
  const done = r as Reached;
  return { msgPerSec: n / (end / 1e9), cpuUsPerMsg: done.cpuUs / n, peakRss: done.peakRss };
}

/** Fixed-rate publishing; every message carries its publish time. Returns latencies in ms. */
export async function paced(pub: Publisher, sub: Sub, source: Source, rate: number, seconds: number, warmSeconds: number): Promise<{ samples: number[]; sentPerSec: number }> {
  const checkAbort = stepGuard();
  const warm = Math.round(rate * warmSeconds);
  const total = warm + Math.round(rate * seconds);
  const { reached } = await sub.arm(total, 60_000 + seconds * 2000);
  sub.lat(true);
  const interval = 1e9 / rate;
  const start = hr();
  let next = Number(start);
  let i = 0;
  while (i < total) {
    checkAbort();
    const now = Number(hr());
    while (next <= now && i < total) {
      const cmd = source(i);
      const b = Buffer.from(cmd.buf);
      stamp(b, cmd.payloadOffset, nextSeq(), hr());
      pub.writeNow(b);
      i++;
      next += interval;
    }
    const waitMs = (next - Number(hr())) / 1e6;
    await sleep(Math.max(1, Math.floor(waitMs)));
  }
  const elapsed = Number(hr() - start) / 1e9;
  await reached;
  sub.lat(false);
  const samples = (await sub.latDump()).slice(warm);
  return { samples, sentPerSec: total / elapsed };
}

export interface LatencySummary {
  p50: number;
  p99: number;
  p999: number;
  max: number;
  n: number;
}
export function latencySummary(samples: number[]): LatencySummary {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: quantile(s, 0.5), p99: quantile(s, 0.99), p999: quantile(s, 0.999), max: s[s.length - 1] ?? NaN, n: s.length };
}

/** The three subscribers every step measures side by side. */
export interface Subs {
  bare: Sub;
  parse: Sub;
  ours: Sub;
}
