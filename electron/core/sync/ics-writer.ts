/**
 * RFC 5545 text for the ICS backend: escaping (§3.3.11), 75-octet folding (§3.1) and the
 * calendar/event components. Pure functions: the backend decides what goes in.
 */

export interface IcsEvent {
  uid: string;
  matchId: string;
  summary: string;
  location: string;
  description: string;
  url: string;
  startMs: number;
  endMs: number;
  status: 'CONFIRMED' | 'CANCELLED';
  sequence: number;
  createdMs: number;
  lastModifiedMs: number;
  alarmMinutes: number;
}

/**
 * RFC 5545 §3.1 CONTROL: every C0 control but HTAB, and DEL, is forbidden in a value. Line
 * breaks are escaped before this runs; the rest (NUL, BEL, VT, FF, ESC …, from names in a
 * Redis message) are dropped: they mean nothing in a calendar and break strict parsers.
 */
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F]/g;

/** TEXT value escaping (§3.3.11): backslash, semicolon, comma, newline; other controls dropped. */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n?|\n/g, '\\n')
    .replace(FORBIDDEN_CONTROLS, '');
}

const encoder = new TextEncoder();

/**
 * Folds one content line so no physical line exceeds 75 octets, breaking only between
 * characters so a UTF-8 sequence (or a surrogate pair) is never split.
 */
export function foldLine(line: string): string {
  if (encoder.encode(line).length <= 75) return line;
  const out: string[] = [];
  let current = '';
  let currentBytes = 0;
  let limit = 75;
  for (const ch of line) {
    const cp = ch.codePointAt(0) ?? 0;
    const bytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (currentBytes + bytes > limit) {
      out.push(current);
      current = '';
      currentBytes = 0;
      // Continuation lines start with a space, which counts towards their 75 octets.
      limit = 74;
    }
    current += ch;
    currentBytes += bytes;
  }
  out.push(current);
  return out.join('\r\n ');
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `20260501T150000Z` */
export function formatUtc(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}

/**
 * Europe/Stockholm since 1996 (EU rules): CEST from the last Sunday of March 02:00 to the
 * last Sunday of October 03:00. Written out so clients without a zone database agree.
 */
const STOCKHOLM_VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Stockholm',
  'X-LIC-LOCATION:Europe/Stockholm',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'TZNAME:CEST',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'TZNAME:CET',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];

export interface CalendarOptions {
  name: string;
  /** Local wall time helper for TZID output; only used for Europe/Stockholm. */
  localTime?: (ms: number) => string;
  timeZone: string;
}

function dateProp(name: string, ms: number, opts: CalendarOptions): string {
  if (opts.timeZone === 'Europe/Stockholm' && opts.localTime) return `${name};TZID=Europe/Stockholm:${opts.localTime(ms)}`;
  return `${name}:${formatUtc(ms)}`;
}

/** Sort order of the VEVENTs: by start, then UID, so the file does not depend on insertion order. */
export function compareEvents(a: IcsEvent, b: IcsEvent): number {
  return a.startMs - b.startMs || a.uid.localeCompare(b.uid);
}

/** Everything before the first VEVENT, folded, each line ending in CRLF. */
export function renderCalendarHeader(opts: CalendarOptions): string {
  const lines: string[] = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//FOGIS Monitor//Calendar sync//SV',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(opts.name)}`,
    `X-WR-TIMEZONE:${opts.timeZone}`,
    'REFRESH-INTERVAL;VALUE=DURATION:PT1H',
    'X-PUBLISHED-TTL:PT1H',
  ];
  if (opts.timeZone === 'Europe/Stockholm' && !!opts.localTime) lines.push(...STOCKHOLM_VTIMEZONE);
  return lines.map(foldLine).join('\r\n') + '\r\n';
}

export const CALENDAR_FOOTER = 'END:VCALENDAR\r\n';

/**
 * One VEVENT, folded, each line ending in CRLF. It depends on the event and on the options'
 * `timeZone` and `localTime` only (not the calendar name): what ics-render-cache.ts keys on.
 */
export function renderEvent(e: IcsEvent, opts: CalendarOptions): string {
  const lines = [
    'BEGIN:VEVENT',
    `UID:${e.uid}`,
    // A published feed has no METHOD-level scheduling, so DTSTAMP is the last change of the event data (RFC 5545 §3.8.7.2).
    `DTSTAMP:${formatUtc(e.lastModifiedMs)}`,
    `CREATED:${formatUtc(e.createdMs)}`,
    `LAST-MODIFIED:${formatUtc(e.lastModifiedMs)}`,
    `SEQUENCE:${e.sequence}`,
    dateProp('DTSTART', e.startMs, opts),
    dateProp('DTEND', e.endMs, opts),
    `SUMMARY:${escapeText(e.summary)}`,
    `LOCATION:${escapeText(e.location)}`,
    `DESCRIPTION:${escapeText(e.description)}`,
    `URL:${e.url}`,
    `STATUS:${e.status}`,
    'TRANSP:OPAQUE',
    `X-FOGIS-MATCHID:${escapeText(e.matchId)}`,
    'BEGIN:VALARM',
    'ACTION:DISPLAY',
    `DESCRIPTION:${escapeText(e.summary)}`,
    `TRIGGER:-PT${e.alarmMinutes}M`,
    'END:VALARM',
    'END:VEVENT',
  ];
  return lines.map(foldLine).join('\r\n') + '\r\n';
}

/** The whole calendar, every event rendered anew (IcsRenderCache gives the same bytes for less). */
export function renderCalendar(events: readonly IcsEvent[], opts: CalendarOptions): string {
  const sorted = [...events].sort(compareEvents);
  return renderCalendarHeader(opts) + sorted.map((e) => renderEvent(e, opts)).join('') + CALENDAR_FOOTER;
}
