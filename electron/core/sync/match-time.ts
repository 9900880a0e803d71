/**
 * Kickoff times. FOGIS sends `tid` as `/Date(<epoch ms>)/` (UTC, spec §2.7); the processor's
 * own fixtures use an ISO date-time, which the Python service cannot read (§8.9). An ISO value
 * without a zone is wall-clock time in the configured zone (Swedish local time).
 */

const DOTNET_DATE = /^\/Date\((-?\d+)\)\/$/;
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** FOGIS writes this instead of null for a missing date (§2.7). */
const FOGIS_NULL_DATE_MS = -62135596800000;

/** The kickoff instant, or null when `tid` is missing, unreadable or FOGIS's null sentinel. */
export function parseMatchTime(tid: string | undefined | null, timeZone = 'Europe/Stockholm'): Date | null {
  if (!tid) return null;
  const dotnet = DOTNET_DATE.exec(tid);
  if (dotnet) {
    const ms = Number(dotnet[1]);
    if (!Number.isSafeInteger(ms) || ms <= FOGIS_NULL_DATE_MS) return null;
    return new Date(ms);
  }
  const iso = ISO_DATE_TIME.exec(tid);
  if (!iso) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = iso;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), ms);
  if (Number.isNaN(wall)) return null;
  if (zone) {
    if (zone === 'Z') return new Date(wall);
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
    return new Date(wall - offsetMin * 60_000);
  }
  return zonedWallTimeToInstant(wall, timeZone);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall clock of `instant` in `timeZone`. */
export function wallClock(instant: Date, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(instant)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Offset of `timeZone` from UTC at `instant`, in minutes (Stockholm summer: +120). */
export function zoneOffsetMinutes(instant: Date, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  const whole = Math.floor(instant.getTime() / 1000) * 1000;
  return Math.round((asUtc - whole) / 60_000);
}

/**
 * Wall-clock milliseconds (as if UTC) to the instant in `timeZone`. Two passes settle DST
 * edges; a time in the spring-forward gap resolves to the later offset.
 */
export function zonedWallTimeToInstant(wallMs: number, timeZone: string): Date {
  let guess = wallMs - zoneOffsetMinutes(new Date(wallMs), timeZone) * 60_000;
  guess = wallMs - zoneOffsetMinutes(new Date(guess), timeZone) * 60_000;
  return new Date(guess);
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** RFC 3339 with the zone's offset, e.g. `2026-05-01T17:00:00+02:00` for 15:00Z in Stockholm. */
export function formatZonedDateTime(instant: Date, timeZone: string): string {
  const w = wallClock(instant, timeZone);
  const off = zoneOffsetMinutes(instant, timeZone);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `2026-05-01 17:00`, local to `timeZone`, for text the user reads. */
export function formatLocalShort(instant: Date, timeZone: string): string {
  const w = wallClock(instant, timeZone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}`;
}
