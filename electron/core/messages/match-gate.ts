import { kickoffWindowError, readAvsparkstid, readSpeldatum, readTid, wallTimeToInstant } from '../../../shared/fogis-time';
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

/** One match's dates; null when they are real and inside the kickoff window. */
function checkMatch(m: FogisMatch, nowMs: number, timeZone: string): { reason: MatchGateReason; error: string } | null {
  const tid = readTid(m.tid, timeZone);
  if (tid.kind === 'invalid') return { reason: 'bad_date', error: `tid: ${tid.error}` };
  if (tid.kind === 'instant') {
    const out = kickoffWindowError(tid.ms, nowMs);
    if (out) return { reason: 'date_out_of_range', error: `tid: ${out}` };
  }
  // tid `/Date(-62135596800000)/` is FOGIS's "no date" (§2.7): the match is accepted and has no
  // kickoff; the calendar planner counts it as unschedulable and leaves its event alone.
  if (m.speldatum !== undefined && m.speldatum !== '') {
    const d = readSpeldatum(m.speldatum);
    if (!d.ok) return { reason: 'bad_date', error: d.error };
    const noon = wallTimeToInstant(d.y, d.mo, d.d, 12, 0, 0, timeZone);
    const out = noon ? kickoffWindowError(noon.getTime(), nowMs) : null;
    if (out) return { reason: 'date_out_of_range', error: `speldatum: ${out}` };
  }
  if (m.avsparkstid !== undefined && m.avsparkstid !== '') {
    const t = readAvsparkstid(m.avsparkstid);
    if (!t.ok) return { reason: 'bad_date', error: t.error };
  }
  return null;
}

/** Checks a whole list; the first problem rejects it. Never throws. */
export function checkMatchList(matches: readonly FogisMatch[], nowMs: number, timeZone = 'Europe/Stockholm'): MatchGateResult {
  const ids = new Set<string>();
  for (let i = 0; i < matches.length; i++) {
    const m = matches[i] as FogisMatch;
    const id = String(m.matchid);
    if (ids.has(id)) return { ok: false, reason: 'duplicate_match', error: `${where(i, m)}: matchid ${id.slice(0, 20)} appears more than once in the list` };
    ids.add(id);
    const bad = checkMatch(m, nowMs, timeZone);
    if (bad) return { ok: false, reason: bad.reason, error: `${where(i, m)}: ${bad.error}` };
  }
  return { ok: true };
}

/** Null when an ISO timestamp (envelope, status, alert) is a real date-time, else why not. */
export function timestampError(value: string | undefined, field: string): string | null {
  if (value === undefined) return null;
  const r = readTid(value, 'UTC');
  return r.kind === 'instant' ? null : `${field}: ${r.kind === 'invalid' ? r.error : 'not a date-time'}`;
}
