import { describe, expect, it } from 'vitest';
import type { FogisMatch } from '../../shared/messages';
import { MatchHashes, optionsKey, planSync, type PlanInput } from '../../electron/core/sync/plan';
import { escapeText, foldLine } from '../../electron/core/sync/ics-writer';
import { backoffDelay } from '../../electron/core/retry';
import { googleEventId } from '../../electron/core/sync/google-backend';
import type { MatchRecord, PlanOptions } from '../../electron/core/sync/types';
import { fixtureLists } from '../harness/calendar-helpers';

const options: PlanOptions = { syncTag: 'T', durationMinutes: 120, timeZone: 'Europe/Stockholm', keepCancelled: false, maxDeleteFraction: 0.5 };

function manyMatches(n: number): FogisMatch[] {
  const base = fixtureLists()[0]![0]!;
  return Array.from({ length: n }, (_, i) => ({ ...structuredClone(base), matchid: 7_000_000 + i, tid: `/Date(${1_800_000_000_000 + i * 3_600_000})/` }));
}

function input(matches: FogisMatch[], records: Map<string, MatchRecord>, extra: Partial<PlanInput> = {}): PlanInput {
  return { matches, full: true, records, pending: new Map(), failedSources: new Map(), retryFailed: false, options, now: '2026-04-01T00:00:00Z', ...extra };
}

/** Commits every planned upsert as if written. */
function commitAll(matches: FogisMatch[]): Map<string, MatchRecord> {
  const records = new Map<string, MatchRecord>();
  const res = planSync(input(matches, records));
  for (const j of res.enqueue) {
    records.set(j.matchId, {
      matchId: j.matchId,
      present: true,
      eventId: j.matchId,
      calendarHash: j.event!.calendarHash,
      renderKey: j.renderKey,
      sourceKey: j.sourceKey,
      summary: j.event!.summary,
      snapshot: j.snapshot,
      lastChange: j.lastChange,
      title: j.title,
      updatedAt: '',
      endMs: j.event!.endMs,
    });
  }
  return records;
}

describe('plan', () => {
  // Speed is the benchmark's to measure (npm run bench, "unchanged 1000-match list"), not a timed unit test.
  it('decides an unchanged 1000-match list with no writes', () => {
    const matches = manyMatches(1000);
    const records = commitAll(matches);
    expect(records.size).toBe(1000);
    const again = structuredClone(matches);
    const res = planSync(input(again, records));
    expect(res.enqueue).toHaveLength(0);
    expect(res.unchanged).toBe(1000);
  });

  it('counts a cancelled match without an event as cancelled, not as up to date', () => {
    const [a, b] = manyMatches(2) as [FogisMatch, FogisMatch];
    const records = commitAll([a]);
    const cancelled = { ...structuredClone(b), installd: true };
    const res = planSync(input([structuredClone(a), cancelled], records));
    expect(res.enqueue).toHaveLength(0);
    expect(res.unchanged).toBe(1);
    expect(res.cancelled).toBe(1);
    const again = planSync(input([structuredClone(a), cancelled], records));
    expect(again.cancelled).toBe(1);
    expect(again.unchanged).toBe(1);
  });

  it('a changed field outside our rendering costs no write', () => {
    const matches = manyMatches(2);
    const records = commitAll(matches);
    const res = planSync(input(matches.map((m) => ({ ...m, lag1lagid: 99 })), records));
    expect(res.enqueue).toHaveLength(0);
    expect(res.touch).toHaveLength(2);
  });

  it('a match number change updates (the Python hash misses it, spec §7 #149)', () => {
    const matches = manyMatches(1);
    const records = commitAll(matches);
    const res = planSync(input([{ ...matches[0]!, matchnr: '999' }], records));
    expect(res.enqueue.map((j) => j.reason)).toEqual(['changed']);
    expect(res.enqueue[0]!.lastChange?.what).toContain('match number');
  });

  it('holds deletions for an empty list or a large share, not for a small one', () => {
    const matches = manyMatches(10);
    const records = commitAll(matches);
    expect(planSync(input([], records)).held).toHaveLength(10);
    expect(planSync(input(matches.slice(0, 4), records)).held).toHaveLength(6);
    const small = planSync(input(matches.slice(0, 6), records));
    expect(small.held).toHaveLength(0);
    expect(small.enqueue.filter((j) => j.kind === 'delete')).toHaveLength(4);
    expect(planSync(input([], records, { full: false })).held).toHaveLength(0);
  });

  it('never deletes absent matches on a manual (partial) list', () => {
    const matches = manyMatches(3);
    const records = commitAll(matches);
    const res = planSync(input(matches.slice(0, 1), records, { full: false }));
    expect(res.enqueue).toHaveLength(0);
    expect(res.held).toHaveLength(0);
  });

  it('with the hashes, descriptions and snapshots taken ahead (as the list planner does): the same decisions, events and snapshots as without', () => {
    const first = manyMatches(40);
    const records = commitAll(first);
    // Changes the event shows (venue, referee, kickoff) and one it does not, each a new object.
    const next = first.map((m, i) => {
      if (i % 4 === 0) return { ...m, anlaggningnamn: `Arena ${i}` };
      if (i % 4 === 1) return { ...m, domaruppdraglista: [{ ...m.domaruppdraglista![0]!, personnamn: `Domare ${i}` }] };
      if (i % 4 === 2) return { ...m, tid: `/Date(${1_900_000_000_000 + i * 60_000})/` };
      return m;
    });
    const hashes = new MatchHashes();
    for (const m of next) {
      hashes.calendarHash(m);
      hashes.sourceKey(optionsKey(options), m);
      hashes.descriptionBase(m);
      hashes.snapshot(m, options.timeZone);
    }
    // Taken under another time zone first: the snapshot must follow the plan's zone.
    const other = new MatchHashes();
    for (const m of next) other.snapshot(m, 'America/New_York');
    const plain = planSync(input(next, records));
    expect(plain.updates).toBe(30);
    expect(planSync(input(next, records, { hashes }))).toEqual(plain);
    expect(planSync(input(next, records, { hashes: other }))).toEqual(plain);
    // A match listed again with a last-changed line: the kept part and the new line, as a fresh build gives.
    const changed = new Set(next.slice(0, 8).map((m) => String(m.matchid)));
    expect(planSync(input(next, records, { hashes, changed, settled: new Set() }))).toEqual(planSync(input(next, records, { changed, settled: new Set() })));
  });

  it('reports a match without a readable kickoff', () => {
    const res = planSync(input([{ ...manyMatches(1)[0]!, tid: '/Date(-62135596800000)/' }], new Map()));
    expect(res.unschedulable).toHaveLength(1);
  });
});

describe('ICS text', () => {
  it('escapes TEXT values', () => {
    expect(escapeText('a,b;c\\d\ne\r\nf')).toBe('a\\,b\\;c\\\\d\\ne\\nf');
  });

  it('folds at 75 octets without splitting UTF-8 sequences', () => {
    const line = 'DESCRIPTION:' + 'åäö😀x'.repeat(40);
    const folded = foldLine(line);
    const parts = folded.split('\r\n');
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(Buffer.byteLength(p, 'utf8')).toBeLessThanOrEqual(75);
    for (const p of parts.slice(1)) expect(p.startsWith(' ')).toBe(true);
    expect(parts.map((p, i) => (i === 0 ? p : p.slice(1))).join('')).toBe(line);
    expect(folded).not.toContain('\uFFFD');
  });
});

describe('outbox helpers', () => {
  it('backs off exponentially with jitter and a cap', () => {
    const p = { baseDelayMs: 100, maxDelayMs: 1000, maxAttempts: 5 };
    expect(backoffDelay(1, p, () => 0)).toBe(50);
    expect(backoffDelay(1, p, () => 1)).toBe(100);
    expect(backoffDelay(3, p, () => 1)).toBe(400);
    expect(backoffDelay(10, p, () => 1)).toBe(1000);
  });

  it('derives valid deterministic Google event ids', () => {
    const id = googleEventId('6400101', 'FOGIS_CALENDAR_SYNC');
    expect(id).toMatch(/^[a-v0-9]{5,1024}$/);
    expect(googleEventId('6400101', 'FOGIS_CALENDAR_SYNC')).toBe(id);
    expect(googleEventId('6400101', 'OTHER')).not.toBe(id);
    expect(googleEventId('6400102', 'FOGIS_CALENDAR_SYNC')).not.toBe(id);
  });
});
