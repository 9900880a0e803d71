/**
 * The subscriber processes a benchmark measures side by side: our headless app with the probe
 * preloaded (bench/probe.ts) and the ioredis baselines (bench/baseline-sub.ts), each driven
 * over IPC (bench/control.ts), and the HTTP reads of our app's counters.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort } from '../test/harness/redis-server';
import type { ControlCommand, ControlEvent } from './control';
import { BENCH_DIST, sleep, withTimeout } from './harness';
import type { SizeName } from './messages';

export type Mem = Extract<ControlEvent, { ev: 'mem' }>;
export type Reached = Extract<ControlEvent, { ev: 'reached' }>;
export type Eld = Extract<ControlEvent, { ev: 'eld' }>;

/** Who a subscriber process is: an ioredis baseline (bench/baseline-sub.ts) or our app. */
export type SubName = 'count' | 'parse' | 'parsebuf' | 'ours';

export class Sub {
  progress = 0;
  /** Highest RSS the progress reports showed since the last arm. */
  peakRssSeen = 0;
  private listeners = new Set<(e: ControlEvent | { ev: 'exit' }) => void>();
  lines: string[] = [];
  exited = false;
  constructor(
    readonly name: SubName,
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
export async function startOurs(headless: string, redisUrl: string, nodeFlags: readonly string[] = []): Promise<{ sub: Sub; dataDir: string }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fogis-bench-data-'));
  const httpPort = await freePort();
  const proc = spawn(process.execPath, [...nodeFlags, '--expose-gc', '--import', pathToFileURL(path.join(BENCH_DIST, 'probe.js')).href, headless], {
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

export async function startBaseline(mode: Exclude<SubName, 'ours'>, redisUrl: string): Promise<Sub> {
  const channel: Record<SizeName, string> = { small: `bench:${mode}:status`, m10: `bench:${mode}:matches`, m1000: `bench:${mode}:matches` };
  const proc = spawn(process.execPath, ['--expose-gc', path.join(BENCH_DIST, 'baseline-sub.js'), mode, redisUrl, channel.small, channel.m10], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const sub = new Sub(mode, proc, channel, null);
  await sub.next('ready', 30_000);
  return sub;
}

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

/** The three subscribers every step measures side by side. */
export interface Subs {
  bare: Sub;
  parse: Sub;
  ours: Sub;
}
