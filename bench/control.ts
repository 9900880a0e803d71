/**
 * The measuring end inside a subscriber process (baseline or ours), driven over the IPC
 * channel by bench/run.ts. `onMessage` is called once a message has been handled completely
 * (for our process: after Monitor.ingest returned, i.e. the state is updated). It counts, and
 * when latency recording is on, reads the publish time from the message id.
 *
 * Parent → child: {cmd:'arm', target} | {cmd:'lat', on} | {cmd:'latdump'} | {cmd:'mem'} | {cmd:'cpu'} | {cmd:'eld', on} | {cmd:'exit'}
 * Child → parent: {ev:'progress', count, rss} every 50 ms while armed, {ev:'reached', count, ns, cpuUs, peakRss},
 *                 {ev:'lat', samples}, {ev:'mem', ...process.memoryUsage()}, {ev:'cpu', us},
 *                 {ev:'eld', ...} (event-loop delay of this process's main thread between eld on and off)
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { stampOf } from './messages';

export type ControlCommand =
  | { cmd: 'arm'; target: number }
  | { cmd: 'lat'; on: boolean }
  | { cmd: 'latdump' }
  | { cmd: 'mem' }
  | { cmd: 'cpu' }
  | { cmd: 'eld'; on: boolean }
  | { cmd: 'exit' };

export type ControlEvent =
  | { ev: 'ready' }
  /** The arm is in force: messages from now on count towards its target. */
  | { ev: 'armed' }
  | { ev: 'progress'; count: number; rss: number }
  | { ev: 'reached'; count: number; ns: number; cpuUs: number; peakRss: number }
  | { ev: 'lat'; samples: number[] }
  | { ev: 'mem'; rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number }
  | { ev: 'cpu'; us: number }
  /** Milliseconds; `count` timer turns observed. */
  | { ev: 'eld'; p50: number; p99: number; max: number; mean: number; count: number };

export interface Control {
  onMessage(msg: Buffer | string): void;
  send(e: ControlEvent): void;
}

/** How long after the forced collections RSS is read (see 'mem'). */
const MEM_SETTLE_MS = 500;

export function installControl(): Control {
  let count = 0;
  let target = Infinity;
  let armedCpu: NodeJS.CpuUsage | null = null;
  let peakRss = 0;
  let progressTimer: NodeJS.Timeout | null = null;
  let latOn = false;
  let samples: number[] = [];
  let eld: IntervalHistogram | null = null;
  const send = (e: ControlEvent): void => {
    process.send?.(e);
  };
  const stopProgress = (): void => {
    if (progressTimer) clearInterval(progressTimer);
    progressTimer = null;
  };
  process.on('message', (m: ControlCommand) => {
    switch (m.cmd) {
      case 'arm':
        count = 0;
        target = m.target;
        peakRss = process.memoryUsage.rss();
        armedCpu = process.cpuUsage();
        stopProgress();
        progressTimer = setInterval(() => {
          const rss = process.memoryUsage.rss();
          if (rss > peakRss) peakRss = rss;
          send({ ev: 'progress', count, rss });
        }, 50);
        progressTimer.unref();
        send({ ev: 'armed' });
        break;
      case 'lat':
        latOn = m.on;
        if (m.on) samples = [];
        break;
      case 'latdump':
        send({ ev: 'lat', samples });
        samples = [];
        break;
      case 'mem': {
        const g = (globalThis as { gc?: () => void }).gc;
        if (g) {
          g();
          g();
        }
        // What a collection frees leaves RSS a little later: V8 frees ArrayBuffer memory and
        // unmaps pages on background threads. Read right after gc(), our process's RSS after
        // 100,000 messages was 15–20 MB above what it settled at 300 ms later (and stayed at).
        setTimeout(() => {
          const u = process.memoryUsage();
          send({ ev: 'mem', rss: u.rss, heapUsed: u.heapUsed, heapTotal: u.heapTotal, external: u.external, arrayBuffers: u.arrayBuffers });
        }, MEM_SETTLE_MS);
        break;
      }
      case 'cpu': {
        const c = process.cpuUsage();
        send({ ev: 'cpu', us: c.user + c.system });
        break;
      }
      case 'eld':
        if (m.on) {
          eld?.disable();
          // 1 ms resolution: the target is ≤ 5 ms, the default 10 ms would hide it.
          eld = monitorEventLoopDelay({ resolution: 1 });
          eld.enable();
        } else if (eld) {
          eld.disable();
          const ms = (ns: number): number => ns / 1e6;
          send({ ev: 'eld', p50: ms(eld.percentile(50)), p99: ms(eld.percentile(99)), max: ms(eld.max), mean: ms(eld.mean), count: eld.count });
          eld = null;
        }
        break;
      case 'exit':
        process.exit(0);
    }
  });
  // The IPC channel must not keep a finished child alive, nor end one that is still needed.
  process.channel?.unref();
  return {
    send,
    onMessage(msg) {
      if (latOn) samples.push((Number(process.hrtime.bigint()) - stampOf(msg)) / 1e6);
      if (++count === target) {
        const ns = Number(process.hrtime.bigint());
        const cpu = process.cpuUsage(armedCpu ?? undefined);
        stopProgress();
        const rss = process.memoryUsage.rss();
        if (rss > peakRss) peakRss = rss;
        send({ ev: 'reached', count, ns, cpuUs: cpu.user + cpu.system, peakRss });
        target = Infinity;
      }
    },
  };
}
