import type { FogisMatch } from '../../../shared/messages';

const DATE_RE = /^\/Date\((-?\d+)\)\/$/;
/** FOGIS' sentinel for "no date" (spec §2.7). */
const NO_DATE_MS = -62135596800000;

/**
 * Kickoff instant from `tid`: `/Date(ms)/` (production) or an ISO date-time (MLP's own test
 * fixtures; one without a zone is Swedish local time). Null when missing or the sentinel.
 */
export function kickoffMs(tid: string): number | null {
  const m = DATE_RE.exec(tid);
  if (m?.[1]) {
    const ms = Number(m[1]);
    return ms === NO_DATE_MS ? null : ms;
  }
  if (/[zZ]$|[+-]\d{2}:?\d{2}$/.test(tid)) {
    const t = Date.parse(tid);
    return Number.isNaN(t) ? null : t;
  }
  return stockholmLocalToUtc(tid);
}

const partsFmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Stockholm',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

function stockholmOffsetMs(utcMs: number): number {
  const p = Object.fromEntries(partsFmt.formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

function stockholmLocalToUtc(local: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(local);
  if (!m) return null;
  const guess = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  // Two passes settle the offset across DST changes.
  let utc = guess - stockholmOffsetMs(guess);
  utc = guess - stockholmOffsetMs(utc);
  return utc;
}

const localFmt = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Stockholm',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

/** "2026-11-30 15:00" in Swedish time, or null. */
export function localKickoff(match: Pick<FogisMatch, 'tid'>): string | null {
  const ms = kickoffMs(match.tid);
  return ms === null ? null : localFmt.format(new Date(ms));
}
