/**
 * Calendar decisions (own process): the real calendar sink (electron/core/sync,
 * createCalendarSink) fed a 1000-match list, first on sight and then unchanged.
 *   decisionMs  onMatchList() itself: hash, plan and enqueue; synchronous, it runs on the
 *               message path, so it is what the subscriber pays
 *   settleMs    until the outbox is empty (the writes done)
 *   writes/apiCalls  what the unchanged list caused: must be 0 / 0
 * ICS (the default backend) and Google against the fake Calendar v3 server of the tests.
 * Also: Monitor.ingest of a whole 1000-match message with the real ICS sink vs the recording
 * sink the core uses today, to show what wiring the real sink into the hot path costs.
 * Prints one JSON line. Usage: node calendar.js <repoRoot> <reps>
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { configSchema, type AppConfig } from '../shared/config';
import type { FogisMatch } from '../shared/messages';
import { createMemoryLogger } from '../electron/core/log';
import { Monitor } from '../electron/core/monitor/monitor';
import { warmValidators } from '../electron/core/messages/validator';
import { createCalendarSink, type FullCalendarSink } from '../electron/core/sync';
import type { CalendarSink, SinkContext } from '../electron/core/sync/calendar-sink';
import { RecordingSink } from '../test/harness/recording-sink';
import { startFakeCalendarServer } from '../test/harness/fake-calendar-server';
import { signedInStore } from '../test/harness/calendar-helpers';
import { matchList, messageText, stamp, publishCommand } from './messages';

const [root, repsArg] = process.argv.slice(2) as [string, string];
const reps = Math.max(1, Number(repsArg) || 3);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
};
const now = (): number => performance.now();
const freshList = (): FogisMatch[] => matchList(root, 1000) as unknown as FogisMatch[];
let seq = 0;
const input = (matches: FogisMatch[]) => ({ matches, changes: [], messageId: `bench-cal-${++seq}`, receivedAt: new Date().toISOString(), source: 'redis' as const });
const ctxFor = (dataDir: string): SinkContext => ({ dataDir, log: createMemoryLogger(), raiseAlert: () => undefined, publicBaseUrl: () => 'http://127.0.0.1:5003' });

export interface BackendResult {
  backend: string;
  firstDecisionMs: number;
  firstSettleMs: number;
  firstWrites: number;
  firstApiCalls: number;
  unchangedDecisionMs: number;
  unchangedSettleMs: number;
  unchangedWrites: number;
  unchangedApiCalls: number;
  unchangedPending: number;
}

function writesOf(s: FullCalendarSink): number {
  const c = s.getState().counters as Record<string, number>;
  return (c.inserted ?? 0) + (c.updated ?? 0) + (c.deleted ?? 0);
}
function apiCallsOf(s: FullCalendarSink): number {
  return (s.getState().counters as Record<string, number>).api_calls ?? 0;
}

async function runBackend(kind: 'ics' | 'google'): Promise<BackendResult> {
  const first = { d: [] as number[], s: [] as number[], w: [] as number[], a: [] as number[] };
  const same = { d: [] as number[], s: [] as number[], w: [] as number[], a: [] as number[], p: [] as number[] };
  for (let r = 0; r < reps; r++) {
    // A fresh fake calendar each time: events left by the previous repetition would be adopted.
    const fake = kind === 'google' ? await startFakeCalendarServer() : null;
    const dir = mkdtempSync(path.join(tmpdir(), `fogis-bench-cal-${kind}-`));
    const config = configSchema.parse({ calendar: { backend: kind } });
    const sink = createCalendarSink(config, ctxFor(dir), fake ? { secretStore: signedInStore(), googleRootUrl: fake.rootUrl, tokenUrl: fake.tokenUrl, tokenImportPath: null, saveDelayMs: 50 } : { saveDelayMs: 50 });
    await sink.start();
    if (fake) await sink.drain(30_000);
    const fakeCalls = (): number => (fake ? fake.requests.filter((q) => q.op !== 'token').length : 0);
    let w0 = writesOf(sink);
    let a0 = fake ? fakeCalls() : apiCallsOf(sink);
    let t = now();
    sink.onMatchList(input(freshList()));
    first.d.push(now() - t);
    await sink.drain(120_000);
    first.s.push(now() - t);
    first.w.push(writesOf(sink) - w0);
    first.a.push((fake ? fakeCalls() : apiCallsOf(sink)) - a0);
    for (let k = 0; k < 3; k++) {
      const list = freshList(); // new objects, as a freshly parsed message would give
      w0 = writesOf(sink);
      a0 = fake ? fakeCalls() : apiCallsOf(sink);
      t = now();
      sink.onMatchList(input(list));
      same.d.push(now() - t);
      await sink.drain(30_000);
      same.s.push(now() - t);
      await new Promise((res) => setTimeout(res, 100));
      same.w.push(writesOf(sink) - w0);
      same.a.push((fake ? fakeCalls() : apiCallsOf(sink)) - a0);
      same.p.push(sink.getState().pending);
    }
    await sink.stop();
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    backend: kind,
    firstDecisionMs: median(first.d),
    firstSettleMs: median(first.s),
    firstWrites: median(first.w),
    firstApiCalls: median(first.a),
    unchangedDecisionMs: median(same.d),
    unchangedSettleMs: median(same.s),
    unchangedWrites: Math.max(...same.w),
    unchangedApiCalls: Math.max(...same.a),
    unchangedPending: Math.max(...same.p),
  };
}

/** Monitor.ingest of an unchanged 1000-match message: recording sink vs the real ICS sink. */
async function ingestWith(kind: 'recording' | 'ics'): Promise<{ sink: string; firstMs: number; unchangedMs: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), `fogis-bench-ingest-${kind}-`));
  const config: AppConfig = configSchema.parse({});
  const ctx = ctxFor(dir);
  const sink: CalendarSink = kind === 'ics' ? createCalendarSink(config, ctx, { saveDelayMs: 50 }) : new RecordingSink();
  await sink.start();
  warmValidators();
  const monitor = new Monitor(config, { log: ctx.log, dataDir: dir, sink });
  const cmd = publishCommand('fogis:matches:updates', messageText(root, 'm1000'));
  const msg = (): Buffer => {
    const b = Buffer.from(cmd.buf.subarray(cmd.payloadOffset, cmd.payloadOffset + cmd.payloadBytes));
    stamp(b, 0, ++seq, 0);
    return b;
  };
  let t = now();
  monitor.ingest('fogis:matches:updates', msg());
  const firstMs = now() - t;
  if (kind === 'ics') await (sink as FullCalendarSink).drain(60_000);
  const times: number[] = [];
  for (let i = 0; i < 5 * reps; i++) {
    const b = msg();
    t = now();
    monitor.ingest('fogis:matches:updates', b);
    times.push(now() - t);
    await new Promise((res) => setTimeout(res, 20));
  }
  await monitor.flush();
  monitor.dispose();
  await sink.stop();
  rmSync(dir, { recursive: true, force: true });
  return { sink: kind, firstMs, unchangedMs: median(times) };
}

/** What the run reads back from this process's one JSON line. */
export interface CalendarResult {
  backends: BackendResult[];
  ingest: Array<{ sink: string; firstMs: number; unchangedMs: number }>;
}

const out: CalendarResult = {
  backends: [await runBackend('ics'), await runBackend('google')],
  ingest: [await ingestWith('recording'), await ingestWith('ics'), await ingestWith('recording'), await ingestWith('ics')],
};
process.stdout.write(`${JSON.stringify(out)}\n`);
process.exit(0);
