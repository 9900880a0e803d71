import { describe, expect, it } from 'vitest';
import { configSchema } from '../../shared/config';
import { FOGIS_NULL_TID, KICKOFF_WINDOW, MAX_DATE_MS, kickoffOf, wallClock, zoneOffsetMinutes, parseMatchTime, readAvsparkstid, readSpeldatum, readTid, formatZonedDateTime, formatLocalShort } from '../../shared/fogis-time';
import { manualSyncBodySchema } from '../../shared/messages';
import { createMemoryLogger } from '../../electron/core/log';
import { checkMatchList } from '../../electron/core/messages/match-gate';
import { parseMessage } from '../../electron/core/messages/parse-message';
import { Monitor } from '../../electron/core/monitor/monitor';
import { RecordingSink } from '../harness/recording-sink';
import { parseFogisTime } from '../../electron/desktop/notification-policy';
import { kickoffOf as rendererKickoff, parseTid } from '../../renderer/src/format';
import { kickoffMs } from '../../electron/core/monitor/match-time';
import { tempDir } from '../harness/app';
import { loadFixture } from '../harness/fixture';

/**
 * Issue 9 finding 2 and the message gate: every value taken from a match list is range-checked
 * where it is parsed; a bad match rejects the whole list with a counted reason.
 */

const MAX = 16 * 1024 * 1024;
const NOW = Date.UTC(2026, 10, 30, 12, 0); // 2026-11-30, the fixture's week
const fixture = loadFixture();
const g3raw = fixture.find((l) => l.channel === 'fogis:matches:updates')?.raw ?? '{}';
type Msg = { message_id: string; payload: { matches: Record<string, unknown>[] } };
const g3 = JSON.parse(g3raw) as Msg;

function listWith(edit: (matches: Record<string, unknown>[]) => void, id = 'gate-1'): string {
  const msg = structuredClone(g3);
  msg.message_id = id;
  edit(msg.payload.matches);
  return JSON.stringify(msg);
}

function rejection(raw: string): { reason: string; error: string } | null {
  const p = parseMessage(raw, MAX, NOW);
  return p.ok ? null : { reason: p.reason, error: p.error };
}

describe('shared/fogis-time: strict readers', () => {
  it('reads /Date(ms)/, ISO with and without a zone, and the FOGIS null date (§2.7)', () => {
    expect(readTid('/Date(1777647600000)/')).toEqual({ kind: 'instant', ms: 1777647600000 });
    expect(readTid('2026-05-01T17:00:00')).toEqual({ kind: 'instant', ms: 1777647600000 });
    expect(readTid('2026-05-01T15:00:00.5Z')).toEqual({ kind: 'instant', ms: 1777647600500 });
    expect(readTid('2026-05-01T17:00:00+02:00')).toEqual({ kind: 'instant', ms: 1777647600000 });
    expect(readTid(FOGIS_NULL_TID)).toEqual({ kind: 'null_date' });
    expect(parseMatchTime(FOGIS_NULL_TID)).toBeNull();
    expect(readTid(undefined)).toEqual({ kind: 'missing' });
  });

  it('rejects impossible dates and times instead of rolling them over', () => {
    for (const bad of ['2026-02-30T17:00:00', '2026-02-29T12:00', '2026-13-01T12:00', '2026-04-31T12:00', '2026-05-01T25:00', '2026-05-01T17:61', '2026-05-01T17:00:60', '2026-05-01T17:00:00+15:00']) {
      expect(readTid(bad).kind, bad).toBe('invalid');
      expect(parseMatchTime(bad), bad).toBeNull();
    }
    expect(readTid('2028-02-29T12:00').kind).toBe('instant'); // a leap day is real
    expect(readSpeldatum('2026-02-30')).toMatchObject({ ok: false });
    expect(readSpeldatum('2026-11-30')).toEqual({ ok: true, y: 2026, mo: 11, d: 30 });
    expect(readAvsparkstid('25:61')).toMatchObject({ ok: false });
    expect(readAvsparkstid('24:00')).toMatchObject({ ok: false });
    expect(readAvsparkstid('17:00')).toEqual({ ok: true, h: 17, mi: 0 });
  });

  it('never yields a Date that formatting would throw on (RangeError: Invalid time value)', () => {
    for (const tid of [`/Date(${MAX_DATE_MS + 1})/`, '/Date(99999999999999999999)/', `/Date(-${MAX_DATE_MS + 1})/`]) {
      expect(readTid(tid).kind, tid).toBe('invalid');
      expect(parseMatchTime(tid)).toBeNull();
    }
    // Formatting an invalid Date or in an unknown zone answers instead of throwing.
    expect(() => formatZonedDateTime(new Date(Number.NaN), 'Europe/Stockholm')).not.toThrow();
    expect(() => formatLocalShort(new Date(0), 'Europe/Stokholm')).not.toThrow();
    expect(readTid('2026-05-01T17:00', 'Europe/Stokholm')).toMatchObject({ kind: 'invalid' });
  });

  it('the null date is "no kickoff", never the year 1; speldatum + avsparkstid fill in', () => {
    expect(kickoffOf({ tid: FOGIS_NULL_TID })).toBeNull();
    expect(kickoffOf({ tid: FOGIS_NULL_TID, speldatum: '2026-05-01', avsparkstid: '17:00' })?.toISOString()).toBe('2026-05-01T15:00:00.000Z');
    expect(kickoffOf({ tid: FOGIS_NULL_TID, speldatum: '2026-02-30', avsparkstid: '17:00' })).toBeNull();
  });
});

describe('message gate: match lists (Redis and /manual-sync)', () => {
  it('accepts the recorded lists', () => {
    for (const l of fixture.filter((x) => x.channel === 'fogis:matches:updates')) expect(rejection(l.raw)).toBeNull();
  });

  it('rejects an impossible date or time with reason bad_date (old code turned Feb 30 into Mar 2)', () => {
    expect(rejection(listWith((ms) => (ms[1]!.tid = '2026-02-30T17:00:00')))).toMatchObject({ reason: 'bad_date', error: expect.stringContaining('payload.matches.1') });
    expect(rejection(listWith((ms) => (ms[0]!.speldatum = '2026-02-30')))).toMatchObject({ reason: 'bad_date', error: expect.stringContaining('speldatum 2026-02-30') });
    expect(rejection(listWith((ms) => (ms[0]!.avsparkstid = '25:61')))).toMatchObject({ reason: 'bad_date', error: expect.stringContaining('avsparkstid 25:61') });
  });

  it('rejects a kickoff beyond what a Date holds or outside the window around today (date_out_of_range)', () => {
    expect(rejection(listWith((ms) => (ms[0]!.tid = `/Date(${MAX_DATE_MS + 1})/`)))).toMatchObject({ reason: 'bad_date' });
    expect(rejection(listWith((ms) => (ms[0]!.tid = '/Date(8000000000000000)/')))).toMatchObject({ reason: 'date_out_of_range', error: expect.stringContaining('more than 3 years ahead') });
    expect(rejection(listWith((ms) => (ms[0]!.tid = `/Date(${NOW + KICKOFF_WINDOW.futureMs + 60_000})/`)))).toMatchObject({ reason: 'date_out_of_range' });
    expect(rejection(listWith((ms) => (ms[0]!.tid = `/Date(${NOW - KICKOFF_WINDOW.pastMs - 60_000})/`)))).toMatchObject({ reason: 'date_out_of_range', error: expect.stringContaining('2 years ago') });
    expect(rejection(listWith((ms) => (ms[0]!.speldatum = '2099-01-01')))).toMatchObject({ reason: 'date_out_of_range' });
    // Inside the window: accepted.
    expect(rejection(listWith((ms) => (ms[0]!.tid = `/Date(${NOW + KICKOFF_WINDOW.futureMs - 86_400_000})/`)))).toBeNull();
  });

  it('accepts the FOGIS null date as "no kickoff yet" (§2.7)', () => {
    expect(rejection(listWith((ms) => (ms[0]!.tid = FOGIS_NULL_TID)))).toBeNull();
  });

  it('rejects one matchid twice in a list (duplicate_match); numbers out of range are schema errors', () => {
    expect(rejection(listWith((ms) => ms.push(structuredClone(ms[0]!))))).toMatchObject({ reason: 'duplicate_match', error: expect.stringContaining('appears more than once') });
    expect(rejection(listWith((ms) => (ms[1]!.matchid = String(ms[0]!.matchid))))).toMatchObject({ reason: 'duplicate_match' });
    expect(rejection(listWith((ms) => (ms[0]!.matchid = 1e300)))).toMatchObject({ reason: 'schema', error: expect.stringContaining('matchid') });
    expect(rejection(listWith((ms) => (ms[0]!.matchid = -5)))).toMatchObject({ reason: 'schema' });
    expect(rejection(listWith((ms) => (ms[0]!.matchid = '1'.repeat(40))))).toMatchObject({ reason: 'schema' });
  });

  it('rejects an envelope timestamp that is no real instant', () => {
    const msg = JSON.parse(g3raw) as Record<string, unknown>;
    expect(rejection(JSON.stringify({ ...msg, timestamp: '2026-02-30T10:00:00Z' }))).toMatchObject({ reason: 'bad_date', error: expect.stringContaining('timestamp') });
  });

  it('the same gate reads /manual-sync bodies', () => {
    const body = manualSyncBodySchema.parse({ matches: structuredClone(g3.payload.matches) });
    expect(checkMatchList(body.matches, NOW)).toEqual({ ok: true });
    body.matches[2]!.avsparkstid = '19:75';
    expect(checkMatchList(body.matches, NOW)).toMatchObject({ ok: false, reason: 'bad_date', error: expect.stringContaining('payload.matches.2') });
  });

  it('through the monitor: the list is rejected whole, counted by reason, listed, and the previous list stays', () => {
    const sink = new RecordingSink();
    const m = new Monitor(configSchema.parse({}), { log: createMemoryLogger(), dataDir: tempDir(), sink, now: () => new Date(NOW) });
    m.ingest('fogis:matches:updates', Buffer.from(listWith(() => undefined, 'good-1')));
    expect(m.snapshot().matches.list).toHaveLength(3);
    const lists = sink.lists.length;
    m.ingest('fogis:matches:updates', Buffer.from(listWith((ms) => (ms[2]!.tid = '/Date(8000000000000000)/'), 'bad-1')));
    m.ingest('fogis:matches:updates', Buffer.from(listWith((ms) => ms.push(structuredClone(ms[1]!)), 'bad-2')));
    m.ingest('fogis:matches:updates', Buffer.from(listWith((ms) => (ms[0]!.speldatum = '2026-02-30'), 'bad-3')));
    const s = m.snapshot();
    expect(s.counters.rejected_by_reason).toMatchObject({ date_out_of_range: 1, duplicate_match: 1, bad_date: 1 });
    expect(s.rejected.items.map((r) => r.reason)).toEqual(['bad_date', 'duplicate_match', 'date_out_of_range']);
    expect(s.rejected.items[2]?.error).toContain('payload.matches.2');
    expect(s.counters.messages_received).toBe(4);
    // Nothing reached the calendar, and all three matches are still known (none looks removed).
    expect(sink.lists.length).toBe(lists);
    expect(s.matches.list).toHaveLength(3);
    expect(s.matches.messageId).toBe('good-1');
    m.dispose();
  });
});

describe('one time module: core, desktop and renderer read FOGIS time alike', () => {
  it('the desktop reads the null date as "no time" (it was the year 1) and zone-less times as Swedish (they were the machine zone)', () => {
    const tz = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      expect(parseFogisTime(FOGIS_NULL_TID)).toBeNull();
      expect(parseFogisTime('2026-05-01T17:00:00')).toBe(1777647600000);
      expect(parseFogisTime('2026-02-30T17:00:00')).toBeNull();
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('the renderer no longer rolls an impossible avsparkstid into the next day', () => {
    expect(rendererKickoff({ matchid: 1, lag1namn: 'A', lag2namn: 'B', tid: FOGIS_NULL_TID, speldatum: '2026-05-01', avsparkstid: '25:61' })).toBeNull();
    expect(rendererKickoff({ matchid: 1, lag1namn: 'A', lag2namn: 'B', tid: FOGIS_NULL_TID, speldatum: '2026-05-01', avsparkstid: '17:00' })?.toISOString()).toBe('2026-05-01T15:00:00.000Z');
  });

  it('the same answer from all three for every form', () => {
    for (const tid of ['/Date(1777647600000)/', '2026-05-01T17:00:00', '2026-12-01T17:00', '2026-10-25T02:30:00', '2026-03-29T02:30:00', '2026-05-01T15:00:00Z', '2026-05-01T17:00:00+02:00', FOGIS_NULL_TID, '2026-02-30T10:00', `/Date(${MAX_DATE_MS + 1})/`, 'tomorrow']) {
      const core = kickoffMs(tid);
      expect(parseFogisTime(tid), tid).toBe(core);
      expect(parseTid(tid)?.getTime() ?? null, tid).toBe(core);
    }
  });
});

describe('shared/fogis-time: the cached zone offsets agree with Intl', () => {
  it('for random instants 1973–2040 in zones with whole, half and quarter-hour offsets and DST', () => {
    const zones = ['Europe/Stockholm', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns', 'UTC'];
    let x = 12345;
    const rand = (): number => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 4000; i++) {
      const zone = zones[i % zones.length] as string;
      const ms = Date.UTC(1973, 0, 1) + Math.floor(rand() * (Date.UTC(2040, 0, 1) - Date.UTC(1973, 0, 1)));
      const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(ms).filter((p) => p.type !== 'literal').map((p) => [p.type, Number(p.value)]));
      const expected = { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
      expect(wallClock(new Date(ms), zone), `${zone} ${new Date(ms).toISOString()}`).toEqual(expected);
      const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
      expect(zoneOffsetMinutes(new Date(ms), zone)).toBe(Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000));
    }
  });
});
