/**
 * The printed report: figures per step, then every target of issue 12 with MET or MISSED
 * (a target whose step failed or was skipped is MISSED with the reason), then the older
 * checks of issue 6.
 */
import type { BenchResults } from './results';

export interface Target {
  name: string;
  value: string;
  met: boolean | null;
}

const f = (x: unknown, d = 0): string => (typeof x === 'number' && Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '–');
const verdict = (t: Target): string => (t.met === null ? 'n/a' : t.met ? 'MET' : 'MISSED');

/** Why a step has no figures: its error, or that it was skipped. */
function why(res: BenchResults, step: string): string {
  const e = res.errors[step];
  return e ? `step ${step} failed: ${String(e).split('\n')[0]!.slice(0, 140)}` : `step ${step} not run`;
}

export function targets(res: BenchResults): Target[] {
  const out: Target[] = [];
  /** A target read from `have`; MISSED with the step's reason when the step left it out. */
  const add = <T>(name: string, step: string, have: T | undefined | null, value: (h: T) => string, met: (h: T) => boolean): void => {
    if (have === undefined || have === null) out.push({ name, value: why(res, step), met: false });
    else out.push({ name, value: value(have), met: met(have) });
  };
  const tp = res.throughput ?? {};
  for (const [key, label, min] of [
    ['m1000', '1000-match lists, identical', 0.9],
    ['m1000_pct1', '1000-match lists, 1 % changed', 0.9],
    ['m1000_all', '1000-match lists, all changed', 0.9],
    ['m10', '10-match lists', 1.0],
    ['small', 'small status', 0.8],
  ] as const) {
    const row = tp[key];
    add(`msg/s ${label} ≥ ${f(min, 1)}× ioredis+JSON.parse`, `throughput-${key}`, row, (r) => `${f(r.oursVsParse, 2)}× (${f(r.ours?.msgPerSec)} vs ${f(r.parse?.msgPerSec)}/s)`, (r) => r.oursVsParse >= min);
  }
  const d = res.drain;
  const ours = d?.ours;
  const incomplete = ours?.failed ? ` — drain incomplete: ${String(ours.failed).slice(0, 160)}` : '';
  add('main-thread event-loop delay draining 1000-match lists: p99 ≤ 5 ms', 'drain', ours?.eld ? ours : undefined, (o) => `${f(o.eld.p99, 1)} ms (baseline ${f(d?.parse?.eld?.p99, 1)})${incomplete}`, (o) => o.eld.p99 <= 5 && !o.failed);
  add('main-thread event-loop delay draining 1000-match lists: max ≤ 5 ms', 'drain', ours?.eld ? ours : undefined, (o) => `${f(o.eld.max, 1)} ms (baseline ${f(d?.parse?.eld?.max, 1)})${incomplete ? ' — incomplete' : ''}`, (o) => o.eld.max <= 5 && !o.failed);
  add(`peak RSS draining ${d?.lists ?? 100} × 1000-match lists ≤ 160 MB`, 'drain', ours?.peakRssMB != null ? ours : undefined, (o) => `${f(o.peakRssMB, 1)} MB (baseline ${f(d?.parse?.peakRssMB, 1)})${incomplete ? ` — incomplete, ${o.handled} of ${d?.lists} handled` : ''}`, (o) => o.peakRssMB <= 160 && !o.failed);
  const m = res.memory;
  add('idle RSS ≤ bare ioredis subscriber + 15 MB', 'memory', m, (x) => `+${f(x.idleAboveBareMB, 1)} MB (${f(x.oursIdle.rssMB, 1)} vs ${f(x.bareIdle.rssMB, 1)})`, (x) => x.idleAboveBareMB <= 15);
  add(`RSS growth over ${f(m?.messages ?? 1_000_000)} messages ≤ 5 MB`, 'memory', m, (x) => `${f(x.rssGrowthMB, 1)} MB (last 90 %: ${f(x.rssGrowthLast90pctMB, 1)})`, (x) => x.rssGrowthMB <= 5 && x.messages >= 1_000_000);
  const c = res.change;
  add('CPU of a list with 1 match changed ≤ 1/3 of all changed (beyond decode)', 'change', c?.series.one && c.series.all ? c : undefined, (x) => `${f(x.series.one?.oursBeyondDecodeMs, 1)} vs ${f(x.series.all?.oursBeyondDecodeMs, 1)} ms (${f(x.oneVsAll, 2)}×)`, (x) => x.oneVsAll <= 1 / 3);
  const l = res.latency?.m10;
  const lat = l?.ours && l.parse ? { ours: l.ours, parse: l.parse } : undefined;
  add('latency p99, 10-match lists at 1,000/s ≤ 1.5× baseline p99', 'latency-m10', lat, (x) => `${f(x.ours.p99, 2)} vs ${f(x.parse.p99, 2)} ms (${f(x.ours.p99 / x.parse.p99, 2)}×)`, (x) => x.ours.p99 <= 1.5 * x.parse.p99);
  const db = res.dashboard;
  add('live-stream push for one changed match ≤ 5 KB', 'dashboard', db, (x) => `max ${f(x.maxPushBytes)} B, median ${f(x.medianPushBytes)} B (${x.pushes} pushes)`, (x) => x.pushes > 0 && x.maxPushBytes <= 5 * 1024);
  add('a connecting dashboard gets one snapshot, then changes only', 'dashboard', db, (x) => `first frame ${x.firstFrame}, ${x.snapshotsAfterOpen} snapshots after`, (x) => x.firstFrame === 'snapshot' && x.snapshotsAfterOpen === 0);
  add('opening a dashboard (1,000 matches) ≤ 500 KB on the wire', 'dashboard', db, (x) => `${f(x.openingKB, 1)} KB (state ${f(x.stateWireKB, 1)}, messages ${f(x.messagesPageWireKB, 1)}, live-stream snapshot ${f(x.sseOpenWireKB, 1)})`, (x) => x.openingKB <= 500);
  return out;
}

export function table(res: BenchResults): string {
  const lines: string[] = [];
  const mc = res.machine;
  lines.push(`Machine: ${mc.nproc} × ${mc.cpu}, ${mc.memGB} GB, Node ${mc.node}, ioredis ${mc.ioredis}, redis ${mc.redis}, load ${mc.loadavg}, git ${mc.git}${mc.quick ? '  (QUICK RUN)' : ''}${mc.nodeFlags?.length ? `  (ours with ${mc.nodeFlags.join(' ')})` : ''}`);
  const tp = res.throughput ?? {};
  if (Object.keys(tp).length) {
    lines.push('', '| throughput (pipelined) | bytes | count msg/s | parse msg/s | ours msg/s | ours ÷ parse | ours CPU µs/msg | parse CPU µs/msg | ours peak RSS MB |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const t of Object.values(tp)) lines.push(`| ${t.label} | ${f(t.bytes)} | ${f(t.count?.msgPerSec)} | ${f(t.parse?.msgPerSec)} | ${f(t.ours?.msgPerSec)} | ${f(t.oursVsParse, 2)} | ${f(t.ours?.cpuUsPerMsg, 1)} | ${f(t.parse?.cpuUsPerMsg, 1)} | ${f(t.ours?.peakRssMB, 1)} |`);
  }
  for (const l of Object.values(res.latency ?? {})) lines.push('', `Latency ${l.label} at ${l.ratePerSec}/s, publish → applied: parse p50/p99/p99.9 ${f(l.parse?.p50, 2)} / ${f(l.parse?.p99, 2)} / ${f(l.parse?.p999, 2)} ms; ours ${f(l.ours?.p50, 2)} / ${f(l.ours?.p99, 2)} / ${f(l.ours?.p999, 2)} ms (max ${f(l.ours?.max, 1)})`);
  const d = res.drain;
  if (d) lines.push('', `Drain of ${d.lists} × 1000-match lists (1 % changed) published at once: ours peak RSS ${f(d.ours?.peakRssMB, 1)} MB, ${f(d.ours?.msgPerSec)}/s, event-loop delay p50/p99/max ${f(d.ours?.eld?.p50, 1)} / ${f(d.ours?.eld?.p99, 1)} / ${f(d.ours?.eld?.max, 1)} ms; parse ${f(d.parse?.peakRssMB, 1)} MB, ${f(d.parse?.msgPerSec)}/s, ${f(d.parse?.eld?.p50, 1)} / ${f(d.parse?.eld?.p99, 1)} / ${f(d.parse?.eld?.max, 1)} ms`);
  const m = res.memory;
  if (m) {
    lines.push('', `| memory after GC (${m.mix}) | RSS MB | heap MB |`, '|---|---:|---:|');
    lines.push(`| bare ioredis subscriber, idle | ${f(m.bareIdle.rssMB, 1)} | ${f(m.bareIdle.heapUsedMB, 1)} |`, `| ioredis+JSON.parse, idle | ${f(m.parseIdle.rssMB, 1)} | ${f(m.parseIdle.heapUsedMB, 1)} |`, `| ours, idle | ${f(m.oursIdle.rssMB, 1)} | ${f(m.oursIdle.heapUsedMB, 1)} |`);
    lines.push(`| ours after ${f(m.messages / 10)} | ${f(m.oursAfterTenth.rssMB, 1)} | ${f(m.oursAfterTenth.heapUsedMB, 1)} |`, `| ours after ${f(m.messages)} (${f(m.seconds)} s) | ${f(m.oursAfter.rssMB, 1)} | ${f(m.oursAfter.heapUsedMB, 1)} |`);
  }
  const c = res.change;
  if (c?.series) {
    lines.push('', `| CPU per 1000-match list (whole process, ${c.lists} lists at ${c.ratePerSec}/s) | ours ms | parse ms | ours beyond decode ms |`, '|---|---:|---:|---:|');
    for (const [k, v] of Object.entries(c.series)) lines.push(`| ${k === 'one' ? 'one match changed' : k === 'pct1' ? '1 % changed' : k === 'all' ? 'every match changed' : k} | ${f(v.oursMs, 1)} | ${f(v.parseMs, 1)} | ${f(v.oursBeyondDecodeMs, 1)} |`);
  }
  const db = res.dashboard;
  if (db) {
    lines.push('', `Dashboard: opening ${f(db.openingKB, 1)} KB on the wire (/api/state ${f(db.stateWireKB, 1)} KB ${db.stateEncoding}, first page of /api/messages ${f(db.messagesPageWireKB, 1)} KB, live stream at open ${f(db.sseOpenWireKB, 1)} KB ${db.sseEncoding}); ${db.pushes} pushes for ${db.lists} lists with one match changed, max ${f(db.maxPushBytes)} B, ${f(db.bytesPerList)} B per list`);
    lines.push(`/api/state by key, KB uncompressed: ${Object.entries(db.stateKeysKB ?? {}).filter(([, v]) => v >= 1).map(([k, v]) => `${k} ${f(v, 1)}`).join(', ')}`);
  }
  const h = res.http;
  if (h) lines.push('', `GET /redis-stats, 100 keep-alive clients while ${f(h.messagesPerSecSent)} small msg/s flow: ${f(h.underFlow.rps)} req/s, p99 ${f(h.underFlow.p99, 1)} ms, ${h.underFlow.errors} errors; ${f(h.messagesProcessedInWindow)} messages processed, latency p99 ${f(h.messageLatencyUnderLoad.p99, 1)} ms; SSE ${f(h.ssePushesPerSec, 1)} pushes/s (max ${h.ssePushesMaxInOneSecond} in any second by the server's clock)`);
  if (res.startup) lines.push('', `Start-up to subscribed: ours ${f(res.startup.oursMs)} ms, bare ioredis subscriber ${f(res.startup.bareSubscriberMs)} ms (medians)`);
  if (res.totals) lines.push(`Our process totals: ${JSON.stringify(res.totals)}`);
  const ts = targets(res);
  lines.push('', '| issue 12 target | result | |', '|---|---|---|');
  for (const t of ts) lines.push(`| ${t.name} | ${t.value} | ${verdict(t)} |`);
  const older: Target[] = [];
  if (h) older.push({ name: 'SSE ≤ 10 pushes/s under 5,000 msg/s', value: `max ${h.ssePushesMaxInOneSecond} in a second`, met: h.ssePushesMaxInOneSecond <= 10 });
  for (const b of res.calendar?.backends ?? []) older.push({ name: `calendar ${b.backend}: unchanged 1000-match list → 0 writes, 0 API calls`, value: `${b.unchangedWrites} writes, ${b.unchangedApiCalls} calls, decide ${f(b.unchangedDecisionMs, 1)} ms`, met: b.unchangedWrites === 0 && b.unchangedApiCalls === 0 });
  if (res.errors.calendar) older.push({ name: 'calendar decisions', value: why(res, 'calendar'), met: false });
  if (older.length) {
    lines.push('', '| earlier checks (issue 6) | result | |', '|---|---|---|');
    for (const t of older) lines.push(`| ${t.name} | ${t.value} | ${verdict(t)} |`);
  }
  const failed = Object.entries(res.errors);
  if (failed.length) lines.push('', 'Steps that failed or were skipped:', ...failed.map(([k, v]) => `  ${k}: ${String(v).split('\n')[0]}`));
  lines.push('', `MET ${ts.filter((t) => t.met).length} of ${ts.length} issue 12 targets.`);
  return lines.join('\n');
}
