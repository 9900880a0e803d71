/**
 * The one place FOGIS times are read and written (core, desktop and renderer all use it).
 *
 * - `tid` is `/Date(<epoch ms>)/`, UTC (spec §2.7); the processor's own fixtures use an ISO
 *   date-time, which we also read (§8.9). An ISO value without a zone is wall-clock time in
 *   the given zone (Swedish local time by default).
 * - `speldatum` is `YYYY-MM-DD` and `avsparkstid` `HH:MM`, both Swedish local time (§2.7).
 * - FOGIS writes `/Date(-62135596800000)/` (.NET's DateTime.MinValue) instead of null for a
 *   missing date (§2.7): it means "no date", never the year 1.
 *
 * Readers are strict: Feb 30 or 25:61 is an error, never silently rolled over into another
 * date the way `Date.UTC` does. Uses only `Intl` and `Date`, so it runs in Node and the page.
 */

export const STOCKHOLM = 'Europe/Stockholm';

/** FOGIS's "no date" sentinel (§2.7), .NET DateTime.MinValue in epoch ms. */
export const FOGIS_NULL_DATE_MS = -62135596800000;
export const FOGIS_NULL_TID = `/Date(${FOGIS_NULL_DATE_MS})/`;

/** The largest |epoch ms| a JavaScript Date holds (ECMA-262 TimeClip): 100,000,000 days. */
export const MAX_DATE_MS = 8_640_000_000_000_000;

const DAY_MS = 86_400_000;

/**
 * How far from today a kickoff may lie and still be believed. A coordinator's list holds the
 * current season and perhaps last season's tail; nothing real is two years old or three years
 * ahead. A value outside this window is a producer bug (a wrong unit, a sentinel we do not
 * know) and writing it would put events decades away or fail every calendar write, so the
 * message gate rejects it (electron/core/messages/match-gate.ts).
 */
export const KICKOFF_WINDOW = { pastMs: 2 * 366 * DAY_MS, futureMs: 3 * 366 * DAY_MS } as const;

const DOTNET_DATE = /^\/Date\((-?\d{1,20})\)\/$/;
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;
const SPELDATUM = /^(\d{4})-(\d{2})-(\d{2})$/;
const AVSPARKSTID = /^(\d{2}):(\d{2})$/;

export type TidReading =
  | { kind: 'instant'; ms: number }
  /** FOGIS's null date: the match has no kickoff yet. */
  | { kind: 'null_date' }
  | { kind: 'missing' }
  | { kind: 'invalid'; error: string };

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

const MONTH_DAYS: readonly number[] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return MONTH_DAYS[month - 1] ?? 0;
}

/** Null when y-mo-d is a real calendar date, else why not. */
export function calendarDateError(y: number, mo: number, d: number): string | null {
  if (mo < 1 || mo > 12) return `month ${mo} does not exist`;
  if (d < 1 || d > daysInMonth(y, mo)) return `${y}-${pad(mo)} has no day ${d}`;
  return null;
}

/** Null when h:mi(:s) is a real time of day, else why not. */
export function clockError(h: number, mi: number, s = 0): string | null {
  if (h > 23 || mi > 59 || s > 59) return `${pad(h)}:${pad(mi)}${s ? `:${pad(s)}` : ''} is not a time of day`;
  return null;
}

/** Reads `tid` strictly; never throws. `timeZone` places an ISO time that carries no zone. */
export function readTid(tid: unknown, timeZone: string = STOCKHOLM): TidReading {
  if (typeof tid === 'string') {
    const ms = isoUtcMs(tid);
    if (ms !== null) return { kind: 'instant', ms };
  }
  return readTidGeneral(tid, timeZone);
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const digits2 = (t: string, i: number): number => (t.charCodeAt(i) - 48) * 10 + (t.charCodeAt(i + 1) - 48);

/**
 * The instant of `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (year 100 or later) that is a real date and
 * time, read without the regular expression; null for anything else, which readTidGeneral
 * reads (and words). Every status and alert message carries two such times (issue 12: the
 * regex's captures and the Date made per value were ~1.5 µs of a 484-byte message). Equal
 * to readTidGeneral's `ms` for every string it returns one for (fogis-time tests).
 */
function isoUtcMs(t: string): number | null {
  const n = t.length;
  if (n < 20 || n > 30 || t.charCodeAt(n - 1) !== 90 || t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45 || t.charCodeAt(10) !== 84 || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58) return null;
  for (const i of DIGIT_AT) if (!isDigit(t.charCodeAt(i))) return null;
  if (n > 20) {
    // A fraction of 1 to 9 digits after a dot.
    if (t.charCodeAt(19) !== 46 || n === 21) return null;
    for (let i = 20; i < n - 1; i++) if (!isDigit(t.charCodeAt(i))) return null;
  }
  const y = digits2(t, 0) * 100 + digits2(t, 2);
  const mo = digits2(t, 5);
  const d = digits2(t, 8);
  const h = digits2(t, 11);
  const mi = digits2(t, 14);
  const s = digits2(t, 17);
  if (y < 100 || calendarDateError(y, mo, d) !== null || clockError(h, mi, s) !== null) return null;
  // As readTidGeneral computes it (Number of "0.<digits>"; ".<digits>" is the same number).
  const fracMs = n > 20 ? Math.floor(Number(t.slice(19, n - 1)) * 1000) : 0;
  // Date.UTC equals setUTCFullYear from year 100 on (it maps only 0–99 to 1900–1999).
  return Date.UTC(y, mo - 1, d) + ((h * 60 + mi) * 60 + s) * 1000 + fracMs;
}

const DIGIT_AT: readonly number[] = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

/** readTid by the regular expressions: every form, and the wording of every error. */
export function readTidGeneral(tid: unknown, timeZone: string = STOCKHOLM): TidReading {
  if (tid === undefined || tid === null || tid === '') return { kind: 'missing' };
  if (typeof tid !== 'string') return { kind: 'invalid', error: `expected a string, got ${typeof tid}` };
  const dotnet = DOTNET_DATE.exec(tid);
  if (dotnet) {
    const ms = Number(dotnet[1]);
    if (ms === FOGIS_NULL_DATE_MS) return { kind: 'null_date' };
    if (!Number.isSafeInteger(ms) || Math.abs(ms) > MAX_DATE_MS) return { kind: 'invalid', error: `${tid.slice(0, 40)} is beyond any date` };
    return { kind: 'instant', ms };
  }
  const iso = ISO_DATE_TIME.exec(tid);
  if (!iso) return { kind: 'invalid', error: `"${tid.slice(0, 40)}" is neither /Date(ms)/ nor an ISO date-time` };
  // Field by field, no arrays: this runs twice for every status and alert message (issue 12).
  const y = Number(iso[1]);
  const mo = Number(iso[2]);
  const d = Number(iso[3]);
  const h = Number(iso[4]);
  const mi = Number(iso[5]);
  const s = iso[6] === undefined ? 0 : Number(iso[6]);
  const frac = iso[7];
  const zone = iso[8];
  const bad = calendarDateError(y, mo, d) ?? clockError(h, mi, s);
  if (bad) return { kind: 'invalid', error: `${tid.slice(0, 40)}: ${bad}` };
  const fracMs = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const wall = utcWall(y, mo, d, h, mi, s) + fracMs;
  if (!zone) {
    const at = zonedWallTimeToInstant(wall, timeZone);
    return at === null ? { kind: 'invalid', error: `time zone "${timeZone}" is unknown` } : { kind: 'instant', ms: at.getTime() };
  }
  if (zone === 'Z') return { kind: 'instant', ms: wall };
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const oh = Number(digits.slice(0, 2));
  const om = Number(digits.slice(2, 4));
  if (oh > 14 || om > 59) return { kind: 'invalid', error: `${tid.slice(0, 40)}: offset ${zone} does not exist` };
  return { kind: 'instant', ms: wall - sign * (oh * 60 + om) * 60_000 };
}

/** Wall-clock fields as if UTC (setUTCFullYear, unlike Date.UTC, keeps years 0–99 as they are). */
function utcWall(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  return new Date(0).setUTCFullYear(y, mo - 1, d) + ((h * 60 + mi) * 60 + s) * 1000;
}

/** The kickoff instant, or null when `tid` is missing, unreadable or the null date. */
export function parseMatchTime(tid: unknown, timeZone: string = STOCKHOLM): Date | null {
  const r = readTid(tid, timeZone);
  return r.kind === 'instant' ? new Date(r.ms) : null;
}

/** `speldatum` (`YYYY-MM-DD`) as numbers, or why it is not a real date. */
export function readSpeldatum(value: unknown): { ok: true; y: number; mo: number; d: number } | { ok: false; error: string } {
  const m = typeof value === 'string' ? SPELDATUM.exec(value) : null;
  if (!m) return { ok: false, error: `speldatum "${String(value).slice(0, 40)}" is not YYYY-MM-DD` };
  const [y, mo, d] = [m[1], m[2], m[3]].map(Number) as [number, number, number];
  const bad = calendarDateError(y, mo, d);
  return bad ? { ok: false, error: `speldatum ${value as string}: ${bad}` } : { ok: true, y, mo, d };
}

/** `avsparkstid` (`HH:MM`) as numbers, or why it is not a time of day. */
export function readAvsparkstid(value: unknown): { ok: true; h: number; mi: number } | { ok: false; error: string } {
  const m = typeof value === 'string' ? AVSPARKSTID.exec(value) : null;
  if (!m) return { ok: false, error: `avsparkstid "${String(value).slice(0, 40)}" is not HH:MM` };
  const [h, mi] = [m[1], m[2]].map(Number) as [number, number];
  const bad = clockError(h, mi);
  return bad ? { ok: false, error: `avsparkstid ${value as string}: ${bad}` } : { ok: true, h, mi };
}

/** The kickoff: `tid` when it holds an instant, else `speldatum` + `avsparkstid` (00:00 when absent). */
export function kickoffOf(m: { tid?: unknown; speldatum?: unknown; avsparkstid?: unknown }, timeZone: string = STOCKHOLM): Date | null {
  const fromTid = parseMatchTime(m.tid, timeZone);
  if (fromTid) return fromTid;
  const date = readSpeldatum(m.speldatum);
  if (!date.ok) return null;
  const time = m.avsparkstid === undefined ? { ok: true as const, h: 0, mi: 0 } : readAvsparkstid(m.avsparkstid);
  if (!time.ok) return null;
  return wallTimeToInstant(date.y, date.mo, date.d, time.h, time.mi, 0, timeZone);
}

/** Null when `ms` lies inside KICKOFF_WINDOW around `nowMs`, else why not. */
export function kickoffWindowError(ms: number, nowMs: number): string | null {
  if (ms < nowMs - KICKOFF_WINDOW.pastMs) return `kickoff ${isoDay(ms)} is more than 2 years ago`;
  if (ms > nowMs + KICKOFF_WINDOW.futureMs) return `kickoff ${isoDay(ms)} is more than 3 years ahead`;
  return null;
}

function isoDay(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString().slice(0, 10);
}

// ---- the wall clock of a zone --------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat | null>();

/** Null for a zone Intl does not know (a typo in settings must not throw on the sync path). */
function formatterFor(timeZone: string): Intl.DateTimeFormat | null {
  if (formatters.has(timeZone)) return formatters.get(timeZone) ?? null;
  let f: Intl.DateTimeFormat | null = null;
  try {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  } catch {
    f = null;
  }
  if (formatters.size < 64) formatters.set(timeZone, f);
  return f;
}

export function isKnownTimeZone(timeZone: string): boolean {
  return formatterFor(timeZone) !== null;
}

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const validInstant = (d: Date): boolean => Number.isFinite(d.getTime());

function partsOf(instant: Date, f: Intl.DateTimeFormat): WallClock {
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(instant)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return { year: parts.year ?? 0, month: parts.month ?? 0, day: parts.day ?? 0, hour: parts.hour ?? 0, minute: parts.minute ?? 0, second: parts.second ?? 0 };
}

/**
 * Zone offsets are cached per 15-minute slice of time: since the 1970s every zone's offset is
 * a multiple of 15 minutes and changes at a whole or half hour of local time, so one slice
 * never holds two offsets. Intl's formatToParts is the expensive step (every list converts
 * each kickoff several times: gate, diff, plan, contacts); before 1973 it is asked each time.
 */
const OFFSET_SLICE_MS = 15 * 60_000;
const OFFSET_CACHE_FROM_MS = Date.UTC(1973, 0, 1);
const OFFSET_CACHE_MAX = 20_000;
const offsetCache = new Map<string, number>();

function offsetMinutesFromIntl(instant: Date, f: Intl.DateTimeFormat): number {
  const w = partsOf(instant, f);
  const asUtc = utcWall(w.year, w.month, w.day, w.hour, w.minute, w.second);
  const whole = Math.floor(instant.getTime() / 1000) * 1000;
  return Math.round((asUtc - whole) / 60_000);
}

/** Offset of `timeZone` from UTC at `instant`, in minutes (Stockholm summer: +120); 0 for an unknown zone or an invalid instant. */
export function zoneOffsetMinutes(instant: Date, timeZone: string = STOCKHOLM): number {
  const ms = instant.getTime();
  const f = formatterFor(timeZone);
  if (!Number.isFinite(ms) || !f) return 0;
  if (ms < OFFSET_CACHE_FROM_MS) return offsetMinutesFromIntl(instant, f);
  const slice = Math.floor(ms / OFFSET_SLICE_MS);
  const key = `${timeZone}|${slice}`;
  let off = offsetCache.get(key);
  if (off === undefined) {
    off = offsetMinutesFromIntl(new Date(slice * OFFSET_SLICE_MS), f);
    if (offsetCache.size >= OFFSET_CACHE_MAX) offsetCache.clear();
    offsetCache.set(key, off);
  }
  return off;
}

/** The wall clock of `instant` in `timeZone` (UTC for an unknown zone; epoch 0 for an invalid instant). */
export function wallClock(instant: Date, timeZone: string = STOCKHOLM): WallClock {
  const at = validInstant(instant) ? instant : new Date(0);
  const zone = formatterFor(timeZone) ? timeZone : 'UTC';
  if (at.getTime() < OFFSET_CACHE_FROM_MS) {
    const f = formatterFor(zone);
    return f ? partsOf(at, f) : { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
  }
  const d = new Date(at.getTime() + zoneOffsetMinutes(at, zone) * 60_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
}

/**
 * Wall-clock milliseconds (as if UTC) to the instant in `timeZone`, or null for an unknown
 * zone. Two passes settle DST edges; a time in the spring-forward gap resolves to the later
 * offset.
 */
export function zonedWallTimeToInstant(wallMs: number, timeZone: string = STOCKHOLM): Date | null {
  if (!isKnownTimeZone(timeZone) || !Number.isFinite(wallMs)) return null;
  let guess = wallMs - zoneOffsetMinutes(new Date(wallMs), timeZone) * 60_000;
  guess = wallMs - zoneOffsetMinutes(new Date(guess), timeZone) * 60_000;
  return new Date(guess);
}

/** A wall-clock time in `timeZone` (Stockholm by default) to the instant, DST included. */
export function wallTimeToInstant(y: number, mo: number, d: number, h: number, mi: number, s = 0, timeZone: string = STOCKHOLM): Date | null {
  return zonedWallTimeToInstant(utcWall(y, mo, d, h, mi, s), timeZone);
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** RFC 3339 with the zone's offset, e.g. `2026-05-01T17:00:00+02:00` for 15:00Z in Stockholm. */
export function formatZonedDateTime(instant: Date, timeZone: string = STOCKHOLM): string {
  const w = wallClock(instant, timeZone);
  const off = zoneOffsetMinutes(instant, timeZone);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `2026-05-01 17:00`, local to `timeZone`, for text the user reads. */
export function formatLocalShort(instant: Date, timeZone: string = STOCKHOLM): string {
  const w = wallClock(instant, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}`;
}

/** `2026-05-01`, the form of `speldatum`, local to `timeZone`. */
export function formatLocalDate(instant: Date, timeZone: string = STOCKHOLM): string {
  return formatLocalShort(instant, timeZone).slice(0, 10);
}
