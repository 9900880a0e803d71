/**
 * The hot path alone, in one process, for profiling: Monitor.ingest (recording sink) of N
 * messages of one size with unique ids. Prints µs per message.
 *   node --import tsx --cpu-prof --cpu-prof-dir=.scratch/prof bench/profile-ingest.ts m10 5000
 * Options:
 *   --worker        through the ingest worker thread (as the app runs); without it, inline
 *   --change=one    (m1000/m10) each list differs from the one before in one match
 *   --change=all    every match differs from the list before
 *   --listener      a live-stream listener is attached
 *   --per-read=K    (--worker) K lists per turn of the event loop, as in a burst (default 1)
 * With --worker it also prints the main thread's CPU and its event-loop delay (p99, max).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { configSchema } from '../shared/config';
import { createMemoryLogger } from '../electron/core/log';
import { Monitor } from '../electron/core/monitor/monitor';
import { warmValidators } from '../electron/core/messages/validator';
import { RecordingSink } from '../test/harness/recording-sink';
import { matchList, messageText, pyDumps, stamp, type SizeName } from './messages';

const size = (process.argv[2] ?? 'm10') as SizeName;
const n = Number(process.argv[3] ?? 3000);
const listeners = process.argv.includes('--listener');
const worker = process.argv.includes('--worker');
/** `--per-read=K`: lists arrive K to a socket read (a burst) instead of one at a time. */
const perRead = Number(process.argv.find((a) => a.startsWith('--per-read='))?.slice('--per-read='.length) ?? 1);
const change = (process.argv.find((a) => a.startsWith('--change='))?.slice('--change='.length) ?? 'none') as 'none' | 'one' | 'all';
const dir = mkdtempSync(path.join(tmpdir(), 'fogis-prof-'));
const config = configSchema.parse({});
warmValidators();
const monitor = new Monitor(config, { log: createMemoryLogger(), dataDir: dir, sink: new RecordingSink(), ingestWorker: worker });
if (listeners) monitor.onEvent(() => undefined);
const channel = size === 'small' ? 'fogis:processor:status' : 'fogis:matches:updates';

/** The message texts to cycle through: the same list, or lists that change by one match or by all. */
function texts(): string[] {
  const template = messageText(process.cwd(), size);
  if (change === 'none' || size === 'small') return [template];
  const count = size === 'm1000' ? 1000 : 10;
  const base = matchList(process.cwd(), count);
  const head = template.slice(0, template.indexOf('"matches": [') + '"matches": '.length);
  const tail = template.slice(template.indexOf('], "schema_version"') + 1);
  const variants = Math.min(n, size === 'm1000' ? 60 : 200);
  const out: string[] = [];
  for (let v = 0; v < variants; v++) {
    if (change === 'one') base[v % count]!.lag1namn = `Ändrat ${v}`;
    else for (const m of base) m.avsparkstid = `${String(10 + (v % 10)).padStart(2, '0')}:${v % 2 ? '15' : '45'}`;
    out.push(head + pyDumps(base) + tail);
  }
  return out;
}

const templates = texts().map((t) => Buffer.from(t, 'utf8'));
let seq = 1_000_000;
const eld = monitorEventLoopDelay({ resolution: 1 });
eld.enable();
const cpu0 = process.cpuUsage();
const elu0 = performance.eventLoopUtilization();
const t0 = performance.now();
for (let i = 0; i < n; i++) {
  // A fresh buffer each time, as ioredis gives one per message (the pipeline takes it over).
  const b = Buffer.from(templates[i % templates.length]!);
  stamp(b, 0, ++seq, 0);
  monitor.ingest(channel, b);
  // Let the event loop turn as a socket would between reads (results come back meanwhile).
  if (worker && (size !== 'small' || i % 200 === 199) && (i + 1) % perRead === 0) await new Promise((r) => setImmediate(r));
}
await monitor.ingestIdle();
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const mainBusyUs = (performance.eventLoopUtilization(elu0).active * 1000) / n;
eld.disable();
const c = monitor.getCounters();
const mainCpuUs = (cpu.user + cpu.system) / n;
console.log(
  `${size}${change !== 'none' ? ` change=${change}` : ''}${worker ? ' worker' : ' inline'}: ${n} messages, ${((ms * 1000) / n).toFixed(1)} µs/msg wall (${Math.round((n / ms) * 1000)}/s), process CPU ${mainCpuUs.toFixed(1)} µs/msg, main thread busy ${mainBusyUs.toFixed(1)} µs/msg; ` +
    `event-loop delay p99 ${(eld.percentile(99) / 1e6).toFixed(1)} ms, max ${(eld.max / 1e6).toFixed(1)} ms; processed ${c.messages_processed}, errors ${c.errors}, duplicates ${c.duplicates}`,
);
await monitor.flush();
monitor.dispose();
process.exit(0);
