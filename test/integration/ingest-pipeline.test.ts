import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../electron/core/log';
import { IngestPipeline, type IngestPipelineOptions } from '../../electron/core/ingest/ingest-pipeline';
import type { IngestResult, IngestSettings } from '../../electron/core/ingest/ingest-protocol';
import { previewOf } from '../../electron/core/ingest/ingest-processor';
import { parseMessage } from '../../electron/core/messages/parse-message';
import { RecentIds } from '../../electron/core/monitor/bounded-list';
import { diffMatchList } from '../../electron/core/monitor/match-diff';
import type { FogisMatch } from '../../shared/messages';
import type { MatchChange } from '../../shared/state';
import { loadFixture } from '../harness/fixture';
import { prng as rng } from '../harness/prng';

/**
 * The ingest pipeline with its real worker thread, against today's in-thread path as the
 * oracle (parse-message.ts + the duplicate filter + match-diff.ts, as Monitor.ingest ran them):
 * same verdicts, same rejection reasons and wording, same changes, same lists, in order.
 */

const SETTINGS: IngestSettings = { maxMessageBytes: 16 * 1024 * 1024, timeZone: 'Europe/Stockholm', duplicateWindow: 10_000 };
/** Reception time for every message: fixed, so the kickoff window does not move with the test date. */
const AT = new Date('2026-11-26T12:00:00Z');
const FAULTY_WORKER = { url: new URL('../harness/faulty-ingest-worker.ts', import.meta.url), typescript: true };

type Json = Record<string, unknown>;
type Verdict =
  | { kind: 'rejected'; reason: string; error: string; head: string; messageId: string | null }
  | { kind: 'duplicate'; messageId: string }
  | { kind: 'processing_status' | 'system_alert'; messageId: string; preview: string }
  | { kind: 'match_updates'; messageId: string; generation: string; preview: string; changes: MatchChange[] | null; quiet: string[] | null; matches: FogisMatch[] | null }
  | { kind: 'fault' };

/** Monitor.ingest's decisions before the worker, message by message. */
class Oracle {
  private recent: RecentIds;
  constructor(window = SETTINGS.duplicateWindow) {
    this.recent = new RecentIds(window);
  }
  private list: FogisMatch[] = [];
  run(raw: Buffer): Verdict {
    const p = parseMessage(raw, SETTINGS.maxMessageBytes, AT.getTime(), SETTINGS.timeZone);
    if (!p.ok) return { kind: 'rejected', reason: p.reason, error: p.error, head: p.head, messageId: p.messageId };
    const id = p.message.message_id;
    if (this.recent.seen(id)) return { kind: 'duplicate', messageId: id };
    if (p.type !== 'match_updates') return { kind: p.type, messageId: id, preview: previewOf(raw) };
    if (p.generation === 'enhanced_v2' || p.generation === 'legacy_v1') return { kind: 'match_updates', messageId: id, generation: p.generation, preview: previewOf(raw), changes: null, quiet: null, matches: null };
    const { changes, quiet } = diffMatchList(this.list, p.fogisMatches, AT.toISOString(), id);
    this.list = p.fogisMatches;
    return { kind: 'match_updates', messageId: id, generation: p.generation, preview: previewOf(raw), changes, quiet, matches: p.fogisMatches };
  }
}

function verdictOf(r: IngestResult): Verdict {
  switch (r.kind) {
    case 'rejected':
      return { kind: 'rejected', reason: r.reason, error: r.error, head: r.head, messageId: r.messageId };
    case 'duplicate':
      return { kind: 'duplicate', messageId: r.messageId };
    case 'processing_status':
    case 'system_alert':
      return { kind: r.kind, messageId: r.message.message_id, preview: r.preview };
    case 'match_updates':
      return { kind: 'match_updates', messageId: r.messageId, generation: r.generation, preview: r.preview, changes: r.delta?.changes ?? null, quiet: r.delta?.quiet ?? null, matches: r.matches };
    case 'fault':
      return { kind: 'fault' };
  }
}

const open: IngestPipeline[] = [];
afterEach(async () => {
  for (const p of open.splice(0)) await p.close();
});

function pipeline(extra: Partial<IngestPipelineOptions> = {}): { p: IngestPipeline; results: IngestResult[]; faults: unknown[]; pressure: boolean[]; log: ReturnType<typeof createMemoryLogger> } {
  const results: IngestResult[] = [];
  const faults: unknown[] = [];
  const pressure: boolean[] = [];
  const log = createMemoryLogger();
  const p = new IngestPipeline({ settings: SETTINGS, log, onResult: (r) => results.push(r), onWorkerFault: (e) => faults.push(e), onPressure: (on) => pressure.push(on), ...extra });
  open.push(p);
  return { p, results, faults, pressure, log };
}

async function drained(p: IngestPipeline): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.idle(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`not drained: ${JSON.stringify(p.getStats())}`)), 60_000)))]);
  clearTimeout(timer);
}

// ---- a corpus of lists: the fixture's matches, mutated step by step --------------------------

const fixture = loadFixture();
const fixtureList = fixture.map((l) => JSON.parse(l.raw) as Json).find((m) => m.type === 'match_updates' && ((m.payload as Json).matches as Json[]).length === 3)!;
const baseMatches = (fixtureList.payload as { matches: Json[] }).matches;

function kickoff(ms: number): { tid: string; speldatum: string; avsparkstid: string } {
  const local = new Date(ms + 3_600_000).toISOString();
  return { tid: `/Date(${ms})/`, speldatum: local.slice(0, 10), avsparkstid: local.slice(11, 16) };
}

function startList(n: number): Json[] {
  return Array.from({ length: n }, (_, i) => {
    const m = structuredClone(baseMatches[i % baseMatches.length]!);
    return { ...m, matchid: 7_000_000 + i, ...kickoff(AT.getTime() + (2 + i) * 86_400_000) };
  });
}

type Mutation = (list: Json[], r: () => number) => void;
const pick = (list: Json[], r: () => number): Json => list[Math.floor(r() * list.length)]!;
const VALID: Mutation[] = [
  (l, r) => void (pick(l, r).lag1namn = `Lag ${Math.floor(r() * 1000)}`),
  (l, r) => void Object.assign(pick(l, r), kickoff(AT.getTime() + Math.floor(r() * 300) * 86_400_000)),
  (l, r) => void (pick(l, r).installd = r() < 0.5),
  (l, r) => {
    const refs = pick(l, r).domaruppdraglista as Json[] | undefined;
    if (refs?.[0]) refs[0].personnamn = `Domare ${Math.floor(r() * 100)}`;
  },
  (l) => void l.reverse(),
  (l, r) => void (l.length > 1 && l.splice(Math.floor(r() * l.length), 1)),
  (l, r) => void l.push({ ...structuredClone(pick(l, r)), matchid: 8_000_000 + Math.floor(r() * 1_000_000) }),
  (l, r) => void (pick(l, r).extra_field = { nested: [1, 'x', null] }),
];
const INVALID: Mutation[] = [
  (l, r) => void (pick(l, r).speldatum = '2026-02-30'),
  (l, r) => void (pick(l, r).avsparkstid = '25:61'),
  (l, r) => void (pick(l, r).tid = '/Date(8000000000000000)/'),
  (l, r) => void (pick(l, r).tid = 42),
  (l, r) => void (pick(l, r).matchid = -5),
  (l, r) => void (pick(l, r).lag2namn = null),
  (l, r) => void delete pick(l, r).tid,
  (l, r) => void (pick(l, r).domaruppdraglista = 'Anna'),
  (l, r) => void (pick(l, r).installd = 'true'),
  (l, r) => void l.push(structuredClone(pick(l, r))),
];

/** `n` raw messages: lists that change a little, break, repeat, plus status messages, bad bytes and repeated ids. */
function corpus(n: number, seed: number): Buffer[] {
  const r = rng(seed);
  let accepted = startList(12);
  const out: Buffer[] = [];
  let lastId = '';
  for (let i = 0; i < n; i++) {
    const id = r() < 0.02 && lastId ? lastId : `c-${seed}-${i}`;
    lastId = id;
    const roll = r();
    if (roll < 0.08) {
      out.push(Buffer.from(JSON.stringify({ message_id: id, timestamp: '2026-11-26T10:00:00Z', source: 'match-list-processor', version: '1.0', type: 'processing_status', payload: { status: r() < 0.5 ? 'started' : 'completed', details: {} } })));
      continue;
    }
    if (roll < 0.1) {
      const junk = [Buffer.from('{"message_id": "x", "type": '), Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), Buffer.from('[1,2,3]'), Buffer.from(`${'['.repeat(70)}${']'.repeat(70)}`)];
      out.push(junk[Math.floor(r() * junk.length)]!);
      continue;
    }
    const list = structuredClone(accepted);
    const nValid = Math.floor(r() * 3);
    for (let k = 0; k < nValid; k++) VALID[Math.floor(r() * VALID.length)]!(list, r);
    const broken = r() < 0.35;
    if (broken) INVALID[Math.floor(r() * INVALID.length)]!(list, r);
    const envelopeBad = r() < 0.02;
    const text = JSON.stringify({ message_id: id, timestamp: envelopeBad ? '2026-02-30T10:00:00Z' : '2026-11-26T10:00:00Z', source: 'match-list-processor', version: '1.0', type: 'match_updates', payload: { matches: list, schema_version: '2.0', detailed_changes: [] } });
    out.push(Buffer.from(text));
    if (!broken && !envelopeBad) accepted = list;
  }
  return out;
}

describe('ingest pipeline (real worker thread) against the in-thread path', () => {
  it('the recorded processor run: the same verdicts, changes and lists, in order', async () => {
    const { p, results, faults } = pipeline();
    const oracle = new Oracle();
    const raws = fixture.map((l) => Buffer.from(l.raw, 'utf8'));
    const expected = raws.map((b) => oracle.run(b));
    fixture.forEach((l, i) => p.push(l.channel, raws[i]!, AT));
    await drained(p);
    expect(faults).toEqual([]);
    expect(results.map((r) => r.seq)).toEqual(raws.map((_, i) => i + 1));
    expect(results.map((r) => r.channel)).toEqual(fixture.map((l) => l.channel));
    expect(results.map(verdictOf)).toEqual(expected);
    expect(results.filter((r) => r.kind === 'match_updates').length).toBeGreaterThan(3);
  });

  it('3,000 mutated lists: every rejection has the reason and wording of today, every acceptance the same changes', async () => {
    const { p, results, faults } = pipeline();
    const oracle = new Oracle();
    const raws = corpus(3000, 20261130);
    const expected = raws.map((b) => oracle.run(Buffer.from(b)));
    // Pushed in bursts, as a socket delivers them.
    for (let i = 0; i < raws.length; i += 50) {
      for (const b of raws.slice(i, i + 50)) p.push('fogis:matches:updates', b, AT);
      await new Promise((r) => setImmediate(r));
    }
    await drained(p);
    expect(faults).toEqual([]);
    expect(results).toHaveLength(raws.length);
    const got = results.map(verdictOf);
    for (let i = 0; i < raws.length; i++) {
      if (JSON.stringify(got[i]) !== JSON.stringify(expected[i])) expect({ i, got: got[i] }).toEqual({ i, got: expected[i] });
    }
    const kinds = new Map<string, number>();
    for (const v of expected) kinds.set(v.kind === 'rejected' ? `rejected:${v.reason}` : v.kind, (kinds.get(v.kind === 'rejected' ? `rejected:${v.reason}` : v.kind) ?? 0) + 1);
    // The corpus covers what it claims: acceptances with and without change, and each family of rejection.
    expect(kinds.get('match_updates')).toBeGreaterThan(1000);
    for (const k of ['rejected:schema', 'rejected:bad_date', 'rejected:date_out_of_range', 'rejected:duplicate_match', 'rejected:invalid_json', 'rejected:invalid_utf8', 'rejected:too_deep', 'rejected:not_object', 'duplicate']) expect(kinds.get(k) ?? 0, k).toBeGreaterThan(0);
    const unchangedLists = expected.filter((v) => v.kind === 'match_updates' && v.changes?.length === 0).length;
    expect(unchangedLists).toBeGreaterThan(100);
    // Changes only in fields nobody shows (the calendar still has to hear of them).
    expect(expected.filter((v) => v.kind === 'match_updates' && (v.quiet?.length ?? 0) > 0).length).toBeGreaterThan(10);
  }, 120_000);

  it('only new and changed matches cross the thread; an unchanged list hands on the same list', async () => {
    const { p, results } = pipeline();
    const list = startList(200);
    const msg = (id: string, matches: Json[]): Buffer => Buffer.from(JSON.stringify({ message_id: id, timestamp: '2026-11-26T10:00:00Z', source: 'match-list-processor', version: '1.0', type: 'match_updates', payload: { matches } }));
    p.push('c', msg('a', list), AT);
    p.push('c', msg('b', list), AT);
    const one = structuredClone(list);
    one[5]!.lag1namn = 'Ändrat IF';
    p.push('c', msg('c', one), AT);
    await drained(p);
    const [a, b, c] = results as Array<Extract<IngestResult, { kind: 'match_updates' }>>;
    expect(a!.delta!.upserts).toHaveLength(200);
    expect(a!.delta!.changes).toHaveLength(200);
    expect(b!.delta).toEqual({ changes: [], quiet: [], upserts: [], order: null, count: 200 });
    expect(b!.matches).toBe(a!.matches);
    expect(c!.delta!.upserts.map((m) => m.matchid)).toEqual([list[5]!.matchid]);
    expect(c!.delta!.changes).toMatchObject([{ matchId: String(list[5]!.matchid), kind: 'changed', fields: [{ field: 'lag1namn', new: 'Ändrat IF' }] }]);
    expect(c!.matches).toEqual(one);
  });

  it('a slice of a larger buffer is copied, a buffer that owns its memory is handed over', async () => {
    const { p, results } = pipeline();
    const text = fixture[1]!.raw;
    const big = Buffer.concat([Buffer.from('xxxx'), Buffer.from(text), Buffer.from('yyyy')]);
    const slice = big.subarray(4, 4 + Buffer.byteLength(text));
    p.push('c', slice, AT);
    const owned = Buffer.alloc(Buffer.byteLength(text) + 0);
    owned.write(text.replace(/"message_id": "[^"]+"/, '"message_id": "owned-1"').padEnd(owned.length, ' '));
    const ownedText = owned.toString();
    p.push('c', owned, AT);
    await drained(p);
    expect(big.subarray(0, 4).toString()).toBe('xxxx');
    expect(big.length).toBe(Buffer.byteLength(text) + 8);
    expect(owned.length).toBe(0);
    expect(results.map((r) => r.kind)).toEqual(['match_updates', 'match_updates']);
    expect((results[1] as { messageId: string }).messageId).toBe(JSON.parse(ownedText).message_id);
  });
});

describe('ingest pipeline start-up', () => {
  const list = (id: string, matches: Json[]): Buffer => Buffer.from(JSON.stringify({ message_id: id, timestamp: '2026-11-26T10:00:00Z', source: 'match-list-processor', version: '1.0', type: 'match_updates', payload: { matches } }));

  it('starts its worker with the first message (idle RSS): settings and the restored list reach it, nothing waits', async () => {
    const { p, results } = pipeline();
    const restored = startList(4);
    p.seed(restored as unknown as FogisMatch[]);
    p.updateSettings({ ...SETTINGS, duplicateWindow: 50 });
    await p.ready();
    expect(p.getStats().workerRunning).toBe(false);
    const changed = structuredClone(restored);
    changed[1]!.lag1namn = 'Nytt lag';
    p.push('c', list('first', changed), AT);
    p.push('c', list('first', changed), AT);
    expect(p.getStats().workerRunning).toBe(true);
    await drained(p);
    expect(results.map((r) => [r.seq, r.kind])).toEqual([
      [1, 'match_updates'],
      [2, 'duplicate'],
    ]);
    // Diffed against the list restored before the worker existed.
    const first = results[0] as Extract<IngestResult, { kind: 'match_updates' }>;
    expect(first.delta!.changes.map((c) => [c.kind, c.fields.map((f) => f.field)])).toEqual([['changed', ['lag1namn']]]);
    expect(p.getStats().onWorker).toBe(true);
  });
});

describe('ingest pipeline: small messages gated on this thread', () => {
  it('one duplicate filter across this thread and the worker: ids reused across kinds, evicted and replayed, in any timing', async () => {
    const window = 20;
    const { p, results, faults } = pipeline({ settings: { ...SETTINGS, duplicateWindow: window } });
    const oracle = new Oracle(window);
    const r = rng(4711);
    const status = (id: string): Buffer => Buffer.from(JSON.stringify({ message_id: id, timestamp: '2026-11-26T10:00:00Z', source: 'match-list-processor', version: '1.0', type: 'processing_status', payload: { status: r() < 0.5 ? 'started' : 'completed', details: {} } }));
    const list = (id: string, n: number): Buffer => {
      const matches = startList(n);
      if (r() < 0.5) matches[0]!.lag1namn = `Lag ${Math.floor(r() * 5)}`;
      return Buffer.from(JSON.stringify({ message_id: id, timestamp: '2026-11-26T10:00:00Z', source: 'match-list-processor', version: '1.0', type: 'match_updates', payload: { matches, schema_version: '2.0', detailed_changes: [] } }));
    };
    const expected: Verdict[] = [];
    let local = 0;
    for (let i = 0; i < 1500; i++) {
      // Ids from a small pool: duplicates of every kind, and ids the window has forgotten.
      const id = `id-${Math.floor(r() * 40)}`;
      const roll = r();
      const raw = roll < 0.7 ? status(id) : roll < 0.8 ? list(id, 1) : roll < 0.9 ? list(id, 12) : Buffer.from(`{"message_id": "${id}", "type": `);
      expect(raw.length > 8 * 1024).toBe(roll >= 0.8 && roll < 0.9);
      expected.push(oracle.run(Buffer.from(raw)));
      if (p.pending() === 0 && raw.length <= 8 * 1024) local++;
      p.push('c', raw, AT);
      // Now and then wait: the worker drains and the next small messages are gated here.
      if (r() < 0.3) await drained(p);
    }
    // More ids recorded here than the window holds before the worker's next message: it gets
    // the whole filter. The 5th id of the run is forgotten by then, the 25th is not.
    await drained(p);
    for (let k = 0; k < 30; k++) {
      const raw = status(`run-${k}`);
      expected.push(oracle.run(Buffer.from(raw)));
      p.push('c', raw, AT);
      await drained(p);
    }
    for (const id of ['run-4', 'run-24']) {
      const raw = list(id, 12);
      expected.push(oracle.run(Buffer.from(raw)));
      p.push('c', raw, AT);
    }
    expect(expected.slice(-2).map((v) => v.kind)).toEqual(['match_updates', 'duplicate']);
    await drained(p);
    expect(faults).toEqual([]);
    const got = results.map(verdictOf);
    expect(got).toHaveLength(expected.length);
    for (let i = 0; i < got.length; i++) {
      if (JSON.stringify(got[i]) !== JSON.stringify(expected[i])) expect({ i, got: got[i] }).toEqual({ i, got: expected[i] });
    }
    expect(results.map((x) => x.seq)).toEqual(Array.from({ length: 1532 }, (_, i) => i + 1));
    // Both paths ran, and duplicates were found on both.
    expect(local).toBeGreaterThan(300);
    expect(local).toBeLessThan(1400);
    expect(expected.filter((v) => v.kind === 'duplicate').length).toBeGreaterThan(100);
  }, 120_000);
});

describe('ingest pipeline: the buffers that carry messages (issue 12, memory)', () => {
  it('the worker hands its batch buffers back and they are filled again: 40 bursts, at most 2 buffers; every result as before', async () => {
    const { p, results, faults } = pipeline();
    const oracle = new Oracle();
    const status = (id: string): Buffer => Buffer.from(JSON.stringify({ message_id: id, timestamp: '2026-11-26T10:00:00Z', source: 'match-list-processor', version: '1.0', type: 'processing_status', payload: { status: 'completed', details: {} } }));
    const matches = startList(12);
    const expected: Verdict[] = [];
    for (let round = 0; round < 40; round++) {
      // A list first (over the main thread's 8 KB gate: the worker's), so the status messages
      // behind it wait for the worker too and travel in a batch buffer.
      if (round % 3 === 0) matches[round % matches.length]!.lag1namn = `Lag ${round}`;
      const raw: Buffer[] = [Buffer.from(JSON.stringify({ message_id: `l-${round}`, timestamp: '2026-11-26T10:00:00Z', source: 'match-list-processor', version: '1.0', type: 'match_updates', payload: { matches, schema_version: '2.0', detailed_changes: [] } }))];
      for (let k = 0; k < 50; k++) raw.push(status(`s-${round}-${k}`));
      for (const r of raw) {
        expected.push(oracle.run(Buffer.from(r)));
        p.push('c', r, AT);
      }
      await drained(p);
    }
    expect(faults).toEqual([]);
    expect(results.map(verdictOf)).toEqual(expected);
    // Without the hand-back each burst took a fresh 256 KB buffer: 40.
    expect(p.getStats().batchBuffersMade).toBeGreaterThanOrEqual(1);
    expect(p.getStats().batchBuffersMade).toBeLessThanOrEqual(2);
  }, 60_000);
});

describe('ingest pipeline containment', () => {
  const list = (id: string, matches: Json[]): Buffer => Buffer.from(JSON.stringify({ message_id: id, timestamp: '2026-11-26T10:00:00Z', source: 'match-list-processor', version: '1.0', type: 'match_updates', payload: { matches } }));

  it('an exception in the worker costs that one message (a fault result), in its place; the rest go on', async () => {
    const { p, results, faults } = pipeline({ worker: FAULTY_WORKER });
    const l = startList(5);
    p.push('c', list('1', l), AT);
    p.push('fault:throw', list('2', l), AT);
    p.push('c', list('3', l), AT);
    await drained(p);
    expect(results.map((r) => [r.seq, r.kind])).toEqual([
      [1, 'match_updates'],
      [2, 'fault'],
      [3, 'match_updates'],
    ]);
    expect((results[1] as { error: string }).error).toContain('injected fault');
    expect(faults).toEqual([]);
    expect(p.getStats().workerRestarts).toBe(0);
  });

  it('a worker that dies is replaced: what it held becomes fault results, the next worker diffs against the list in force', async () => {
    const { p, results, faults, log } = pipeline({ worker: FAULTY_WORKER });
    const l = startList(5);
    p.push('c', list('1', l), AT);
    await drained(p);
    p.push('fault:exit', list('2', l), AT);
    await drained(p);
    const changed = structuredClone(l);
    changed[2]!.lag2namn = 'Nytt lag';
    p.push('c', list('3', changed), AT);
    await drained(p);
    expect(results.map((r) => [r.seq, r.kind])).toEqual([
      [1, 'match_updates'],
      [2, 'fault'],
      [3, 'match_updates'],
    ]);
    expect(faults).toHaveLength(1);
    expect(String(faults[0])).toContain('exit code 7');
    expect(p.getStats().workerRestarts).toBe(1);
    expect(log.lines.join('\n')).toMatch(/\[monitor\].*ingest worker failed/);
    // Diffed against list 1 (the main thread's copy seeded the new worker), not against nothing.
    const third = results[2] as Extract<IngestResult, { kind: 'match_updates' }>;
    expect(third.delta!.changes.map((c) => [c.kind, c.fields.map((f) => f.field)])).toEqual([['changed', ['lag2namn']]]);
    expect(third.matches).toEqual(changed);
  });

  it('a worker that keeps dying: after five restarts in a minute, messages are handled on this thread, none lost', async () => {
    const { p, results, log } = pipeline({ worker: FAULTY_WORKER });
    const l = startList(3);
    for (let i = 0; i < 6; i++) {
      p.push('fault:exit', list(`x${i}`, l), AT);
      await drained(p);
    }
    p.push('c', list('after', l), AT);
    await drained(p);
    expect(results.map((r) => r.kind)).toEqual(['fault', 'fault', 'fault', 'fault', 'fault', 'fault', 'match_updates']);
    expect(p.getStats().onWorker).toBe(false);
    expect(log.lines.join('\n')).toContain('handled on the main thread');
  });

  it('cap: a worker slower than the wire makes the pipeline ask the source to pause, then to read again; nothing dropped or reordered', async () => {
    const { p, results, pressure } = pipeline({ worker: FAULTY_WORKER, maxInFlightMessages: 10 });
    const l = startList(3);
    for (let i = 1; i <= 40; i++) p.push('fault:slow:5', list(`s${i}`, l), AT);
    expect(pressure).toEqual([true]);
    expect(p.getStats().paused).toBe(true);
    await drained(p);
    expect(pressure).toEqual([true, false]);
    expect(results.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(results.every((r) => r.kind === 'match_updates')).toBe(true);
    expect(p.getStats()).toMatchObject({ received: 40, results: 40, pauses: 1, paused: false, inFlight: 0 });
  });

  it('cap in bytes: 3 MB waiting above a 2 MB cap pauses the source', async () => {
    const { p, pressure } = pipeline({ worker: FAULTY_WORKER, maxInFlightBytes: 2 * 1024 * 1024 });
    const big = startList(700);
    const raw = list('big', big);
    expect(raw.length).toBeGreaterThan(1024 * 1024);
    p.push('fault:slow:20', raw, AT);
    p.push('fault:slow:20', Buffer.from(raw), AT);
    p.push('fault:slow:20', Buffer.from(raw), AT);
    expect(pressure).toEqual([true]);
    await drained(p);
    expect(pressure).toEqual([true, false]);
  });
});
