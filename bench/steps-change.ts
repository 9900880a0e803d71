/**
 * Cost grows with change, not with list size (issue 12): CPU of the whole process (every
 * thread, process.cpuUsage) per 1000-match list when one match changed, 1 % changed and
 * every match changed, lists paced so that each is handled on its own (calendar plan and
 * writes included: the process is let settle before the CPU is read). "Beyond decode"
 * subtracts what the ioredis + JSON.parse baseline spends on the same lists.
 */
import { log, r2, sleep } from './harness';
import { paced, type Publisher, type Source } from './publishing';
import type { Sub, SubName } from './subscribers';
import type { SeriesKind } from './messages';

/**
 * Waits until the process is quiet (its deferred work, e.g. the calendar plan and the ICS
 * write, done): two quarter-seconds in a row under 3 % of a core, at most `maxMs`.
 * Returns its CPU rate then (µs per second), the idle cost to subtract.
 */
async function settle(s: Sub, maxMs: number): Promise<number> {
  const deadline = Date.now() + maxMs;
  let prev = await s.cpu();
  let t = performance.now();
  let quiet = 0;
  let rate = 0;
  while (Date.now() < deadline && quiet < 2) {
    await sleep(250);
    const c = await s.cpu();
    const now = performance.now();
    rate = (c - prev) / ((now - t) / 1000);
    quiet = rate < 30_000 ? quiet + 1 : 0;
    prev = c;
    t = now;
  }
  return quiet >= 2 ? rate : 0;
}

export async function cpuPerList(pub: Publisher, s: Sub, source: Source, lists: number, rate: number): Promise<number> {
  await paced(pub, s, source, rate, 2 / rate, 0); // warm-up: the first lists of a series are not the series
  const idle = await settle(s, 20_000);
  const c0 = await s.cpu();
  const t0 = performance.now();
  await paced(pub, s, source, rate, lists / rate, 0);
  await settle(s, 20_000);
  // The settle's own quiet half second is in the window; take the idle rate off the whole window.
  const used = (await s.cpu()) - c0 - idle * ((performance.now() - t0) / 1000);
  return used / lists;
}

/** CPU per list of one change series: each subscriber's ms under `<name>Ms`, ours beyond decode. */
export type ChangeSeriesRow = Partial<Record<`${SubName}Ms`, number>> & { oursBeyondDecodeMs?: number };

export interface ChangeResult {
  lists: number;
  ratePerSec: number;
  series: Partial<Record<SeriesKind, ChangeSeriesRow>>;
  oneVsAll: number;
}

export async function changeCost(pub: Publisher, subs: Sub[], kinds: SeriesKind[], lists: number, rate: number, sourceFor: (s: Sub, kind: SeriesKind) => Source): Promise<ChangeResult> {
  const out: Partial<Record<SeriesKind, ChangeSeriesRow>> = {};
  for (const kind of kinds) {
    out[kind] = {};
    for (const s of subs) {
      const us = await cpuPerList(pub, s, sourceFor(s, kind), lists, rate);
      out[kind]![`${s.name}Ms`] = r2(us / 1000);
    }
    const row = out[kind]!;
    row.oursBeyondDecodeMs = r2((row.oursMs ?? NaN) - (row.parseMs ?? NaN));
    log(`change cost ${kind}: ours ${row.oursMs} ms CPU per list, parse ${row.parseMs} ms, ours beyond decode ${row.oursBeyondDecodeMs} ms`);
  }
  const one = out.one?.oursBeyondDecodeMs ?? NaN;
  const all = out.all?.oursBeyondDecodeMs ?? NaN;
  return { lists, ratePerSec: rate, series: out, oneVsAll: r2(one / all) };
}
