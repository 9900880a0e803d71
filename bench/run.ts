/**
 * `npm run bench [-- --quick] [-- --only=startup,memory,throughput,latency,drain,change,dashboard,http,calendar] [-- --headless=<file>]`
 *
 * One run, one redis-server of its own (free port, never 6379), every figure measured next to
 * its baseline in the same run: a bare ioredis subscriber that only counts, the same plus
 * JSON.parse, and our real headless app (dist/headless.js, default config: ICS calendar),
 * measured from the inside by bench/probe.ts. Each subscriber is its own process; a raw-RESP
 * publisher drives them. Each step has its own time budget and the whole run a deadline: a
 * step that fails or runs out of time is reported, and its targets print MISSED with the
 * reason. Prints the figures and every target of issue 12; writes bench-results.json.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRedis, type TestRedis } from '../test/harness/redis-server';
import { steps, log, r1, ROOT, BENCH_DIST, withTimeout } from './harness';
import { Publisher } from './publishing';
import { startBaseline, startOurs, stats, type Sub, type Subs } from './subscribers';
import { messageText, publishCommand, ListSeries, type SeriesKind, type SizeName } from './messages';
import { table } from './report';
import type { BenchResults, Machine } from './results';
import type { CalendarResult } from './calendar';
import { changeCost } from './steps-change';
import { dashboard, httpLoad } from './steps-dashboard';
import { drain, memory, startup } from './steps-memory';
import { fixedSource, latencyRow, seriesSource, throughputRow } from './steps-throughput';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const onlyArg = argv.find((a) => a.startsWith('--only='));
const ONLY = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : null;
const want = (section: string): boolean => !ONLY || ONLY.has(section);
const headlessArg = argv.find((a) => a.startsWith('--headless='));
/** `--headless=<file>`: measure another build of the headless app (e.g. an older commit's) as "ours". */
const HEADLESS = headlessArg ? path.resolve(headlessArg.slice('--headless='.length)) : path.join(ROOT, 'dist', 'headless.js');
const nodeFlagsArg = argv.find((a) => a.startsWith('--node-flags='));
/**
 * Node/V8 flags for our process only, printed with the machine line. By default those the app
 * is started with (`npm run headless`, `npm start`: scripts/runtime-flags.json), so the bench
 * measures the app as users run it; `--node-flags=--a,--b=1` measures others, and
 * `--node-flags=` V8's defaults.
 */
const RUNTIME_FLAGS = JSON.parse(readFileSync(path.join(ROOT, 'scripts', 'runtime-flags.json'), 'utf8')) as string[];
const NODE_FLAGS = nodeFlagsArg ? nodeFlagsArg.slice('--node-flags='.length).split(',').filter(Boolean) : RUNTIME_FLAGS;

const P = QUICK
  ? { reps: 1, n: { small: 30_000, m10: 2_000, m1000: 10 }, latSeconds: 2, memMessages: 100_000, drainLists: 30, changeLists: 4, dashLists: 4, startupReps: 1, httpSeconds: 2, calReps: 1, totalSeconds: 150 }
  : { reps: 2, n: { small: 60_000, m10: 3_000, m1000: 12 }, latSeconds: 3, memMessages: 1_000_000, drainLists: 100, changeLists: 6, dashLists: 10, startupReps: 2, httpSeconds: 3, calReps: 1, totalSeconds: 400 };


const texts = new Map<SizeName, string>();
const textOf = (size: SizeName): string => {
  let t = texts.get(size);
  if (!t) texts.set(size, (t = messageText(ROOT, size)));
  return t;
};

function machine(): Machine {
  const redisVersion = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.trim();
  const ioredis = (JSON.parse(readFileSync(path.join(ROOT, 'node_modules/ioredis/package.json'), 'utf8')) as { version: string }).version;
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', cwd: ROOT }).stdout.trim();
  return { headless: path.relative(ROOT, HEADLESS), nodeFlags: NODE_FLAGS, nproc: os.availableParallelism(), cpu: os.cpus()[0]?.model ?? 'unknown', memGB: r1(os.totalmem() / 2 ** 30), node: process.version, ioredis, redis: redisVersion.replace(/^Redis server /, '').split(' ')[0], os: `${os.type()} ${os.release()}`, git, quick: QUICK, date: new Date().toISOString(), loadavg: os.loadavg().map(r1).join(' ') };
}

function calendar(): CalendarResult {
  const r = spawnSync(process.execPath, [path.join(BENCH_DIST, 'calendar.js'), ROOT, String(P.calReps)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 230_000 });
  const line = r.stdout?.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as CalendarResult;
  } catch {
    throw new Error(`calendar bench failed (${r.status ?? r.signal}): ${(r.stderr ?? '').slice(-500)}`);
  }
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const deadline = t0 + P.totalSeconds * 1000;
  const results: BenchResults = { machine: machine(), params: P, errors: {} };
  log(`machine: ${JSON.stringify(results.machine)}`);

  /** Runs one step within `seconds` (and the run's deadline); a failure is recorded, never thrown. */
  const step = async (name: string, seconds: number, fn: () => Promise<void>): Promise<void> => {
    const left = deadline - performance.now();
    if (left < 5_000) {
      results.errors[name] = `skipped: the run's ${P.totalSeconds} s were used up`;
      log(`${name}: skipped (out of total time)`);
      return;
    }
    steps.generation++;
    const t = performance.now();
    try {
      await withTimeout(fn(), Math.min(seconds * 1000, left), name);
      log(`${name}: done in ${r1((performance.now() - t) / 1000)} s`);
    } catch (err) {
      steps.generation++; // its loops stop at their next turn
      results.errors[name] = (err as Error).message;
      log(`${name} FAILED after ${r1((performance.now() - t) / 1000)} s: ${(err as Error).message}`);
    }
  };

  const redis: TestRedis = await startRedis({ args: ['--client-output-buffer-limit', 'pubsub', '0', '0', '0', '--loglevel', 'warning'] });
  log(`redis-server on ${redis.port}`);
  const subsList: Sub[] = [];
  let dataDir: string | null = null;
  const pub = new Publisher(redis.port);
  try {
    for (const s of ['small', 'm10', 'm1000'] as SizeName[]) log(`message ${s}: ${Buffer.byteLength(textOf(s))} bytes`);
    if (want('startup')) await step('startup', 60, async () => void (results.startup = await startup(HEADLESS, redis, P.startupReps)));
    await pub.connect();
    const bare = await startBaseline('count', redis.url);
    const parse = await startBaseline('parse', redis.url);
    const started = await startOurs(HEADLESS, redis.url, NODE_FLAGS);
    const ours = started.sub;
    dataDir = started.dataDir;
    subsList.push(bare, parse, ours);
    const subs: Subs = { bare, parse, ours };
    const all = [bare, parse, ours];
    const fixed = (size: SizeName) => (s: Sub) => fixedSource(textOf, s, size);
    const series = (kind: SeriesKind) => (s: Sub) => seriesSource(ROOT, s, kind);
    const throughput: NonNullable<BenchResults['throughput']> = (results.throughput = {});
    const latency: NonNullable<BenchResults['latency']> = (results.latency = {});

    if (want('memory')) {
      const small = publishCommand(ours.channel.small, textOf('small'));
      const m10 = publishCommand(ours.channel.m10, textOf('m10'));
      await step('memory', 170, async () => void (results.memory = await memory(pub, subs, P.memMessages, small, m10)));
    }
    // Size by size, so our process sees one list switch (10 → 1000 matches, all new) and
    // never a 1000 → 10 switch, which holds back 990 calendar deletions (see BENCHMARKS.md).
    if (want('throughput')) {
      await step('throughput-small', 60, async () => void (throughput.small = await throughputRow(pub, all, 'small status', 'small', P.n.small, P.reps, fixed('small'), Buffer.byteLength(textOf('small')))));
      await step('throughput-m10', 60, async () => void (throughput.m10 = await throughputRow(pub, all, '10-match lists', 'm10', P.n.m10, P.reps, fixed('m10'), Buffer.byteLength(textOf('m10')))));
    }
    if (want('latency')) await step('latency-m10', 60, async () => void (latency.m10 = await latencyRow(pub, [parse, ours], '10-match lists', 1000, P.latSeconds, P.reps, fixed('m10'))));
    if (want('throughput')) {
      const bytes = Buffer.byteLength(textOf('m1000'));
      await step('throughput-m1000', 60, async () => void (throughput.m1000 = await throughputRow(pub, all, '1000-match lists, identical', 'm1000', P.n.m1000, P.reps, fixed('m1000'), bytes)));
      const seriesBytes = new ListSeries(ROOT, 'x', 'pct1').bytes;
      await step('throughput-m1000_pct1', 60, async () => void (throughput.m1000_pct1 = await throughputRow(pub, all, '1000-match lists, 1 % changed', 'm1000', P.n.m1000, P.reps, series('pct1'), seriesBytes)));
      // Every match changed: our process handles about 2 a second; half the lists keep the step within its time.
      await step('throughput-m1000_all', 90, async () => void (throughput.m1000_all = await throughputRow(pub, all, '1000-match lists, all changed', 'm1000', Math.max(5, P.n.m1000 / 2), P.reps, series('all'), seriesBytes)));
    }
    if (want('drain')) await step('drain', 75, async () => void (results.drain = await drain(pub, [parse, ours], P.drainLists, series('pct1'))));
    if (want('change')) await step('change', 100, async () => void (results.change = await changeCost(pub, [parse, ours], ['one', 'all'], P.changeLists, 1, (s, kind) => seriesSource(ROOT, s, kind))));
    if (want('dashboard')) await step('dashboard', 45, async () => void (results.dashboard = await dashboard(pub, ours, seriesSource(ROOT, ours, 'one'), P.dashLists)));
    if (want('http')) await step('http', 30, async () => void (results.http = await httpLoad(pub, ours, fixedSource(textOf, ours, 'small'), P.httpSeconds)));
    await step('totals', 10, async () => {
      const st = await stats(ours.httpPort!);
      results.totals = { messages_received: st.messages_received, messages_processed: st.messages_processed, errors: st.errors, duplicates: st.duplicates };
    });
    for (const s of subsList) await s.stop();
    // The calendar decisions (issue 6) take minutes on a loaded machine: only when asked for.
    if (ONLY?.has('calendar')) await step('calendar', 240, async () => void (results.calendar = calendar()));
  } catch (err) {
    results.errors.run = (err as Error).message;
    log(`run failed: ${(err as Error).stack ?? String(err)}`);
    for (const s of subsList) if (s.lines.length) log(`last output of ${s.name}:\n  ${s.lines.slice(-20).join('\n  ')}`);
  } finally {
    pub.close();
    for (const s of subsList) await s.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    await redis.stop();
  }
  results.seconds = Math.round((performance.now() - t0) / 1000);
  const text = table(results);
  process.stdout.write(`\n${text}\n\nTotal ${results.seconds} s. Results in bench-results.json\n`);
  writeFileSync(path.join(ROOT, 'bench-results.json'), `${JSON.stringify({ ...results, table: text }, null, 2)}\n`);
}

// Last guard: a late failure of a step that already ran out of time must not end the run.
process.on('unhandledRejection', (err) => log(`late failure (ignored): ${(err as Error).message ?? String(err)}`));

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
