import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dayShift, parseRecording, recordedAt, recordingSteps, restamp, DAY_MS } from '../../electron/core/demo/recorded-run';
import { formatLocalShort, parseMatchTime } from '../../shared/fogis-time';
import { loadFixture } from '../harness/fixture';

/** Issue 14.7: the simulator (and the demo) move every date field of a match alike. */
interface M { tid?: string; speldatum?: string; avsparkstid?: string; tidsangivelse?: string }
function matchesOf(raw: string): M[] {
  const msg = JSON.parse(raw) as { type: string; payload: { matches?: M[] } };
  return msg.type === 'match_updates' ? (msg.payload.matches ?? []) : [];
}
/** Every date field agrees with `tid` (Swedish time). */
function consistent(m: M): void {
  const at = parseMatchTime(m.tid);
  expect(at).not.toBeNull();
  const local = formatLocalShort(at!);
  if (m.speldatum !== undefined) expect(m.speldatum).toBe(local.slice(0, 10));
  if (m.avsparkstid !== undefined) expect(m.avsparkstid).toBe(local.slice(11));
  if (m.tidsangivelse !== undefined) expect(m.tidsangivelse).toBe(local);
}

describe('recorded run', () => {
  const lines = loadFixture();

  it('the recording itself is consistent (the baseline)', () => {
    for (const l of lines) matchesOf(l.raw).forEach(consistent);
  });

  it('moves tid, speldatum, avsparkstid and tidsangivelse by the same whole days', () => {
    const days = 9;
    let n = 0;
    for (const l of lines) {
      const before = matchesOf(l.raw);
      const after = matchesOf(restamp(l.raw, { days }));
      after.forEach(consistent);
      for (const [i, m] of after.entries()) {
        const was = before[i]!;
        expect(formatLocalShort(parseMatchTime(m.tid)!).slice(11)).toBe(formatLocalShort(parseMatchTime(was.tid)!).slice(11));
        const moved = (Date.parse(`${m.speldatum}T00:00:00Z`) - Date.parse(`${was.speldatum}T00:00:00Z`)) / DAY_MS;
        expect(moved).toBe(days);
        n++;
      }
    }
    expect(n).toBeGreaterThan(10);
  });

  it('keeps the clock time across a DST change (30 Nov + 150 days is in summer time)', () => {
    const l = lines.find((x) => matchesOf(x.raw).length > 0)!;
    for (const m of matchesOf(restamp(l.raw, { days: 150 }))) consistent(m);
    const before = matchesOf(l.raw)[0]!;
    const after = matchesOf(restamp(l.raw, { days: 150 }))[0]!;
    expect(after.avsparkstid).toBe(before.avsparkstid);
  });

  it('moves dates in detailed_changes too, re-stamps timestamps and ids', () => {
    const l = lines.find((x) => x.raw.includes('detailed_changes') && x.raw.includes('changed from None to 2026-12-04'))!;
    const now = new Date('2027-01-01T10:00:00Z');
    const out = restamp(l.raw, { days: 2, now, newId: () => 'new-id' });
    expect(out).toContain('changed from None to 2026-12-06');
    expect(out).not.toContain('2026-11-25T21:34');
    const msg = JSON.parse(out) as { message_id: string; timestamp: string };
    expect(msg.message_id).toBe('new-id');
    expect(msg.timestamp).toBe(now.toISOString());
  });

  it('0 days replays the dates as recorded', () => {
    for (const l of lines) expect(matchesOf(restamp(l.raw, { days: 0 }))).toEqual(matchesOf(l.raw));
  });

  it('whole days from the recording to now, never backwards; 8 steps', () => {
    const t = recordedAt(lines)!;
    expect(dayShift(t, t + 3 * DAY_MS + 1000)).toBe(3);
    expect(dayShift(t, t - 10 * DAY_MS)).toBe(0);
    expect(recordingSteps(lines)).toHaveLength(8);
    expect(() => parseRecording('{"channel":"x"}\n')).toThrow(/line 1/);
  });
});

describe('npm run simulate: clear errors', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, '..', '..', 'scripts', 'simulate.ts'), ...args], { encoding: 'utf8', timeout: 30_000 });

  it.each([
    [['--redis'], /Option '--redis <value>' argument missing/],
    [['--interval', 'soon'], /--interval must be a whole number/],
    [['--redis', 'localhost:6379'], /--redis must be a Redis address like redis:\/\/localhost:6379/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('%j: one line saying what is wrong, the usage, exit 2, no stack trace', (args, message) => {
    const r = run(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('usage: npm run simulate');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  }, 30_000);

  it('an unreachable Redis is one line, exit 1', () => {
    const r = run('--redis', 'redis://127.0.0.1:1', '--interval', '0');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^\[simulate\] cannot connect to redis:\/\/127\.0\.0\.1:1/m);
    expect(r.stdout).toMatch(/match dates moved \d+ days forward|match dates as recorded/);
  }, 30_000);
});
