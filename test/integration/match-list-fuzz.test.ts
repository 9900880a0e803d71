import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import ICAL from 'ical.js';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES_PAGE_MAX } from '../../shared/api';
import { FOGIS_NULL_TID, KICKOFF_WINDOW, MAX_DATE_MS, formatLocalShort } from '../../shared/fogis-time';
import { loadConfig } from '../../electron/core/config/load-config';
import { persistedStateSchema } from '../../electron/core/monitor/persisted-state';
import { engineStateSchema } from '../../electron/core/sync/engine-store';
import { FAST_REDIS_ENV, startCore, tempDir, waitUntil, type TestCore } from '../harness/app';
import { loadFixture } from '../harness/fixture';
import { startRedis, type TestRedis } from '../harness/redis-server';

/**
 * Issue 9: at least 10,000 mutated match lists (dates, numbers, strings, duplicates, types,
 * huge values, unicode), built from the recorded fixture and published through a real
 * redis-server to one running core. Each list carries a label from its mutations: `valid`
 * (must be accepted), `invalid` (must be rejected) or `either`. Every message is looked up by
 * its id in the core's message log, so "received = accepted + rejected" is measured per
 * message, not assumed. The core must never throw (vitest fails on an uncaught error), count
 * no internal error, stay subscribed, and leave state, config and calendar files that load.
 */

const RUNS = Number(process.env.FUZZ_LISTS ?? 10_000);
const BATCH = 100;
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const DAY = 86_400_000;
const NOW = Date.now();

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Match = Record<string, Json>;
type Label = 'valid' | 'invalid' | 'either';

const fixture = loadFixture();
const g3 = JSON.parse(fixture.find((l) => l.channel === 'fogis:matches:updates')?.raw ?? '{}') as Record<string, Json> & { payload: Record<string, Json> & { matches: Match[] } };
const baseMatches = g3.payload.matches;

/** tid, speldatum and avsparkstid of one instant, as FOGIS writes them. */
function kickoffFields(ms: number): Match {
  const local = formatLocalShort(new Date(ms));
  return { tid: `/Date(${ms})/`, speldatum: local.slice(0, 10), avsparkstid: local.slice(11, 16) };
}

// ---- mutations --------------------------------------------------------------------------

type Mutation = { label: Label; apply: (list: Match[], at: number) => void };

const pick = (list: Match[], at: number): Match => list[at % list.length] as Match;
/** A whole number in [min, max] beyond fc.integer's 32 bits. */
const msBetween = (min: number, max: number): fc.Arbitrary<number> => fc.bigInt({ min: BigInt(min), max: BigInt(max) }).map(Number);
/** Any code point, surrogate halves included (built directly: fast-check's 'binary' unit costs seconds to set up). */
const anyChar = fc.integer({ min: 0, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp));
const mut = (label: Label, apply: (list: Match[], at: number) => void): Mutation => ({ label, apply });
const NAME_FIELDS = ['lag1namn', 'lag2namn', 'anlaggningnamn', 'tavlingnamn'] as const;
const HOSTILE_TEXT = ['\u202Eevil\u202C', '👍🏽⚽🇸🇪', 'e\u0301\u0308', '\u0000\u0007\u000b\u000c', 'العربية', '\ud800', 'x'.repeat(3000), '', ' ', '"};{\\', '<script>alert(1)</script>', 'Personuppgifter Skyddade'];

const validMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ field: fc.constantFrom(...NAME_FIELDS), value: fc.oneof(fc.string({ unit: anyChar, maxLength: 80 }), fc.constantFrom(...HOSTILE_TEXT)) }).map(({ field, value }) => mut('valid', (l, at) => void (pick(l, at)[field] = value))),
  fc.integer({ min: -600, max: 1000 }).map((days) => mut('valid', (l, at) => void Object.assign(pick(l, at), kickoffFields(NOW + days * DAY)))),
  fc.constant<Mutation>({ label: 'valid', apply: (l, at) => void (pick(l, at).tid = FOGIS_NULL_TID) }),
  fc.record({ y: fc.constantFrom(new Date(NOW).getUTCFullYear(), new Date(NOW).getUTCFullYear() + 1), mo: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }), h: fc.integer({ min: 0, max: 23 }), mi: fc.integer({ min: 0, max: 59 }), zone: fc.constantFrom('', 'Z', '+02:00', '-05:30') }).map(({ y, mo, d, h, mi, zone }) =>
    mut('valid', (l, at) => void (pick(l, at).tid = `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:00${zone}`)),
  ),
  fc.record({ field: fc.constantFrom('installd', 'uppskjuten', 'avbruten'), value: fc.boolean() }).map(({ field, value }) => mut('valid', (l, at) => void (pick(l, at)[field] = value))),
  fc.constantFrom('speldatum', 'avsparkstid', 'domaruppdraglista', 'kontaktpersoner', 'matchnr').map((field) => mut('valid', (l, at) => void delete pick(l, at)[field])),
  fc.array(fc.string({ unit: anyChar, maxLength: 30 }), { maxLength: 4 }).map((names) => mut('valid', (l, at) => void (pick(l, at).domaruppdraglista = names.map((n, i) => ({ domarrollkortnamn: i === 0 ? 'Dom' : `AD${i}`, personnamn: n, mobiltelefon: '070' }))))),
  fc.record({ field: fc.constantFrom('lag1lagid', 'anlaggningid', 'matchlag1mal', 'tidperhalvlek'), value: fc.oneof(fc.double(), fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER * 4, 0, -1)) }).map(({ field, value }) => mut('valid', (l, at) => void (pick(l, at)[field] = Number.isFinite(value) ? value : 0))),
  msBetween(1, 9_000_000_000_000).map((id) => mut('valid', (l, at) => void (l.some((m) => m.matchid === id) || (pick(l, at).matchid = id)))),
);

const invalidMutation: fc.Arbitrary<Mutation> = fc.oneof(
  // Impossible calendar dates and times (Feb 30, 25:61): rejected, never rolled over.
  fc.constantFrom('2026-02-30', '2027-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '26-11-30', '2026-11-30T17:00').map((v) => mut('invalid', (l, at) => void (pick(l, at).speldatum = v))),
  fc.constantFrom('25:61', '24:00', '17:60', '7:00', '1700', '17:00:00').map((v) => mut('invalid', (l, at) => void (pick(l, at).avsparkstid = v))),
  fc.constantFrom('2026-02-30T17:00:00', '2026-11-31T10:00', '2026-11-30T25:00', '2026-11-30T10:61', '2026-11-30T10:00:00+15:00').map((v) => mut('invalid', (l, at) => void (pick(l, at).tid = v))),
  // Kickoffs outside the window, beyond a Date, or beyond a safe integer.
  fc
    .oneof(msBetween(NOW + KICKOFF_WINDOW.futureMs + DAY, MAX_DATE_MS + 10 ** 12), msBetween(-(MAX_DATE_MS + 10 ** 12), NOW - KICKOFF_WINDOW.pastMs - DAY).filter((ms) => ms !== -62135596800000))
    .map((ms) => mut('invalid', (l, at) => void (pick(l, at).tid = `/Date(${ms})/`))),
  fc.constantFrom('/Date(99999999999999999999)/', '/Date(-99999999999999999999)/', '/Date(9007199254740993)/').map((v) => mut('invalid', (l, at) => void (pick(l, at).tid = v))),
  // One matchid twice.
  fc.constant<Mutation>({ label: 'invalid', apply: (l, at) => void l.push(structuredClone(pick(l, at))) }),
  fc.constant<Mutation>({ label: 'invalid', apply: (l, at) => void (l.length > 1 ? (pick(l, at + 1).matchid = String(pick(l, at).matchid)) : l.push({ ...structuredClone(pick(l, at)) })) }),
  // Numbers out of range and wrong types.
  fc.constantFrom<Json>(-5, 0, 1.5, 1e300, 'abc', '1'.repeat(20), null, true, [], {}).map((v) => mut('invalid', (l, at) => void (pick(l, at).matchid = v))),
  fc.record({ field: fc.constantFrom('lag1namn', 'lag2namn', 'tid'), value: fc.constantFrom<Json>(42, null, [], {}, true, 1e308) }).map(({ field, value }) => mut('invalid', (l, at) => void (pick(l, at)[field] = value))),
  fc.record({ field: fc.constantFrom('installd', 'uppskjuten'), value: fc.constantFrom<Json>(1, 'true', null, [], {}) }).map(({ field, value }) => mut('invalid', (l, at) => void (pick(l, at)[field] = value))),
  fc.constantFrom<Json>(42, null, {}, 'Anna').map((v) => mut('invalid', (l, at) => void (pick(l, at).domaruppdraglista = v))),
  fc.constantFrom('lag1namn', 'lag2namn', 'tid', 'matchid').map((field) => mut('invalid', (l, at) => void delete pick(l, at)[field])),
);

/** Anything at all in a random key: may or may not break the schema. */
const eitherMutation: fc.Arbitrary<Mutation> = fc.record({ key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('tid', 'speldatum', 'matchnr', 'kontaktpersoner', '__proto__', 'constructor')), value: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> }).map(({ key, value }) => ({
  label: 'either' as const,
  apply: (l, at) => void Object.defineProperty(pick(l, at), key, { value, enumerable: true, writable: true, configurable: true }),
}));

interface Case {
  raw: string;
  label: Label;
  id: string;
}

const caseArb = fc
  .record({
    picks: fc.uniqueArray(fc.record({ from: fc.integer({ min: 0, max: baseMatches.length - 1 }), id: fc.integer({ min: 1, max: 2_000_000_000 }), days: fc.integer({ min: 1, max: 700 }) }), { minLength: 1, maxLength: 5, selector: (p) => p.id }),
    valid: fc.array(fc.tuple(validMutation, fc.nat()), { maxLength: 3 }),
    either: fc.array(fc.tuple(eitherMutation, fc.nat()), { maxLength: 1 }),
    invalid: fc.oneof({ weight: 3, arbitrary: fc.constant([] as Array<[Mutation, number]>) }, { weight: 2, arbitrary: fc.array(fc.tuple(invalidMutation, fc.nat()), { minLength: 1, maxLength: 2 }) }),
    badEnvelope: fc.oneof({ weight: 30, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('2026-02-30T10:00:00Z', '2026-11-30T24:00:00Z', 'yesterday') }),
  })
  // Base kickoffs lie ahead (past ones come from the kickoff mutation): the phonebook keeps
  // played matches of the last 30 days, up to 500, and re-derives them on every list, which
  // would make 10,000 lists a test of that store's cost rather than of the message gate.
  .map(({ picks, valid, either, invalid, badEnvelope }): Omit<Case, 'id'> & { build: (id: string) => string } => {
    const list: Match[] = picks.map((p) => ({ ...structuredClone(baseMatches[p.from] as Match), matchid: p.id, ...kickoffFields(NOW + p.days * DAY) }));
    // Valid changes first, then "either", then the invalid ones, so no later change undoes a break.
    for (const [m, at] of valid) m.apply(list, at);
    for (const [m, at] of either) m.apply(list, at);
    for (const [m, at] of invalid) m.apply(list, at);
    const label: Label = invalid.length > 0 || badEnvelope ? 'invalid' : either.length > 0 ? 'either' : 'valid';
    return {
      label,
      raw: '',
      build: (id) => JSON.stringify({ ...g3, message_id: id, ...(badEnvelope ? { timestamp: badEnvelope } : {}), payload: { ...g3.payload, matches: list } }),
    };
  });

describe('fuzz: mutated match lists through real Redis into one running core', () => {
  let redis: TestRedis;
  let app: TestCore;
  let pub: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    // Default supervisor timings: on a loaded 2-core machine the fast test timings (1 s PING
    // timeout) can mistake a busy event loop for a dead connection and lose a batch to the gap.
    app = await startCore({ REDIS_URL: redis.url }, tempDir('fogis-fuzz-'));
    pub = new Redis(redis.url);
    await waitUntil(() => app.core.snapshot().connection.subscribed, 10_000, 'subscribed');
  });
  afterAll(async () => {
    pub?.disconnect();
    await app?.stop();
    await redis?.stop();
  });

  it('issue 9 finding 2: hostile kickoffs are rejected by reason; the process lives and the previous list and its events stay', async () => {
    const snap = () => app.core.snapshot();
    const good = baseMatches.map((m, i) => ({ ...structuredClone(m), ...kickoffFields(NOW + (3 + i) * DAY) }));
    const send = async (id: string, matches: Match[]): Promise<void> => {
      const before = snap().counters.messages_received;
      expect(await pub.publish('fogis:matches:updates', JSON.stringify({ ...g3, message_id: id, payload: { ...g3.payload, matches } }))).toBe(1);
      await waitUntil(() => snap().counters.messages_received === before + 1, 30_000, `${id} received`);
    };
    await send('finding2-good', good);
    await waitUntil(() => snap().calendar.pending === 0 && snap().matches.messageId === 'finding2-good', 30_000, 'good list written');
    const eventsBefore = Object.keys(snap().calendar.perMatch).length;
    const r0 = { ...snap().counters.rejected_by_reason };
    const variant = (edit: (m: Match) => void): Match[] =>
      good.map((m, i) => {
        const c = structuredClone(m);
        if (i === 1) edit(c);
        return c;
      });
    await send('finding2-far-future', variant((m) => (m.tid = '/Date(8000000000000000)/')));
    await send('finding2-beyond-date', variant((m) => (m.tid = `/Date(${MAX_DATE_MS + 1})/`)));
    await send('finding2-feb-30', variant((m) => (m.speldatum = '2026-02-30')));
    await send('finding2-25-61', variant((m) => (m.avsparkstid = '25:61')));
    await send('finding2-iso-feb-30', variant((m) => (m.tid = '2027-02-30T17:00:00')));
    await send('finding2-duplicate', [...good, structuredClone(good[0] as Match)]);
    const r = snap().counters.rejected_by_reason;
    expect((r.date_out_of_range ?? 0) - (r0.date_out_of_range ?? 0)).toBe(1);
    expect((r.bad_date ?? 0) - (r0.bad_date ?? 0)).toBe(4);
    expect((r.duplicate_match ?? 0) - (r0.duplicate_match ?? 0)).toBe(1);
    const reasons = snap().rejected.items.slice(0, 6).map((x) => x.error);
    expect(reasons.every((e) => /payload\.matches\.\d+ \(matchid/.test(e)), reasons.join('\n')).toBe(true);
    // The previous list is still in force: nothing looks removed, no event was touched.
    expect(snap().matches.messageId).toBe('finding2-good');
    expect(Object.keys(snap().calendar.perMatch)).toHaveLength(eventsBefore);
    expect(snap().calendar.failed).toBe(0);
    expect(snap().calendar.heldDeletions).toBe(0);
    expect(snap().counters.internal_errors).toBe(0);
    expect(snap().connection.subscribed).toBe(true);
  }, 120_000);

  it('POST /manual-sync goes through the same gate: 400 naming the match and the reason', async () => {
    const good = baseMatches.map((m, i) => ({ ...structuredClone(m), ...kickoffFields(NOW + (3 + i) * DAY) }));
    const post = (matches: Match[]) => fetch(`${app.baseUrl}/manual-sync`, { method: 'POST', headers: app.authHeaders({ 'Content-Type': 'application/json' }), body: JSON.stringify({ matches }) });
    const cases: Array<[Match[], RegExp]> = [
      [good.map((m, i) => (i === 0 ? { ...m, speldatum: '2026-02-30' } : m)), /matches\.0 \(matchid \d+\): speldatum 2026-02-30: 2026-02 has no day 30 \(bad_date\)/],
      [good.map((m, i) => (i === 2 ? { ...m, tid: '/Date(8000000000000000)/' } : m)), /matches\.2 .*more than 3 years ahead \(date_out_of_range\)/],
      [[...good, good[0] as Match], /appears more than once in the list \(duplicate_match\)/],
    ];
    for (const [matches, error] of cases) {
      const r = await post(matches);
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: string }).error).toMatch(error);
    }
    const ok = await post(good);
    expect(ok.status).toBe(200);
  }, 60_000);

  it(`${RUNS} lists: each accepted or counted as rejected, the valid ones accepted, the broken ones rejected; the core stays up and subscribed`, async () => {
    const t0 = Date.now();
    const samples = fc.sample(caseArb, { numRuns: RUNS, seed: SEED });
    const tGen = Date.now() - t0;
    let tBuild = 0;
    let tWait = 0;
    const tally = { valid: 0, invalid: 0, either: 0, accepted: 0, rejected: 0 };
    const wrong: string[] = [];
    const c0 = app.core.snapshot().counters;
    const rejected0 = Object.values(c0.rejected_by_reason).reduce((a, b) => a + (b ?? 0), 0);
    let published = 0;
    for (let start = 0; start < samples.length; start += BATCH) {
      const tb = Date.now();
      const batch: Case[] = samples.slice(start, start + BATCH).map((s, i) => {
        const id = `fuzz-${SEED}-${start + i}`;
        return { raw: s.build(id), label: s.label, id };
      });
      tBuild += Date.now() - tb;
      const tw = Date.now();
      const receivers = await Promise.all(batch.map((c) => pub.publish('fogis:matches:updates', c.raw)));
      expect(receivers.every((n) => n === 1), 'every PUBLISH reached one subscriber').toBe(true);
      published += batch.length;
      await waitUntil(
        () => app.core.snapshot().counters.messages_received - c0.messages_received === published,
        60_000,
        `batch at ${start} received (reconnects: ${app.core.snapshot().counters.reconnect_count - c0.reconnect_count})`,
      );
      tWait += Date.now() - tw;
      // Measured per message: each id is in the message log exactly once, accepted or rejected.
      const outcome = new Map<string, string>();
      // The message log answers in pages, newest first; read back until the batch is covered.
      for (let before: number | null | undefined = undefined; ; ) {
        const page = await app.core.handlers.getMessages({ limit: MESSAGES_PAGE_MAX, ...(before != null ? { before } : {}) });
        for (const e of page.entries) if (e.messageId?.startsWith(`fuzz-${SEED}-`)) outcome.set(e.messageId, e.type);
        if (page.next === null || batch.every((c) => outcome.has(c.id))) break;
        before = page.next;
      }
      for (const c of batch) {
        tally[c.label]++;
        const o = outcome.get(c.id);
        if (o === 'match_updates') tally.accepted++;
        else if (o === 'rejected') tally.rejected++;
        else wrong.push(`${c.id}: not in the message log (${String(o)})`);
        if (c.label === 'valid' && o !== 'match_updates') wrong.push(`${c.id} (valid) was rejected: ${c.raw.slice(0, 300)}`);
        if (c.label === 'invalid' && o !== 'rejected') wrong.push(`${c.id} (invalid) was accepted: ${c.raw.slice(0, 300)}`);
      }
      expect(wrong.slice(0, 5)).toEqual([]);
    }
    const c = app.core.snapshot().counters;
    const rejectedCounted = Object.values(c.rejected_by_reason).reduce((a, b) => a + (b ?? 0), 0) - rejected0;
    // received = accepted + rejected, from the core's own counters and from the per-message log alike.
    expect(c.messages_received - c0.messages_received).toBe(RUNS);
    expect(tally.accepted + tally.rejected).toBe(RUNS);
    expect(rejectedCounted).toBe(tally.rejected);
    expect(c.messages_processed - c0.messages_processed).toBe(tally.accepted);
    expect(c.duplicates - c0.duplicates).toBe(0);
    expect(c.reconnect_count - c0.reconnect_count).toBe(0);
    expect(c.internal_errors).toBe(0);
    // The generator covers all three kinds in earnest.
    expect(tally.valid).toBeGreaterThan(RUNS / 4);
    expect(tally.invalid).toBeGreaterThan(RUNS / 4);
    expect(tally.either).toBeGreaterThan(RUNS / 20);
    expect(app.core.snapshot().connection.subscribed).toBe(true);
    const h = await fetch(`${app.baseUrl}/health`);
    expect(h.status).toBe(200);
    console.log(`[fuzz] ${RUNS} lists (seed ${SEED}) in ${Date.now() - t0} ms (generate ${tGen}, build ${tBuild}, publish+receive ${tWait}): ${tally.valid} valid, ${tally.invalid} invalid, ${tally.either} either; ${tally.accepted} accepted, ${tally.rejected} rejected (${JSON.stringify(c.rejected_by_reason)})`);
  }, 180_000);

  it('state, config and calendar files stay valid and loadable, and a new core starts from them', async () => {
    await waitUntil(() => app.core.snapshot().calendar.pending === 0, 30_000, 'calendar writes done');
    await app.stop();
    const dir = app.dataDir;
    const state = persistedStateSchema.safeParse(JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')));
    expect(state.success, state.success ? '' : JSON.stringify(state.error.issues[0])).toBe(true);
    const engineFile = path.join(dir, 'calendar-ics-sync.json');
    expect(existsSync(engineFile)).toBe(true);
    expect(engineStateSchema.safeParse(JSON.parse(readFileSync(engineFile, 'utf8'))).success).toBe(true);
    const ics = readFileSync(path.join(dir, 'calendar.ics'), 'utf8');
    expect(() => new ICAL.Component(ICAL.parse(ics))).not.toThrow();
    await expect(loadConfig({ REDIS_URL: redis.url }, dir)).resolves.toBeTruthy();
    // The same data directory starts again, restores the list and subscribes.
    app = await startCore({ REDIS_URL: redis.url, ...FAST_REDIS_ENV }, dir);
    await waitUntil(() => app.core.snapshot().connection.subscribed, 10_000, 'subscribed after restart');
    expect(app.core.snapshot().matches.list.length).toBeGreaterThan(0);
  }, 60_000);
});
