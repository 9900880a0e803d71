import { kickoffOf as sharedKickoffOf, parseMatchTime, STOCKHOLM, wallTimeToInstant } from '../../shared/fogis-time';
import type { FogisMatch } from '../../shared/messages';

/** Kickoffs are Swedish matches: always shown in Swedish time, whatever the machine's zone. */
export const TIME_ZONE = STOCKHOLM;

export type Lang = 'sv' | 'en';

// en-GB rather than en-US: 24-hour clock and day-month order, as the user reads kickoffs.
export const localeOf = (lang: Lang): string => (lang === 'sv' ? 'sv-SE' : 'en-GB');

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function dtf(lang: Lang, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = lang + JSON.stringify(opts);
  let f = fmtCache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(localeOf(lang), { timeZone: TIME_ZONE, ...opts });
    fmtCache.set(key, f);
  }
  return f;
}

// FOGIS time is read by the project's one time module (shared/fogis-time.ts); these names
// stay for the pages that use them.

/** A wall-clock time in Stockholm to the instant, DST included. */
export function stockholmWallTime(y: number, mo: number, d: number, h: number, mi: number, s = 0): Date {
  return wallTimeToInstant(y, mo, d, h, mi, s, STOCKHOLM) ?? new Date(Number.NaN);
}

/** `tid` ("/Date(ms)/" or ISO; without an offset, Swedish time); null for the FOGIS null date or anything unreadable. */
export function parseTid(tid: string | undefined): Date | null {
  return parseMatchTime(tid, STOCKHOLM);
}

/** The kickoff from `tid`, else from `speldatum` + `avsparkstid`; null when neither is a real time. */
export function kickoffOf(m: FogisMatch): Date | null {
  return sharedKickoffOf(m, STOCKHOLM);
}

const toDate = (v: string | Date | number): Date => (v instanceof Date ? v : new Date(v));

/** "lör 29 nov. 2026" / "Sat 29 Nov 2026" */
export const fmtDate = (v: string | Date | number, lang: Lang): string =>
  dtf(lang, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }).format(toDate(v));

/** "17:00" */
export const fmtTime = (v: string | Date | number, lang: Lang): string =>
  dtf(lang, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(toDate(v));

/** "17:00:05" */
export const fmtTimeSec = (v: string | Date | number, lang: Lang): string =>
  dtf(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(toDate(v));

/** "29 nov. 17:00" — today's times show only the clock. */
export function fmtDateTime(v: string | Date | number, lang: Lang, now: Date = new Date()): string {
  const d = toDate(v);
  if (Number.isNaN(d.getTime())) return '—';
  const sameDay = dtf(lang, { year: 'numeric', month: 'numeric', day: 'numeric' });
  if (sameDay.format(d) === sameDay.format(now)) return fmtTime(d, lang);
  return dtf(lang, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
}

/** "för 5 minuter sedan" / "5 minutes ago" */
export function fmtRelative(v: string | Date | number, lang: Lang, now: Date = new Date()): string {
  const diffS = Math.round((toDate(v).getTime() - now.getTime()) / 1000);
  const rtf = new Intl.RelativeTimeFormat(localeOf(lang), { numeric: 'auto' });
  const abs = Math.abs(diffS);
  if (abs < 45) return rtf.format(0, 'second');
  if (abs < 45 * 60) return rtf.format(Math.round(diffS / 60), 'minute');
  if (abs < 22 * 3600) return rtf.format(Math.round(diffS / 3600), 'hour');
  return rtf.format(Math.round(diffS / 86400), 'day');
}

/** "in 8 sec." / "om 8 sek.": a countdown to a moment seconds or minutes away (next retry). */
export function fmtCountdown(v: string | Date | number, lang: Lang, now: number = Date.now()): string {
  const diffS = Math.ceil((toDate(v).getTime() - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(localeOf(lang), { numeric: 'auto', style: 'short' });
  if (diffS <= 0) return rtf.format(0, 'second');
  if (diffS < 90) return rtf.format(diffS, 'second');
  return rtf.format(Math.round(diffS / 60), 'minute');
}

/** "850 ms", "2,3 s", "4 min 5 s" */
export function fmtDuration(ms: number, lang: Lang): string {
  const nf = new Intl.NumberFormat(localeOf(lang), { maximumFractionDigits: 1 });
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${nf.format(ms / 1000)} s`;
  const min = Math.floor(ms / 60_000);
  return `${min} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export const fmtNumber = (n: number, lang: Lang): string => new Intl.NumberFormat(localeOf(lang)).format(n);

export function fmtBytes(n: number, lang: Lang): string {
  const nf = new Intl.NumberFormat(localeOf(lang), { maximumFractionDigits: 1 });
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${nf.format(n / 1024)} kB`;
  return `${nf.format(n / 1024 / 1024)} MB`;
}

/** Pretty JSON for the inspector; previews cut mid-document stay as they are. */
export function prettyJson(text: string): { text: string; ok: boolean } {
  try {
    return { text: JSON.stringify(JSON.parse(text), null, 2), ok: true };
  } catch {
    return { text, ok: false };
  }
}
