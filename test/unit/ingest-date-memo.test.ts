import { describe, expect, it } from 'vitest';
import { KICKOFF_WINDOW } from '../../shared/fogis-time';
import type { FogisMatch } from '../../shared/messages';
import { IngestProcessor } from '../../electron/core/ingest/ingest-processor';
import type { IngestOutcome } from '../../electron/core/ingest/ingest-protocol';
import { checkMatchList, type NowWindow } from '../../electron/core/messages/match-gate';
import { loadFixture } from '../harness/fixture';

/**
 * Issue 12: a match equal to the previous accepted list's skips the date checks only while
 * the result cannot differ: `now` inside the window where its dates pass, the same time zone.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 30, 12, 0);
const g3raw = loadFixture().find((l) => l.channel === 'fogis:matches:updates')?.raw ?? '{}';
type Msg = { message_id: string; payload: { matches: Record<string, unknown>[] } };

function listWith(id: string, edit: (matches: Record<string, unknown>[]) => void): Uint8Array {
  const msg = JSON.parse(g3raw) as Msg;
  msg.message_id = id;
  edit(msg.payload.matches);
  return Buffer.from(JSON.stringify(msg));
}

function send(p: IngestProcessor, bytes: Uint8Array, nowMs: number): IngestOutcome {
  return p.process({ seq: 1, channel: 'fogis:matches:updates', receivedMs: nowMs, at: new Date(nowMs).toISOString(), bytes });
}

const processor = (timeZone = 'Europe/Stockholm'): IngestProcessor => new IngestProcessor({ maxMessageBytes: 16 * 1024 * 1024, timeZone, duplicateWindow: 100 });

describe('ingest: date checks of unchanged matches', () => {
  it('checks an unchanged match again once now has moved its kickoff out of the window', () => {
    const p = processor();
    // Kickoff one day inside the past edge of the window at NOW.
    const old = (id: string): Uint8Array =>
      listWith(id, (ms) => {
        ms[0]!.tid = `/Date(${NOW - KICKOFF_WINDOW.pastMs + DAY})/`;
        ms[0]!.speldatum = '';
      });
    expect(send(p, old('memo-1'), NOW).kind).toBe('match_updates');
    // Same list, now an hour later: still inside, accepted (the skipped check would pass).
    expect(send(p, old('memo-2'), NOW + HOUR).kind).toBe('match_updates');
    // Same list two days later: the kickoff is now more than 2 years ago.
    expect(send(p, old('memo-3'), NOW + 2 * DAY)).toMatchObject({ kind: 'rejected', reason: 'date_out_of_range', error: expect.stringContaining('2 years ago') });
    // The previous list stays in force and its windows still serve an in-window message.
    expect(send(p, old('memo-4'), NOW + 2 * HOUR).kind).toBe('match_updates');
  });

  it('checks an unchanged match again when the time zone changed', () => {
    const p = processor('Europe/Stockholm');
    // An ISO tid without a zone is read in the configured zone: 23:00 Stockholm is 22:00 UTC,
    // 23:00 Los Angeles is 07:00 UTC the next day, beyond the future edge of the window.
    const edge = new Date(NOW + KICKOFF_WINDOW.futureMs);
    const day = edge.toISOString().slice(0, 10);
    const nowMs = Date.UTC(edge.getUTCFullYear(), edge.getUTCMonth(), edge.getUTCDate(), 23, 30) - KICKOFF_WINDOW.futureMs;
    const list = (id: string): Uint8Array =>
      listWith(id, (ms) => {
        ms[0]!.tid = `${day}T23:00:00`;
        ms[0]!.speldatum = '';
      });
    expect(send(p, list('zone-1'), nowMs).kind).toBe('match_updates');
    expect(send(p, list('zone-2'), nowMs).kind).toBe('match_updates');
    p.updateSettings({ maxMessageBytes: 16 * 1024 * 1024, timeZone: 'America/Los_Angeles', duplicateWindow: 100 });
    expect(send(p, list('zone-3'), nowMs)).toMatchObject({ kind: 'rejected', reason: 'date_out_of_range', error: expect.stringContaining('3 years ahead') });
  });

  it('checkMatchList: a known window holding now skips the match; a passing match reports where it passes', () => {
    const matches = (JSON.parse(g3raw) as Msg).payload.matches as unknown as FogisMatch[];
    const first = { ...matches[0]!, tid: `/Date(${NOW})/`, speldatum: '' };
    const windows: NowWindow[] = [];
    expect(checkMatchList([first], NOW, 'Europe/Stockholm', { known: () => undefined, passed: (_m, w) => void windows.push(w) })).toEqual({ ok: true });
    expect(windows).toEqual([{ lo: NOW - KICKOFF_WINDOW.futureMs, hi: NOW + KICKOFF_WINDOW.pastMs }]);
    const bad = { ...first, tid: 'not a date' };
    expect(checkMatchList([bad], NOW, 'Europe/Stockholm', { known: () => ({ lo: NOW - 1, hi: NOW + 1 }), passed: () => undefined })).toEqual({ ok: true });
    expect(checkMatchList([bad], NOW, 'Europe/Stockholm', { known: () => ({ lo: NOW + 1, hi: NOW + 2 }), passed: () => undefined })).toMatchObject({ ok: false, reason: 'bad_date' });
    // Duplicate ids are still refused for known matches.
    expect(checkMatchList([first, first], NOW, 'Europe/Stockholm', { known: () => ({ lo: -Infinity, hi: Infinity }), passed: () => undefined })).toMatchObject({ ok: false, reason: 'duplicate_match' });
  });
});
