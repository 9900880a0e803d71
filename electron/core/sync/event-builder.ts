import type { FogisMatch, Referee, TeamContact } from '../../../shared/messages';
import { calendarHash, sha256Hex } from './calendar-hash';
import { wrapAppText } from './description';
import { formatLocalShort, formatZonedDateTime, parseMatchTime } from './match-time';

/** The parts of a Calendar v3 event we write (spec §5.2), backend-neutral. */
export interface EventBody {
  summary: string;
  location: string;
  description: string;
  start: { dateTime: string; timeZone: string };
  end: { dateTime: string; timeZone: string };
  reminders: { useDefault: boolean; overrides: Array<{ method: string; minutes: number }> };
  extendedProperties: { private: { matchId: string; syncTag: string; calendarHash: string } };
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
export function buildDescription(match: FogisMatch, lastChange: LastChange | null = null, timeZone = 'Europe/Stockholm'): string {
  let d = `${text(match.matchnr)}\n${text(match.tavlingnamn)}\n\n`;
  d += (match.domaruppdraglista ?? []).map(refereeBlock).join('\n') + '\n\n';
  const contacts = match.kontaktpersoner ?? [];
  if (contacts.length > 0) d += 'Team Contacts:\n' + contacts.map(contactBlock).join('\n') + '\n';
  d += `Match Details: https://www.svenskfotboll.se/matchfakta/${matchIdOf(match)}/\n`;
  if (lastChange) {
    const at = new Date(lastChange.at);
    const when = Number.isNaN(at.getTime()) ? lastChange.at : formatLocalShort(at, timeZone);
    d += `\nLast changed ${when}: ${lastChange.what}\n`;
  }
  return d;
}

export class UnschedulableMatchError extends Error {}

export function buildEventBody(match: FogisMatch, opts: EventOptions, lastChange: LastChange | null = null): EventBody {
  const start = parseMatchTime(match.tid, opts.timeZone);
  if (!start) throw new UnschedulableMatchError(`kickoff time "${match.tid}" cannot be read`);
  const end = new Date(start.getTime() + opts.durationMinutes * 60_000);
  return {
    summary: eventSummary(match),
    location: text(match.anlaggningnamn),
    // Our part of the description only; the coordinator's notes around it are kept (description.ts).
    description: wrapAppText(buildDescription(match, lastChange, opts.timeZone)),
    // §8.7: the Python service stores UTC with timeZone "UTC"; a local zone reads better everywhere.
    start: { dateTime: formatZonedDateTime(start, opts.timeZone), timeZone: opts.timeZone },
    end: { dateTime: formatZonedDateTime(end, opts.timeZone), timeZone: opts.timeZone },
    reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: REMINDER_MINUTES }] },
    extendedProperties: { private: { matchId: matchIdOf(match), syncTag: opts.syncTag, calendarHash: calendarHash(match) } },
  };
}

/** Identity of everything we would write; equal keys mean no write is needed. */
export function renderKey(body: EventBody, cancelled: boolean): string {
  return sha256Hex(JSON.stringify(body) + (cancelled ? '\u0000cancelled' : ''));
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

const shown = (v: string | null): string => (v === null || v === '' ? '–' : v);

/** "kickoff 15:00 → 16:30; AD1 Björn Åberg → Cecilia Berg", or '' when nothing we show changed. */
export function describeChanges(prev: MatchSnapshot, next: MatchSnapshot): string {
  const parts: string[] = [];
  if (prev.kickoff !== next.kickoff) {
    const sameDay = prev.kickoff && next.kickoff && prev.kickoff.slice(0, 10) === next.kickoff.slice(0, 10);
    parts.push(sameDay ? `kickoff ${prev.kickoff!.slice(11)} → ${next.kickoff!.slice(11)}` : `kickoff ${shown(prev.kickoff)} → ${shown(next.kickoff)}`);
  }
  if (prev.venue !== next.venue) parts.push(`venue ${shown(prev.venue)} → ${shown(next.venue)}`);
  if (prev.home !== next.home) parts.push(`home team ${shown(prev.home)} → ${shown(next.home)}`);
  if (prev.away !== next.away) parts.push(`away team ${shown(prev.away)} → ${shown(next.away)}`);
  if (prev.competition !== next.competition) parts.push(`competition ${shown(prev.competition)} → ${shown(next.competition)}`);
  if (prev.matchnr !== next.matchnr) parts.push(`match number ${shown(prev.matchnr)} → ${shown(next.matchnr)}`);
  if (prev.cancelled !== next.cancelled) parts.push(next.cancelled ? 'cancelled' : 'no longer cancelled');
  if (prev.postponed !== next.postponed) parts.push(next.postponed ? 'postponed' : 'no longer postponed');
  const roles = new Set([...Object.keys(prev.referees), ...Object.keys(next.referees)]);
  for (const role of roles) {
    const a = prev.referees[role] ?? '';
    const b = next.referees[role] ?? '';
    if (a !== b) parts.push(`${role} ${shown(a)} → ${shown(b)}`);
  }
  return parts.join('; ');
}
