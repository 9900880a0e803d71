import type { FogisMatch, Referee, TeamContact } from '../../../shared/messages';
import type { FieldChange } from '../../../shared/state';
import { formatLocalShort, parseMatchTime } from '../../../shared/fogis-time';
import { calendarHash } from './calendar-hash';
import { wrapAppText } from './description';

/**
 * One match's calendar event as the planner wants it, backend-neutral (spec §5.2): times are
 * instants, the zone is how they are shown. Google builds its event body from it
 * (google-body.ts), the ICS backend its VEVENT (ics-backend.ts); both read only this.
 */
export interface PlannedEvent {
  matchId: string;
  summary: string;
  location: string;
  /** Our part of the description (description.ts wraps it; the coordinator's notes stay around it). */
  description: string;
  startMs: number;
  endMs: number;
  /** IANA zone the times are shown in (Google's start/end timeZone, the ICS TZID). */
  timeZone: string;
  /** §5.3, the Python service's hash: stored with the event so either app sees it unchanged. */
  calendarHash: string;
  syncTag: string;
  /** A kept cancelled match (ICS STATUS:CANCELLED; the summary says INSTÄLLD). */
  cancelled: boolean;
  reminderMinutes: number;
}

export interface EventOptions {
  syncTag: string;
  durationMinutes: number;
  timeZone: string;
}

/** What the description's last line reports: when we saw the change and what it was. */
export interface LastChange {
  at: string;
  what: string;
}

export const CANCELLED_PREFIX = 'INSTÄLLD: ';
export const POSTPONED_PREFIX = 'UPPSKJUTEN: ';
/** §5.2: popup 48 h before, the Python service's only reminder. */
export const REMINDER_MINUTES = 2880;

export function matchIdOf(match: FogisMatch): string {
  return String(match.matchid);
}

export function matchTitle(match: FogisMatch): string {
  return `${match.lag1namn} - ${match.lag2namn}`;
}

export function eventSummary(match: FogisMatch): string {
  const prefix = match.installd === true ? CANCELLED_PREFIX : match.uppskjuten === true ? POSTPONED_PREFIX : '';
  return prefix + matchTitle(match);
}

const text = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

function refereeBlock(r: Referee): string {
  let block = `${text(r.domarrollkortnamn)}:\n${text(r.personnamn)}\n`;
  if (text(r.mobiltelefon)) block += `Mobil: ${text(r.mobiltelefon)}\n`;
  if (text(r.adress) && text(r.postnr) && text(r.postort)) block += `${text(r.adress)}, ${text(r.postnr)} ${text(r.postort)}\n`;
  return block;
}

function contactBlock(c: TeamContact): string {
  let block = `${text(c.lagnamn)}:\nName: ${text(c.personnamn)}\n`;
  if (text(c.telefon)) block += `Tel: ${text(c.telefon)}\n`;
  if (text(c.mobiltelefon)) block += `Mobil: ${text(c.mobiltelefon)}\n`;
  if (text(c.epostadress)) block += `Email: ${text(c.epostadress)}\n`;
  return block;
}

/**
 * The description exactly as the Python service writes it (§5.2, including its blank-line
 * quirks), so an unchanged match reads the same whichever app wrote it; then our one extra
 * line saying when the match last changed and what changed.
 */
export function buildDescription(match: FogisMatch, lastChange: LastChange | null = null, timeZone = 'Europe/Stockholm', base: string = descriptionBase(match)): string {
  let d = base;
  if (lastChange) {
    const at = new Date(lastChange.at);
    const when = Number.isNaN(at.getTime()) ? lastChange.at : formatLocalShort(at, timeZone);
    d += `\nLast changed ${when}: ${lastChange.what}\n`;
  }
  return d;
}

/** The part of the description that is the match's alone (everything but the "Last changed" line). */
export function descriptionBase(match: FogisMatch): string {
  let d = `${text(match.matchnr)}\n${text(match.tavlingnamn)}\n\n`;
  d += (match.domaruppdraglista ?? []).map(refereeBlock).join('\n') + '\n\n';
  const contacts = match.kontaktpersoner ?? [];
  if (contacts.length > 0) d += 'Team Contacts:\n' + contacts.map(contactBlock).join('\n') + '\n';
  d += `Match Details: ${matchFactsUrl(matchIdOf(match))}\n`;
  return d;
}

export class UnschedulableMatchError extends Error {}

/** The match's event; `hash` is its calendarHash when the caller has it already (one hash per match). */
export function planEvent(match: FogisMatch, opts: EventOptions, lastChange: LastChange | null = null, hash: string = calendarHash(match), base: string = descriptionBase(match)): PlannedEvent {
  const start = parseMatchTime(match.tid, opts.timeZone);
  if (!start) throw new UnschedulableMatchError(`kickoff time "${match.tid}" cannot be read`);
  const startMs = start.getTime();
  return {
    matchId: matchIdOf(match),
    summary: eventSummary(match),
    location: text(match.anlaggningnamn),
    // Our part of the description only; the coordinator's notes around it are kept (description.ts).
    description: wrapAppText(buildDescription(match, lastChange, opts.timeZone, base)),
    startMs,
    endMs: startMs + opts.durationMinutes * 60_000,
    timeZone: opts.timeZone,
    calendarHash: hash,
    syncTag: opts.syncTag,
    cancelled: match.installd === true,
    reminderMinutes: REMINDER_MINUTES,
  };
}

export function matchFactsUrl(matchId: string): string {
  return `https://www.svenskfotboll.se/matchfakta/${matchId}/`;
}

/** The facts we diff to tell the user what changed (DESIGN rule 4: derive changes ourselves). */
export interface MatchSnapshot {
  kickoff: string | null;
  venue: string;
  home: string;
  away: string;
  competition: string;
  matchnr: string;
  cancelled: boolean;
  postponed: boolean;
  referees: Record<string, string>;
}

export function snapshotOf(match: FogisMatch, timeZone: string): MatchSnapshot {
  const start = parseMatchTime(match.tid, timeZone);
  const referees: Record<string, string> = {};
  for (const r of match.domaruppdraglista ?? []) {
    let role = text(r.domarrollkortnamn) || text(r.domarrollnamn) || 'referee';
    while (role in referees) role += "'";
    referees[role] = text(r.personnamn) || text(r.namn);
  }
  return {
    kickoff: start ? formatLocalShort(start, timeZone) : null,
    venue: text(match.anlaggningnamn),
    home: text(match.lag1namn),
    away: text(match.lag2namn),
    competition: text(match.tavlingnamn),
    matchnr: text(match.matchnr),
    cancelled: match.installd === true,
    postponed: match.uppskjuten === true,
    referees,
  };
}

const shown = (v: unknown): string => (v === null || v === undefined || v === '' ? '–' : String(v));

/** What the event last showed against what it will show, in the change model's vocabulary (match-diff.ts field names). */
export function snapshotChanges(prev: MatchSnapshot, next: MatchSnapshot): FieldChange[] {
  const out: FieldChange[] = [];
  const field = (name: string, a: unknown, b: unknown): void => {
    if (a !== b) out.push({ field: name, old: a, new: b });
  };
  field('kickoff', prev.kickoff, next.kickoff);
  field('anlaggningnamn', prev.venue, next.venue);
  field('lag1namn', prev.home, next.home);
  field('lag2namn', prev.away, next.away);
  field('tavlingnamn', prev.competition, next.competition);
  field('matchnr', prev.matchnr, next.matchnr);
  field('installd', prev.cancelled, next.cancelled);
  field('uppskjuten', prev.postponed, next.postponed);
  for (const role of new Set([...Object.keys(prev.referees), ...Object.keys(next.referees)])) {
    field(`referee:${role}`, prev.referees[role] ?? '', next.referees[role] ?? '');
  }
  return out;
}

/** A change the calendar hash saw but no shown field did (a phone number, an e-mail address). */
export const CONTACT_DETAILS_CHANGE: FieldChange = { field: 'contacts', old: null, new: null };

const FIELD_LABEL: Record<string, string> = { anlaggningnamn: 'venue', lag1namn: 'home team', lag2namn: 'away team', tavlingnamn: 'competition', matchnr: 'match number' };

function describeField(c: FieldChange): string {
  if (c.field === 'kickoff') {
    const a = typeof c.old === 'string' ? c.old : null;
    const b = typeof c.new === 'string' ? c.new : null;
    return a && b && a.slice(0, 10) === b.slice(0, 10) ? `kickoff ${a.slice(11)} → ${b.slice(11)}` : `kickoff ${shown(a)} → ${shown(b)}`;
  }
  if (c.field === 'installd') return c.new === true ? 'cancelled' : 'no longer cancelled';
  if (c.field === 'uppskjuten') return c.new === true ? 'postponed' : 'no longer postponed';
  if (c.field === 'contacts') return 'referee or team contact details';
  const label = FIELD_LABEL[c.field] ?? (c.field.startsWith('referee:') ? c.field.slice('referee:'.length) : c.field);
  return `${label} ${shown(c.old)} → ${shown(c.new)}`;
}

/** "kickoff 15:00 → 16:30; AD1 Björn Åberg → Cecilia Berg", or '' when nothing we show changed. */
export function describeChanges(changes: readonly FieldChange[]): string {
  return changes.map(describeField).join('; ');
}
