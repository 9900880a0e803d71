import { CALENDAR_FOOTER, compareEvents, renderCalendarHeader, renderEvent, type CalendarOptions, type IcsEvent } from './ics-writer';

/**
 * Every field a VEVENT shows. Not the planner's renderKey: it leaves out SEQUENCE, CREATED,
 * LAST-MODIFIED/DTSTAMP, the alarm and the coordinator's text around our description, and it
 * is null for events from an older store, so the cache compares the fields themselves.
 */
const RENDERED_FIELDS = [
  'uid',
  'matchId',
  'summary',
  'location',
  'description',
  'url',
  'startMs',
  'endMs',
  'status',
  'sequence',
  'createdMs',
  'lastModifiedMs',
  'alarmMinutes',
] as const satisfies ReadonlyArray<keyof IcsEvent>;

// A field added to IcsEvent but not to the list above fails to compile here instead of serving stale text.
type Unlisted = Exclude<keyof IcsEvent, (typeof RENDERED_FIELDS)[number]>;
const everyFieldListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyFieldListed;

function sameRendering(a: IcsEvent, b: IcsEvent): boolean {
  for (const k of RENDERED_FIELDS) if (a[k] !== b[k]) return false;
  return true;
}

/** A copy, so a record changed in place later still differs from what was rendered. */
function copyOf(e: IcsEvent): IcsEvent {
  return {
    uid: e.uid,
    matchId: e.matchId,
    summary: e.summary,
    location: e.location,
    description: e.description,
    url: e.url,
    startMs: e.startMs,
    endMs: e.endMs,
    status: e.status,
    sequence: e.sequence,
    createdMs: e.createdMs,
    lastModifiedMs: e.lastModifiedMs,
    alarmMinutes: e.alarmMinutes,
  };
}

interface Entry {
  event: IcsEvent;
  text: string;
  /** The render that last used this entry; older entries belong to events that are gone. */
  used: number;
  /** Rendered by `prerender` and not yet used by a `renderParts` (which counts it as rendered). */
  ahead: boolean;
}

/**
 * renderCalendar with each event's VEVENT text kept between calls, so a calendar in which one
 * event changed costs one VEVENT to escape and fold, not all of them (issue 12). The result is
 * byte for byte what renderCalendar gives for the same events and options. Holds one entry per
 * event of the last render: entries of events that are gone are dropped.
 */
export class IcsRenderCache {
  private entries = new Map<string, Entry>();
  private renders = 0;
  private rendered = 0;
  private timeZone: string | null = null;
  private localTime: CalendarOptions['localTime'] | null = null;

  /** Pass the same `localTime` function every time: a new one empties the cache. */
  private useOptions(opts: CalendarOptions): void {
    if (opts.timeZone !== this.timeZone || opts.localTime !== this.localTime) {
      // The zone decides every DTSTART/DTEND: nothing rendered under the old one is reused.
      this.entries.clear();
      this.timeZone = opts.timeZone;
      this.localTime = opts.localTime;
    }
  }

  /**
   * Renders ahead the VEVENTs the next `renderParts` of `events` would render, until
   * `performance.now()` reaches `until`; true when none is left. The caller spreads a calendar
   * in which many events changed over turns of the event loop (issue 12: 1000 new events were
   * one 30-50 ms turn), and `renderParts` then takes them from the cache, the same text.
   * An entry rendered ahead for an event that changes again or is gone before `renderParts`
   * is rendered again or dropped there, as any stale entry is.
   */
  prerender(events: readonly IcsEvent[], opts: CalendarOptions, until: number): boolean {
    this.useOptions(opts);
    for (const e of events) {
      const entry = this.entries.get(e.uid);
      if (entry && sameRendering(entry.event, e)) continue;
      if (performance.now() >= until) return false;
      // Kept by the next renderParts (it marks every entry its events use); counted there as rendered.
      this.entries.set(e.uid, { event: copyOf(e), text: renderEvent(e, opts), used: this.renders, ahead: true });
    }
    return true;
  }

  render(events: readonly IcsEvent[], opts: CalendarOptions): string {
    return this.renderParts(events, opts).join('');
  }

  /**
   * The calendar in pieces (header, each VEVENT's cached text, footer) for `writeFileAtomic`:
   * a 2–4 MB calendar is never joined, nor copied again to encode it (issue 12).
   */
  renderParts(events: readonly IcsEvent[], opts: CalendarOptions): string[] {
    this.useOptions(opts);
    const used = ++this.renders;
    let rendered = 0;
    const sorted = [...events].sort(compareEvents);
    const parts: string[] = new Array<string>(sorted.length + 2);
    parts[0] = renderCalendarHeader(opts);
    for (let i = 0; i < sorted.length; i++) {
      const e = sorted[i]!;
      let entry = this.entries.get(e.uid);
      if (!entry || !sameRendering(entry.event, e)) {
        entry = { event: copyOf(e), text: renderEvent(e, opts), used, ahead: false };
        this.entries.set(e.uid, entry);
        rendered++;
      } else if (entry.ahead) {
        entry.ahead = false;
        rendered++;
      }
      entry.used = used;
      parts[i + 1] = entry.text;
    }
    for (const [uid, entry] of this.entries) if (entry.used !== used) this.entries.delete(uid);
    this.rendered = rendered;
    parts[sorted.length + 1] = CALENDAR_FOOTER;
    return parts;
  }

  /** VEVENTs the last render escaped and folded (the rest came from the cache). */
  get renderedLastTime(): number {
    return this.rendered;
  }

  /** Events whose text is kept (for tests of the bound). */
  get size(): number {
    return this.entries.size;
  }
}
