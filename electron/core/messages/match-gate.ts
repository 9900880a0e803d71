import { KICKOFF_WINDOW, kickoffWindowError, readAvsparkstid, readSpeldatum, readTid, wallTimeToInstant } from '../../../shared/fogis-time';
import type { FogisMatch, RejectReason } from '../../../shared/messages';

/**
 * The message gate's semantic pass (DESIGN rule 9): what JSON Schema cannot say about a match
 * list, checked once where the list is parsed, for Redis `match_updates` and `/manual-sync`
 * bodies alike. Cheap: one pass over the list, no allocation per match beyond a Set entry.
 *
 * A list with one bad match is rejected WHOLE, with a counted reason, and the previous list
 * stays in force. Dropping only the bad match would make the list look as if that match had
 * been removed, and the calendar sync deletes the events of removed matches; rejecting the
 * list keeps every event as it was until the processor sends a list we can read (README,
 * "Bad match data").
 */

export type MatchGateReason = Extract<RejectReason, 'bad_date' | 'date_out_of_range' | 'duplicate_match'>;
export type MatchGateResult = { ok: true } | { ok: false; reason: MatchGateReason; error: string };

function where(i: number, m: FogisMatch): string {
  return `payload.matches.${i} (matchid ${String(m.matchid).slice(0, 20)})`;
}

/**
 * The times `now` for which a match whose dates are real passes the kickoff window: a kickoff
 * at `ms` passes while now lies in [ms - futureMs, ms + pastMs] (kickoffWindowError).
 */
export interface NowWindow {
  lo: number;
  hi: number;
}

/**
 * Remembered windows of matches that passed (the ingest worker keeps them per list in force):
 * `known` gives the window of a match structurally equal to one that passed before in the same
 * time zone, `passed` is told the window of each match that passes now. The dates of a match
 * are a pure function of its fields and the time zone, so a known match whose window holds
 * `nowMs` gets the same result as checking it again (issue 12: ~15 µs of a 10-match list).
 */
export interface DateMemo {
  known(m: FogisMatch): NowWindow | undefined;
  passed(m: FogisMatch, window: NowWindow): void;
}

const narrow = (w: NowWindow, ms: number): void => {
  w.lo = Math.max(w.lo, ms - KICKOFF_WINDOW.futureMs);
  w.hi = Math.min(w.hi, ms + KICKOFF_WINDOW.pastMs);
};

/** One match's dates; null when they are real and inside the kickoff window (then `window` is narrowed to where they pass). */
function checkMatch(m: FogisMatch, nowMs: number, timeZone: string, window: NowWindow): { reason: MatchGateReason; error: string } | null {
  const tid = readTid(m.tid, timeZone);
  if (tid.kind === 'invalid') return { reason: 'bad_date', error: `tid: ${tid.error}` };
  if (tid.kind === 'instant') {
    const out = kickoffWindowError(tid.ms, nowMs);
    if (out) return { reason: 'date_out_of_range', error: `tid: ${out}` };
    narrow(window, tid.ms);
  }
  // tid `/Date(-62135596800000)/` is FOGIS's "no date" (§2.7): the match is accepted and has no
  // kickoff; the calendar planner counts it as unschedulable and leaves its event alone.
  if (m.speldatum !== undefined && m.speldatum !== '') {
    const d = readSpeldatum(m.speldatum);
    if (!d.ok) return { reason: 'bad_date', error: d.error };
    const noon = wallTimeToInstant(d.y, d.mo, d.d, 12, 0, 0, timeZone);
    const out = noon ? kickoffWindowError(noon.getTime(), nowMs) : null;
    if (out) return { reason: 'date_out_of_range', error: `speldatum: ${out}` };
    if (noon) narrow(window, noon.getTime());
  }
  if (m.avsparkstid !== undefined && m.avsparkstid !== '') {
    const t = readAvsparkstid(m.avsparkstid);
    if (!t.ok) return { reason: 'bad_date', error: t.error };
  }
  return null;
}

/** Checks a whole list; the first problem rejects it. Never throws. */
export function checkMatchList(matches: readonly FogisMatch[], nowMs: number, timeZone = 'Europe/Stockholm', memo?: DateMemo): MatchGateResult {
  const ids = new Set<string>();
  for (let i = 0; i < matches.length; i++) {
    const m = matches[i] as FogisMatch;
    const id = String(m.matchid);
    if (ids.has(id)) return { ok: false, reason: 'duplicate_match', error: `${where(i, m)}: matchid ${id.slice(0, 20)} appears more than once in the list` };
    ids.add(id);
    const seen = memo?.known(m);
    // `lo <= nowMs <= hi` is false for a NaN bound: such a match is checked again.
    if (seen !== undefined && seen.lo <= nowMs && nowMs <= seen.hi) continue;
    const window: NowWindow = { lo: -Infinity, hi: Infinity };
    const bad = checkMatch(m, nowMs, timeZone, window);
    if (bad) return { ok: false, reason: bad.reason, error: `${where(i, m)}: ${bad.error}` };
    memo?.passed(m, window);
  }
  return { ok: true };
}

/** Null when an ISO timestamp (envelope, status, alert) is a real date-time, else why not. */
export function timestampError(value: string | undefined, field: string): string | null {
  if (value === undefined) return null;
  const r = readTid(value, 'UTC');
  return r.kind === 'instant' ? null : `${field}: ${r.kind === 'invalid' ? r.error : 'not a date-time'}`;
}
