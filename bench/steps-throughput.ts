/**
 * Throughput (pipelined bursts) and latency (fixed rate) of our process next to the
 * baselines, for today's message sets and for the 1000-match change series.
 */
import { log, median, MB, r1, r3 } from './harness';
import { burst, latencySummary, paced, type LatencySummary, type Publisher, type Source } from './publishing';
import type { Sub, SubName } from './subscribers';
import { ListSeries, publishCommand, type Command, type SeriesKind, type SizeName } from './messages';

export interface Params {
  reps: number;
  n: Record<SizeName, number>;
  seriesN: number;
  latSeconds: Record<SizeName, number>;
}

const fixed = new Map<string, Command>();
/** Today's set: one command per channel and size, stamped with a fresh id per message. */
export function fixedSource(text: (size: SizeName) => string, sub: Sub, size: SizeName): Source {
  const key = `${sub.channel[size]}|${size}`;
  let c = fixed.get(key);
  if (!c) {
    c = publishCommand(sub.channel[size], text(size));
    fixed.set(key, c);
  }
  const cmd = c;
  return () => cmd;
}

/** A change series, one per subscriber so each sees the same sequence of lists. */
export function seriesSource(root: string, sub: Sub, kind: SeriesKind): Source {
  const s = new ListSeries(root, sub.channel.m1000, kind);
  return () => s.next();
}

export interface Rate {
  msgPerSec: number;
  cpuUsPerMsg: number;
  peakRssMB: number;
  samples: number[];
}

/** One size: each subscriber's rate under its own name, and ours against the baselines. */
export type ThroughputRow = { label: string; bytes: number; messages: number; oursVsParse: number; oursVsCount: number } & Partial<Record<SubName, Rate>>;

/**
 * One row: a warm-up burst per subscriber, then `reps` bursts each, in rotating order so no
 * subscriber always runs first on a noisy machine. Medians of msg/s and CPU per message.
 */
export async function throughputRow(pub: Publisher, subs: Sub[], label: string, size: SizeName, n: number, reps: number, sourceFor: (s: Sub) => Source, bytes: number): Promise<ThroughputRow> {
  const sources = new Map(subs.map((s) => [s, sourceFor(s)]));
  const runs = new Map<Sub, Array<{ msgPerSec: number; cpuUsPerMsg: number; peakRss: number }>>(subs.map((s) => [s, []]));
  for (const s of subs) await burst(pub, s, size, Math.max(3, Math.round(n / 5)), sources.get(s)!); // warm-up: JIT, buffers
  for (let r = 0; r < reps; r++) {
    const order = subs.map((_, i) => subs[(i + r) % subs.length]!);
    for (const s of order) runs.get(s)!.push(await burst(pub, s, size, n, sources.get(s)!));
  }
  const rates: Partial<Record<SubName, Rate>> = {};
  for (const s of subs) {
    const rs = runs.get(s)!;
    rates[s.name] = { msgPerSec: Math.round(median(rs.map((x) => x.msgPerSec))), cpuUsPerMsg: r1(median(rs.map((x) => x.cpuUsPerMsg))), peakRssMB: MB(Math.max(...rs.map((x) => x.peakRss))), samples: rs.map((x) => Math.round(x.msgPerSec)) };
  }
  const get = (name: SubName): number => rates[name]?.msgPerSec ?? NaN;
  const row: ThroughputRow = { label, bytes, messages: n, ...rates, oursVsParse: r3(get('ours') / get('parse')), oursVsCount: r3(get('ours') / get('count')) };
  log(`throughput ${label}: count ${get('count')}/s, parse ${get('parse')}/s, ours ${get('ours')}/s (${row.oursVsParse}× parse)`);
  return row;
}

export interface LatencyStats {
  p50: number;
  p99: number;
  p999: number;
  max: number;
  samplesPerRun: number;
}

/** One rate: each subscriber's latency medians under its own name. */
export type LatencyRow = { label: string; ratePerSec: number; seconds: number } & Partial<Record<SubName, LatencyStats>>;

export async function latencyRow(pub: Publisher, subs: Sub[], label: string, rate: number, seconds: number, reps: number, sourceFor: (s: Sub) => Source): Promise<LatencyRow> {
  const res = new Map<Sub, LatencySummary[]>(subs.map((s) => [s, []]));
  // One unmeasured second first: our first messages start the ingest worker and show the
  // calendar its first list, which in a full run the earlier steps did (`--only=latency`
  // measured start-up, not latency).
  for (const s of subs) await paced(pub, s, sourceFor(s), rate, 1, 0);
  for (let r = 0; r < reps; r++) {
    for (const s of subs) {
      const { samples } = await paced(pub, s, sourceFor(s), rate, seconds, rate >= 100 ? 0.5 : 1);
      res.get(s)!.push(latencySummary(samples));
    }
  }
  const row: LatencyRow = { label, ratePerSec: rate, seconds };
  for (const s of subs) {
    const xs = res.get(s)!;
    row[s.name] = { p50: r3(median(xs.map((x) => x.p50))), p99: r3(median(xs.map((x) => x.p99))), p999: r3(median(xs.map((x) => x.p999))), max: r3(Math.max(...xs.map((x) => x.max))), samplesPerRun: xs[0]?.n ?? 0 };
  }
  const o = row.ours;
  const p = row.parse;
  log(`latency ${label} @${rate}/s: ours p50 ${o?.p50} p99 ${o?.p99} ms; parse p99 ${p?.p99} ms`);
  return row;
}
