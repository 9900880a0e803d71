import type { FogisMatch } from '../../../shared/messages';
import { formatZonedDateTime } from '../../../shared/fogis-time';
import { sha256Hex } from './calendar-hash';
import { planEvent, REMINDER_MINUTES, type EventOptions, type LastChange, type PlannedEvent } from './event-builder';

/** The parts of a Calendar v3 event we write (spec §5.2), in the order the Python service writes them. */
export interface GoogleEventBody {
  summary: string;
  location: string;
  description: string;
  start: { dateTime: string; timeZone: string };
  end: { dateTime: string; timeZone: string };
  reminders: { useDefault: boolean; overrides: Array<{ method: string; minutes: number }> };
  extendedProperties: { private: { matchId: string; syncTag: string; calendarHash: string } };
}

/** The Google event body of a planned event. */
export function googleEventBody(e: PlannedEvent): GoogleEventBody {
  return {
    summary: e.summary,
    location: e.location,
    description: e.description,
    // §8.7: the Python service stores UTC with timeZone "UTC"; a local zone reads better everywhere.
    start: { dateTime: formatZonedDateTime(new Date(e.startMs), e.timeZone), timeZone: e.timeZone },
    end: { dateTime: formatZonedDateTime(new Date(e.endMs), e.timeZone), timeZone: e.timeZone },
    // §5.2: popup 48 h before, the Python service's only reminder.
    reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: e.reminderMinutes }] },
    extendedProperties: { private: { matchId: e.matchId, syncTag: e.syncTag, calendarHash: e.calendarHash } },
  };
}

/** A match's Google event body (the fake Calendar server of the tests is seeded with these). */
export function buildEventBody(match: FogisMatch, opts: EventOptions, lastChange: LastChange | null = null): GoogleEventBody {
  return googleEventBody(planEvent(match, opts, lastChange));
}

/**
 * The render key versions before the planned event (a hash of the Google body): records and
 * jobs saved by them carry it. Compared once per such record, so an upgrade rewrites nothing.
 */
export function legacyRenderKey(e: PlannedEvent): string {
  return sha256Hex(JSON.stringify(googleEventBody(e)) + (e.cancelled ? '\u0000cancelled' : ''));
}

/** A job saved by an older version carries the Google body: the same event, planned. */
export function plannedFromGoogleBody(body: GoogleEventBody, cancelled: boolean): PlannedEvent {
  const p = body.extendedProperties.private;
  return {
    matchId: p.matchId,
    summary: body.summary,
    location: body.location,
    description: body.description,
    startMs: Date.parse(body.start.dateTime),
    endMs: Date.parse(body.end.dateTime),
    timeZone: body.start.timeZone,
    calendarHash: p.calendarHash,
    syncTag: p.syncTag,
    cancelled,
    reminderMinutes: body.reminders.overrides[0]?.minutes ?? REMINDER_MINUTES,
  };
}
