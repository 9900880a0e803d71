/**
 * Start-up, memory (idle, growth over a million messages) and the drain of a 100-list
 * backlog (peak RSS and the main thread's event-loop delay while it drains).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, type TestRedis } from '../test/harness/redis-server';
import { log, MB, median, r1, r2, sleep, withTimeout } from './harness';
import { burst, type Publisher, type Source } from './publishing';
import { headlessEnv, startBaseline, type Eld, type Mem, type Sub, type SubName, type Subs } from './subscribers';
import type { Command } from './messages';

export interface StartupResult {
  oursMs: number;
  bareSubscriberMs: number;
  samplesOurs: number[];
  samplesBare: number[];
}

export async function startup(headless: string, redis: TestRedis, reps: number): Promise<StartupResult> {
  const ours: number[] = [];
  const bare: number[] = [];
  for (let r = 0; r < reps; r++) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fogis-bench-start-'));
    const port = await freePort();
    const t0 = performance.now();
    const proc = spawn(process.execPath, [headless], { env: headlessEnv(redis.url, port, dataDir), stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stderr?.resume();
    let out = '';
    try {
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
    } finally {
      const done = new Promise<void>((res) => proc.once('exit', () => res()));
      proc.kill('SIGTERM');
      await Promise.race([done, sleep(3000)]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
    const t1 = performance.now();
    const b = await startBaseline('count', redis.url);
    bare.push(performance.now() - t1);
    await b.stop();
  }
  return { oursMs: r1(median(ours)), bareSubscriberMs: r1(median(bare)), samplesOurs: ours.map(r1), samplesBare: bare.map(r1) };
}

export interface EldMs {
  p50: number;
  p99: number;
  max: number;
  mean: number;
  turns: number;
}
const eldMs = (e: Eld): EldMs => ({ p50: r2(e.p50), p99: r2(e.p99), max: r2(e.max), mean: r2(e.mean), turns: e.count });

export interface MemMB {
  rssMB: number;
  heapUsedMB: number;
  heapTotalMB: number;
  externalMB: number;
}
const mb = (x: Mem): MemMB => ({ rssMB: MB(x.rss), heapUsedMB: MB(x.heapUsed), heapTotalMB: MB(x.heapTotal), externalMB: MB(x.external) });

/**
 * Idle RSS of the three processes (after two forced GCs, read once V8 has returned what they
 * freed: bench/control.ts), then our process over `messages`
 * messages: status messages (484 B) with a 10-match list (21 KB) every 100th, so the list
 * path runs too and a million fit in about a minute.
 */
export interface MemoryResult {
  messages: number;
  seconds: number;
  mix: string;
  bareIdle: MemMB;
  parseIdle: MemMB;
  oursIdle: MemMB;
  oursAfterTenth: MemMB;
  oursAfter: MemMB;
  idleAboveBareMB: number;
  rssGrowthMB: number;
  heapGrowthMB: number;
  rssGrowthLast90pctMB: number;
  heapGrowthLast90pctMB: number;
}

export async function memory(pub: Publisher, subs: Subs, messages: number, small: Command, m10: Command): Promise<MemoryResult> {
  const { bare, parse, ours } = subs;
  await sleep(1500);
  const bareIdle = await bare.mem();
  const parseIdle = await parse.mem();
  const oursIdle = await ours.mem();
  log(`memory: idle ours ${MB(oursIdle.rss)} MB RSS, bare ${MB(bareIdle.rss)} MB; sending ${messages} messages (1 in 100 a 10-match list)`);
  const mix: Source = (i) => (i % 100 === 99 ? m10 : small);
  const tenth = Math.round(messages / 10);
  const t0 = performance.now();
  await burst(pub, ours, 'small', tenth, mix, 4_000);
  const oursTenth = await ours.mem();
  await burst(pub, ours, 'small', messages - tenth, mix, 4_000);
  const oursAfter = await ours.mem();
  const seconds = r1((performance.now() - t0) / 1000);
  log(`memory: ${messages} messages in ${seconds} s; RSS ${MB(oursIdle.rss)} → ${MB(oursTenth.rss)} → ${MB(oursAfter.rss)} MB`);
  return {
    messages,
    seconds,
    mix: '99 % processing_status (484 B), 1 % 10-match lists (21 KB)',
    bareIdle: mb(bareIdle),
    parseIdle: mb(parseIdle),
    oursIdle: mb(oursIdle),
    oursAfterTenth: mb(oursTenth),
    oursAfter: mb(oursAfter),
    idleAboveBareMB: MB(oursIdle.rss - bareIdle.rss),
    rssGrowthMB: MB(oursAfter.rss - oursIdle.rss),
    heapGrowthMB: MB(oursAfter.heapUsed - oursIdle.heapUsed),
    rssGrowthLast90pctMB: MB(oursAfter.rss - oursTenth.rss),
    heapGrowthLast90pctMB: MB(oursAfter.heapUsed - oursTenth.heapUsed),
  };
}

/**
 * 100 lists of 1000 matches (1 % changed each) published at once, so the whole backlog waits
 * in Redis and the socket: peak RSS while it drains, and the event-loop delay of the
 * process's main thread meanwhile (for ours: the thread that serves HTTP, IPC and the tray).
 */
/** One subscriber's drain; `failed` (and `handled`) when it did not finish. */
export interface DrainRun {
  msgPerSec?: number;
  peakRssMB: number;
  eld: EldMs;
  failed?: string;
  handled?: number;
}
export type DrainResult = { lists: number } & Partial<Record<SubName, DrainRun>>;

export async function drain(pub: Publisher, subs: Sub[], lists: number, sourceFor: (s: Sub) => Source): Promise<DrainResult> {
  const out: DrainResult = { lists };
  for (const s of subs) {
    const source = sourceFor(s);
    await burst(pub, s, 'm1000', 3, source); // the list before the backlog: first sight is not the drain
    await s.mem();
    s.eldStart();
    try {
      const r = await burst(pub, s, 'm1000', lists, source, lists);
      const eld: Eld = await s.eldStop();
      out[s.name] = { msgPerSec: Math.round(r.msgPerSec), peakRssMB: MB(r.peakRss), eld: eldMs(eld) };
    } catch (err) {
      // What it showed until it stopped still counts: a drain that never ends misses anyway.
      const eld: Eld = await s.eldStop();
      out[s.name] = { failed: (err as Error).message, handled: s.progress, peakRssMB: MB(s.peakRssSeen), eld: eldMs(eld) };
    }
    const o = out[s.name]!;
    log(`drain ${lists} × m1000 (1 %): ${s.name} peak RSS ${o.peakRssMB} MB, event-loop delay p99 ${o.eld.p99} ms, max ${o.eld.max} ms${o.failed ? `; FAILED: ${o.failed}` : ''}`);
  }
  return out;
}
