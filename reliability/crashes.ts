import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ICAL from 'ical.js';
import { getJson, tempDir, waitUntil, FAST_REDIS_ENV, type HeadlessProcess } from '../test/harness/app';
import { startRedis } from '../test/harness/redis-server';
import { startFakeCalendarServer, type FakeCalendarServer } from '../test/harness/fake-calendar-server';
import { TOKEN_SECRET_NAME } from '../electron/core/sync/google-auth';
import { CHANNELS, envelope, headless, KICKOFF_BASE_MS, ms, publisher, redisStats, scenario, skippedRow, sleep, tidAt, waitStatus, type Row } from './lib';

const GROUP = 'Crashes and data safety';

// ---- a reproducible stream of changing match lists -------------------------------------------

/** Small seeded PRNG (mulberry32), so a failing run can be replayed with the same seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SimMatch {
  matchid: number;
  lag1namn: string;
  lag2namn: string;
  tid: string;
  anlaggningnamn: string;
  installd?: boolean;
  domaruppdraglista: Array<{ domarrollkortnamn: string; personnamn: string; mobiltelefon: string }>;
}

const BASE_MS = KICKOFF_BASE_MS;

function newMatch(id: number, rnd: () => number): SimMatch {
  return {
    matchid: 6_000_000 + id,
    lag1namn: `Lag ${id}A`,
    lag2namn: `Lag ${id}B`,
    tid: `/Date(${BASE_MS + Math.floor(rnd() * 2000) * 3_600_000})/`,
    anlaggningnamn: `Arena ${Math.floor(rnd() * 10)}`,
    domaruppdraglista: [{ domarrollkortnamn: 'Dom', personnamn: `Domare ${Math.floor(rnd() * 50)}`, mobiltelefon: '070-0000000' }],
  };
}

/**
 * `n` full lists; each differs from the previous by one change: a new match, a removal, a
 * moved kickoff, a new venue, a new referee, or a cancellation. Between 6 and 24 matches, so
 * one removal never trips the mass-deletion guard (50 %).
 */
export function matchStream(n: number, seed: number): SimMatch[][] {
  const rnd = prng(seed);
  let next = 1;
  let list: SimMatch[] = Array.from({ length: 12 }, () => newMatch(next++, rnd));
  const out: SimMatch[][] = [];
  for (let i = 0; i < n; i++) {
    list = list.map((m) => ({ ...m, domaruppdraglista: m.domaruppdraglista.map((r) => ({ ...r })) }));
    const live = list.filter((m) => !m.installd);
    const op = rnd();
    const pick = (): SimMatch => live[Math.floor(rnd() * live.length)] as SimMatch;
    if ((op < 0.2 && list.length < 24) || live.length < 6) list.push(newMatch(next++, rnd));
    else if (op < 0.35 && list.length > 6) list.splice(Math.floor(rnd() * list.length), 1);
    else if (op < 0.6) pick().tid = `/Date(${BASE_MS + Math.floor(rnd() * 2000) * 3_600_000})/`;
    else if (op < 0.75) pick().anlaggningnamn = `Arena ${Math.floor(rnd() * 10)}`;
    else if (op < 0.9) (pick().domaruppdraglista[0] as SimMatch['domaruppdraglista'][0]).personnamn = `Domare ${Math.floor(rnd() * 50)}`;
    else pick().installd = true;
    out.push(list);
  }
  return out;
}

interface CalEvent {
  matchId: string;
  start: number;
  summary: string;
  location: string;
  /** "role: name" per referee, in list order: a changed referee must reach the calendar too. */
  referees: string[];
}

function expectedEvents(list: SimMatch[]): Map<string, CalEvent> {
  return new Map(
    list
      .filter((m) => !m.installd)
      .map((m) => [
        String(m.matchid),
        { matchId: String(m.matchid), start: Number(/-?\d+/.exec(m.tid)?.[0]), summary: `${m.lag1namn} - ${m.lag2namn}`, location: m.anlaggningnamn, referees: m.domaruppdraglista.map((r) => `${r.domarrollkortnamn}: ${r.personnamn}`) },
      ]),
  );
}

/**
 * The referees an event's description names (electron/core/sync/event-builder.ts writes a
 * "<role>:" line then the name, before "Match Details:"; the "Last changed" line comes after).
 */
export function refereesOf(description: string): string[] {
  const head = description.split('Match Details:')[0] ?? '';
  return [...head.matchAll(/^([^\n:]+):\n([^\n]+)$/gm)].map((m) => `${m[1]}: ${m[2]}`);
}

function icsEvents(file: string): CalEvent[] {
  const comp = new ICAL.Component(ICAL.parse(readFileSync(file, 'utf8')));
  for (const tz of comp.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(tz));
  return comp
    .getAllSubcomponents('vevent')
    .filter((v) => String(v.getFirstPropertyValue('status')) !== 'CANCELLED')
    .map((v) => {
      const e = new ICAL.Event(v);
      return { matchId: /fogis-match-(\d+)@/.exec(e.uid)?.[1] ?? e.uid, start: e.startDate.toJSDate().getTime(), summary: e.summary, location: e.location, referees: refereesOf(e.description ?? '') };
    });
}

function googleEvents(fake: FakeCalendarServer): CalEvent[] {
  return fake.liveEvents().map((e) => ({ matchId: e.extendedProperties?.private?.matchId ?? '?', start: Date.parse(e.start?.dateTime ?? ''), summary: e.summary ?? '', location: e.location ?? '', referees: refereesOf(e.description ?? '') }));
}

function compare(expected: Map<string, CalEvent>, actual: CalEvent[]): { expected: number; done: number; lost: number; duplicated: number; wrong: number; extra: number; detail: string[] } {
  const byId = new Map<string, CalEvent[]>();
  for (const e of actual) byId.set(e.matchId, [...(byId.get(e.matchId) ?? []), e]);
  let done = 0;
  let wrong = 0;
  let duplicated = 0;
  const detail: string[] = [];
  for (const [id, exp] of expected) {
    const got = byId.get(id) ?? [];
    if (got.length > 1) duplicated += got.length - 1;
    const first = got[0];
    if (!first) {
      detail.push(`missing ${id}`);
      continue;
    }
    if (first.start === exp.start && first.summary === exp.summary && first.location === exp.location && first.referees.join('|') === exp.referees.join('|')) done++;
    else {
      wrong++;
      detail.push(`stale ${id}: ${JSON.stringify(first)} ≠ ${JSON.stringify(exp)}`);
    }
  }
  const extra = [...byId.keys()].filter((id) => !expected.has(id)).length;
  if (extra) detail.push(`extra events for ${[...byId.keys()].filter((id) => !expected.has(id)).join(',')}`);
  return { expected: expected.size, done, lost: expected.size - done - wrong, duplicated, wrong, extra, detail };
}

/** Every JSON file in the data directory parses; nothing was moved aside as corrupt. */
function checkFiles(dataDir: string): string[] {
  const problems: string[] = [];
  for (const name of readdirSync(dataDir)) {
    const file = path.join(dataDir, name);
    if (name.includes('.corrupt-')) problems.push(`moved aside: ${name}`);
    else if (name.endsWith('.json')) {
      try {
        JSON.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        problems.push(`${name}: ${(err as Error).message}`);
      }
    } else if (name === 'calendar.ics') {
      try {
        ICAL.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        problems.push(`${name}: ${(err as Error).message}`);
      }
    }
  }
  return problems;
}

function seedGoogleSignIn(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(
    path.join(dataDir, 'secrets.json'),
    JSON.stringify({ [TOKEN_SECRET_NAME]: JSON.stringify({ refresh_token: 'refresh-crash-test', access_token: null, expiry_date: null, scope: 'https://www.googleapis.com/auth/calendar', client_id: 'cid.apps.googleusercontent.com', client_secret: 'csecret', token_uri: null }) }),
    { mode: 0o600 },
  );
}

interface CalendarSnapshot {
  calendar: { backend: string; pending: number; failed: number; heldDeletions: number; status: string };
  matches: { messageId: string | null };
}

/**
 * Replays `messages` full lists through Redis to the headless app and SIGKILLs it `kills`
 * times at random moments (just after a random message, plus 0–40 ms), restarting it on the
 * same data directory each time. Messages are only published while the app is subscribed,
 * so every list reaches some instance. At the end the calendar must equal the last list.
 */
export async function crashReplay(opts: { backend: 'ics' | 'google'; messages?: number; kills?: number; seed?: number; apiFaults?: boolean; logFile?: string; intervalMs?: number; keepDataDir?: boolean }): Promise<Row> {
  const n = opts.messages ?? 1000;
  const kills = opts.kills ?? 20;
  const seed = opts.seed ?? 20260501;
  const faults = opts.backend === 'google' && opts.apiFaults === true;
  return scenario(GROUP, `SIGKILL ×${kills} during a ${n}-list replay (${opts.backend === 'ics' ? 'ICS file' : `Google via the local Calendar v3 server${faults ? ', with API faults' : ''}`})`, 'after the run the calendar equals the last match list: 0 lost writes, 0 duplicates, 0 stale events; every state file parses after every kill; nothing moved aside as corrupt', async (c, f, cleanup) => {
    const redis = await startRedis();
    cleanup(() => redis.stop());
    const dataDir = tempDir('fogis-crash-');
    if (opts.keepDataDir) c.note(`data directory kept: ${dataDir}`);
    else cleanup(() => rmSync(dataDir, { recursive: true, force: true }));
    let fake: FakeCalendarServer | null = null;
    const env: Record<string, string> = { REDIS_URL: redis.url, ...FAST_REDIS_ENV, CALENDAR_BACKEND: opts.backend };
    if (opts.backend === 'google') {
      fake = await startFakeCalendarServer();
      const fk = fake;
      cleanup(() => fk.close());
      fake.latencyMs = 3;
      seedGoogleSignIn(dataDir);
      Object.assign(env, { FOGIS_GOOGLE_API_ROOT: fake.rootUrl, FOGIS_GOOGLE_TOKEN_URL: fake.tokenUrl, GOOGLE_CALENDAR_TOKEN_FILE: path.join(dataDir, 'no-token.json') });
    }
    const lists = matchStream(n, seed);
    const rnd = prng(seed ^ 0x5eed);
    const killAt = new Set<number>();
    while (killAt.size < Math.min(kills, n - 1)) killAt.add(Math.floor(rnd() * (n - 1)));
    let app: HeadlessProcess = await headless(env, dataDir);
    cleanup(() => app.stop('SIGKILL'));
    await waitStatus(app.baseUrl, (s) => s.subscribed, 10_000, 'subscribed');
    let instanceStart = (await redisStats(app.baseUrl)).messages_received;
    const pub = await publisher(redis.url);
    cleanup(() => pub.close());
    const fileProblems: string[] = [];
    let restarts = 0;
    let republished = 0;
    let publishes = 0;
    let delivered = 0;
    // What the killed instances had counted, read just before each SIGKILL (nothing is
    // published in between). The counters are saved in state.json and restored at start, so
    // each instance's share is its count at the kill minus its count once it had started.
    // A kill may take with it only the lists still in flight: delivered to the socket but not
    // yet through the ingest worker. "In flight" is bounded in time, not in number (the
    // pipeline holds more than one list when the machine is loaded): every list delivered
    // more than IN_FLIGHT_MS before the count was read must have been counted.
    const IN_FLIGHT_MS = 2000;
    let receivedByKilled = 0;
    let deliveredAt: number[] = [];
    const killProblems: string[] = [];
    const countNow = (): Promise<number> => redisStats(app.baseUrl).then((st) => st.messages_received, () => 0);
    let faultsInjected = 0;
    const outputs: string[] = [];
    let lastId = '';
    const t0 = Date.now();
    for (let i = 0; i < n; i++) {
      lastId = `crash-${seed}-${i}`;
      const msg = JSON.stringify(envelope('match_updates', { matches: lists[i] }, lastId));
      for (;;) {
        publishes++;
        if ((await pub.publish(CHANNELS.matches, msg)) > 0) {
          delivered++;
          deliveredAt.push(Date.now());
          break;
        }
        republished++;
        await waitStatus(app.baseUrl, (s) => s.subscribed, 10_000, 'subscribed before publishing');
      }
      if (faults && fake && i % 25 === 0) {
        // Writes that succeed but whose answer is lost, server errors, a dropped connection.
        fake.inject({ op: 'insert', times: 1, resetAfterApply: true });
        fake.inject({ op: 'patch', times: 1, resetAfterApply: true });
        fake.inject({ op: 'delete', times: 1, resetAfterApply: true });
        fake.inject({ op: 'insert', times: 1, status: 500, reason: 'backendError' });
        fake.inject({ op: 'patch', times: 1, status: 503, reason: 'backendError' });
        fake.inject({ op: 'list', times: 1, reset: true });
        faultsInjected += 6;
      }
      if (killAt.has(i)) {
        await sleep(Math.floor(rnd() * 40));
        const readAt = Date.now();
        const counted = Math.max(0, (await countNow()) - instanceStart);
        receivedByKilled += counted;
        const inFlight = deliveredAt.filter((t) => readAt - t < IN_FLIGHT_MS).length;
        const uncounted = deliveredAt.length - counted;
        if (uncounted < 0 || uncounted > inFlight) killProblems.push(`kill ${restarts + 1}: ${counted} of ${deliveredAt.length} lists counted, ${inFlight} delivered in the last ${IN_FLIGHT_MS} ms`);
        deliveredAt = [];
        app.child.kill('SIGKILL');
        await app.exited;
        outputs.push(app.output());
        fileProblems.push(...checkFiles(dataDir).map((p) => `after kill ${restarts + 1}: ${p}`));
        app = await headless(env, dataDir);
        restarts++;
        await waitStatus(app.baseUrl, (s) => s.subscribed, 10_000, 'subscribed after restart');
        instanceStart = await countNow();
      } else await sleep(opts.intervalMs ?? (faults ? 25 : 5));
    }
    const publishMs = Date.now() - t0;
    // The API is healthy again: faults not yet consumed are dropped, the backlog must drain.
    fake?.clearFaults();
    // Settle: the last list is the current one and nothing is pending.
    const settleStart = Date.now();
    let snap: CalendarSnapshot | null = null;
    await waitUntil(async () => {
      snap = (await getJson(`${app.baseUrl}/api/state`)).body as unknown as CalendarSnapshot;
      return snap.matches.messageId === lastId && snap.calendar.pending === 0;
    }, 60_000, 'calendar settled', 100).catch(() => undefined);
    const settleMs = Date.now() - settleStart;
    await sleep(1500); // the ICS file and state are written shortly after the last job
    const final = expectedEvents(lists[n - 1] ?? []);
    const actual = opts.backend === 'ics' ? icsEvents(path.join(dataDir, 'calendar.ics')) : googleEvents(fake as FakeCalendarServer);
    const cmp = compare(final, actual);
    const stats = await redisStats(app.baseUrl);
    fileProblems.push(...checkFiles(dataDir).map((p) => `at the end: ${p}`));
    const s = snap as CalendarSnapshot | null;
    f.kills = restarts;
    const received = receivedByKilled + Math.max(0, stats.messages_received - instanceStart);
    f['lists published / delivered to a running app'] = `${publishes} PUBLISH of ${n} lists / ${delivered} delivered (${republished} found no subscriber and were sent again)`;
    f['published / received / lost'] = `${publishes} / ${received} / ${delivered - received} (lists the app counted, summed over ${restarts + 1} instances; a list delivered to an instance killed before it counted it, at most those delivered in the last ${IN_FLIGHT_MS} ms, is lost by the kill, and the next full list replaces it)`;
    f['lists received by the last instance'] = `${stats.messages_received - instanceStart} of ${deliveredAt.length} delivered to it`;
    f['calendar writes expected / done / duplicated'] = `${cmp.expected} / ${cmp.done} / ${cmp.duplicated}`;
    f['lost / stale / extra events'] = `${cmp.lost} / ${cmp.wrong} / ${cmp.extra}`;
    if (faults) f['API faults injected'] = `${faultsInjected} (lost answers after a write, 500/503, resets)`;
    if (fake) f['Calendar API calls'] = `${fake.count('insert')} inserts, ${fake.count('patch')} patches, ${fake.count('delete')} deletes, ${fake.count('list')} lists`;
    f['state files checked'] = `${restarts + 1} times, problems: ${fileProblems.length}`;
    f['calendar state at the end'] = s ? `pending ${s.calendar.pending}, failed ${s.calendar.failed}, held ${s.calendar.heldDeletions}, ${s.calendar.status}` : 'unknown';
    f['replay time / settle time'] = `${ms(publishMs)} / ${ms(settleMs)}`;
    c.check(restarts === Math.min(kills, n - 1), `${restarts} kills`);
    c.check(delivered === n, `${delivered} of ${n} lists delivered`);
    // A kill can take with it only the lists in flight; the instance that was never killed
    // counts every list delivered to it.
    const lastReceived = stats.messages_received - instanceStart;
    c.check(killProblems.length === 0, `lists lost by a kill that were not in flight: ${killProblems.slice(0, 3).join('; ')}`);
    c.check(lastReceived === deliveredAt.length, `the last instance counted ${lastReceived} of the ${deliveredAt.length} lists delivered to it`);
    c.check(received <= delivered, `${received} lists counted by the app of ${delivered} delivered (${restarts} kills)`);
    c.check(cmp.lost === 0 && cmp.duplicated === 0 && cmp.wrong === 0 && cmp.extra === 0, cmp.detail.slice(0, 5).join('; ') || 'calendar differs');
    c.check(fileProblems.length === 0, fileProblems.slice(0, 3).join('; '));
    c.check(!!s && s.calendar.failed === 0 && s.calendar.heldDeletions === 0 && s.calendar.pending === 0, 'calendar state clean at the end (nothing pending, failed or held)');
    if (c.failures.length > 0) {
      const st = (await getJson(`${app.baseUrl}/api/state`)).body as { calendar?: { perMatch?: Record<string, { status: string; reason: string | null }> } };
      const held = Object.entries(st.calendar?.perMatch ?? {}).filter(([, v]) => v.status !== 'synced');
      if (held.length) c.note(`not synced at the end: ${held.map(([k, v]) => `${k} ${v.status} (${v.reason ?? ''})`).join('; ').slice(0, 800)}`);
    }
    if (opts.logFile) writeFileSync(opts.logFile, [...outputs, app.output(), ...(fake ? fake.requests.map((r) => `${r.at} ${r.op} ${r.method} ${r.path}`) : [])].join('\n----\n'));
    if (c.failures.length > 0) for (const line of app.output().split('\n').filter((l) => /\[(sync|calendar|google)\]/.test(l)).slice(-12)) c.note(`log: ${line.slice(25, 400)}`);
  });
}

// ---- corrupt state at start ------------------------------------------------------------------

export async function corruptState(): Promise<Row> {
  return scenario(GROUP, 'Corrupt or truncated state files at start', 'state.json truncated / garbage / wrong shape / empty / NUL bytes, and corrupt calendar store files: the app starts, moves the file aside (…corrupt-<time>), raises a warning alert, and saves a fresh state', async (c, f, cleanup) => {
    const redis = await startRedis();
    cleanup(() => redis.stop());
    const good = JSON.stringify({ version: 1, savedAt: new Date().toISOString(), matches: { list: [], receivedAt: null, messageId: null, generation: null }, history: [], historyTotal: 0, alerts: [], alertsTotal: 0 });
    const variants: Array<[string, Record<string, string | Buffer>]> = [
      ['truncated state.json', { 'state.json': good.slice(0, Math.floor(good.length / 2)) }],
      ['garbage state.json', { 'state.json': 'not json at all \u0000\u0001' }],
      ['state.json with the wrong shape', { 'state.json': '{"version":1,"matches":"nope"}' }],
      ['empty state.json', { 'state.json': '' }],
      ['state.json of NUL bytes (power loss)', { 'state.json': Buffer.alloc(4096, 0) }],
      ['corrupt calendar store files', { 'calendar-ics-events.json': '{"version":1,"events":[{"uid":', 'calendar-ics-sync.json': '[[[', 'config.json': '{}' }],
    ];
    const results: string[] = [];
    for (const [name, files] of variants) {
      const dataDir = tempDir('fogis-corrupt-');
      cleanup(() => rmSync(dataDir, { recursive: true, force: true }));
      for (const [file, content] of Object.entries(files)) writeFileSync(path.join(dataDir, file), content);
      let started = false;
      let alert = false;
      let resaved = false;
      let movedAside: string[] = [];
      try {
        const app = await headless({ REDIS_URL: redis.url, ...FAST_REDIS_ENV }, dataDir);
        cleanup(() => app.stop());
        started = true;
        await waitStatus(app.baseUrl, (s) => s.subscribed, 10_000, 'subscribed');
        const state = (await getJson(`${app.baseUrl}/api/state`)).body as { alerts: { items: Array<{ alertType: string; severity: string }> } };
        alert = state.alerts.items.some((a) => a.alertType === 'state_file_corrupt' || /corrupt|set aside|unreadable/i.test(JSON.stringify(a)));
        const p = await publisher(redis.url);
        await p.publish(CHANNELS.matches, JSON.stringify(envelope('match_updates', { matches: [{ matchid: 1, lag1namn: 'A', lag2namn: 'B', tid: tidAt(0) }] })));
        p.close();
        await waitUntil(async () => (await redisStats(app.baseUrl)).messages_processed >= 1, 5000, 'list processed');
        await app.stop();
        movedAside = readdirSync(dataDir).filter((n) => n.includes('.corrupt-'));
        resaved = existsSync(path.join(dataDir, 'state.json')) && (() => {
          try {
            return (JSON.parse(readFileSync(path.join(dataDir, 'state.json'), 'utf8')) as { matches: { list: unknown[] } }).matches.list.length === 1;
          } catch {
            return false;
          }
        })();
      } catch (err) {
        results.push(`${name}: did not start (${(err as Error).message.split('\n')[0]})`);
      }
      const expectAlert = Object.keys(files).includes('state.json');
      const ok = started && resaved && movedAside.length >= 1 && (!expectAlert || alert);
      results.push(`${name}: ${ok ? 'ok' : 'FAILED'} (moved aside ${movedAside.length}, alert ${alert}, fresh state ${resaved})`);
      c.check(ok, `${name}: started ${started}, moved aside ${movedAside.join(',') || 'nothing'}, alert ${alert}, fresh state ${resaved}`);
    }
    f.variants = results.join('; ');
  });
}

// ---- full disk and read-only data directory --------------------------------------------------

function sh(cmd: string): { ok: boolean; out: string } {
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}`.trim() };
}

export function canMountTmpfs(): { ok: boolean; why: string } {
  if (process.platform !== 'linux') return { ok: false, why: `not Linux (${process.platform})` };
  if (process.getuid?.() !== 0) return { ok: false, why: 'needs root to mount a small tmpfs (not root here)' };
  const dir = tempDir('fogis-mnt-probe-');
  const r = sh(`mount -t tmpfs -o size=1m tmpfs ${dir} && umount ${dir}`);
  rmSync(dir, { recursive: true, force: true });
  return r.ok ? { ok: true, why: '' } : { ok: false, why: `mount -t tmpfs failed: ${r.out}` };
}

interface StorageSnapshot {
  storageError: string | null;
  alerts: { items: Array<{ alertType: string; message: string }> };
  calendar: { status: string };
}

export async function fullDiskAndReadOnly(): Promise<Row> {
  const probe = canMountTmpfs();
  const expectation = 'data directory on a 2 MB tmpfs: filled up, then remounted read-only: snapshot.storageError says so (and an alert), the app keeps running and receiving; when space / write access returns the error clears by itself (no new message needed) and state.json is current';
  if (!probe.ok) return skippedRow(GROUP, 'Full disk / read-only data directory', expectation, probe.why);
  return scenario(GROUP, 'Full disk, then read-only data directory', expectation, async (c, f, cleanup) => {
    const redis = await startRedis();
    cleanup(() => redis.stop());
    const dataDir = tempDir('fogis-disk-');
    cleanup(() => rmSync(dataDir, { recursive: true, force: true }));
    const m = sh(`mount -t tmpfs -o size=2m tmpfs ${dataDir}`);
    if (!m.ok) throw new Error(`mount failed: ${m.out}`);
    cleanup(() => sh(`umount -l ${dataDir}`));
    const app = await headless({ REDIS_URL: redis.url, ...FAST_REDIS_ENV }, dataDir);
    cleanup(() => app.stop());
    await waitStatus(app.baseUrl, (s) => s.subscribed, 10_000, 'subscribed');
    const pub = await publisher(redis.url);
    cleanup(() => pub.close());
    let seq = 0;
    const list = (k: number): string => JSON.stringify(envelope('match_updates', { matches: Array.from({ length: k }, (_, i) => ({ matchid: 100 + i, lag1namn: `A${i}`, lag2namn: `B${i}`, tid: tidAt((seq + i) * 60_000) })) }, `disk-${++seq}`));
    const snapshot = async (): Promise<StorageSnapshot> => (await getJson(`${app.baseUrl}/api/state`)).body as unknown as StorageSnapshot;
    await pub.publish(CHANNELS.matches, list(3));
    await sleep(1500);
    // 1. Full disk
    sh(`dd if=/dev/zero of=${dataDir}/filler bs=64k 2>/dev/null; true`);
    const tFull = Date.now();
    await pub.publish(CHANNELS.matches, list(4));
    let full: StorageSnapshot | null = null;
    const detectFull = await waitUntil(async () => {
      full = await snapshot();
      return full.storageError ? Date.now() - tFull : null;
    }, 10_000, 'storage error on a full disk', 100).catch(() => null);
    const fullSnap = full as StorageSnapshot | null;
    const alertFull = fullSnap?.alerts.items.some((a) => a.alertType === 'storage') ?? false;
    const before = (await redisStats(app.baseUrl)).messages_received;
    await pub.publish(CHANNELS.status, JSON.stringify(envelope('processing_status', { status: 'started' })));
    const stillReceiving = await waitUntil(async () => (await redisStats(app.baseUrl)).messages_received > before, 3000, 'receiving on a full disk').then(() => true, () => false);
    // Space returns; no new message is sent: the app must notice by itself.
    rmSync(path.join(dataDir, 'filler'));
    const tFree = Date.now();
    const recoverFull = await waitUntil(async () => ((await snapshot()).storageError === null ? Date.now() - tFree : null), 30_000, 'storage error cleared after space returns', 200).catch(() => null);
    const saved = (() => {
      try {
        return (JSON.parse(readFileSync(path.join(dataDir, 'state.json'), 'utf8')) as { matches: { messageId: string } }).matches.messageId;
      } catch {
        return null;
      }
    })();
    // 2. Read-only
    const ro = sh(`mount -o remount,ro ${dataDir}`);
    const tRo = Date.now();
    await pub.publish(CHANNELS.matches, list(5));
    const detectRo = ro.ok ? await waitUntil(async () => ((await snapshot()).storageError ? Date.now() - tRo : null), 10_000, 'storage error read-only', 100).catch(() => null) : null;
    const roError = ro.ok ? (await snapshot()).storageError : null;
    sh(`mount -o remount,rw ${dataDir}`);
    const tRw = Date.now();
    const recoverRo = ro.ok ? await waitUntil(async () => ((await snapshot()).storageError === null ? Date.now() - tRw : null), 30_000, 'storage error cleared after rw', 200).catch(() => null) : null;
    const savedRo = (() => {
      try {
        return (JSON.parse(readFileSync(path.join(dataDir, 'state.json'), 'utf8')) as { matches: { messageId: string } }).matches.messageId;
      } catch {
        return null;
      }
    })();
    const health = await getJson(`${app.baseUrl}/health`);
    f['full disk: time to detect'] = ms(detectFull);
    f['full disk: error shown'] = fullSnap?.storageError ?? '';
    f['full disk: alert'] = alertFull;
    f['full disk: time to recover (no new message)'] = recoverFull === null ? 'did not recover' : ms(recoverFull);
    f['read-only: time to detect / recover'] = ro.ok ? `${ms(detectRo)} / ${recoverRo === null ? 'did not recover' : ms(recoverRo)}` : `remount failed: ${ro.out}`;
    f['read-only: error shown'] = roError ?? '';
    f['state.json current after recovery'] = `${saved === 'disk-2'} / ${savedRo === 'disk-3'}`;
    c.check(detectFull !== null, 'full disk detected');
    c.check(alertFull, 'full disk raises an alert');
    c.check(stillReceiving, 'still receiving on a full disk');
    c.check(recoverFull !== null, 'recovers when space returns without a new message');
    c.check(saved === 'disk-2', `state.json after space returned holds ${saved}`);
    c.check(ro.ok && detectRo !== null && recoverRo !== null, 'read-only detected and recovered');
    c.check(savedRo === 'disk-3', `state.json after rw holds ${savedRo}`);
    c.check(health.status === 200 && app.child.exitCode === null, 'app running');
  });
}
