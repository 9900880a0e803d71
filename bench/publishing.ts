/**
 * Driving the subscribers: a raw-RESP publisher, pipelined bursts (throughput, CPU and peak
 * RSS per message) and paced streams (publish-to-applied latency).
 */
import net from 'node:net';
import { hr, quantile, sleep, stepGuard } from './harness';
import { stamp, type Command, type SizeName } from './messages';
import { stats, type Reached, type Sub } from './subscribers';

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
