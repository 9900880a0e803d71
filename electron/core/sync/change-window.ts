/**
 * The time window of the sync (DESIGN rule 10: the coordinator's history is sacred).
 *
 * An event is history once its match has ended: kickoff + match duration + this grace
 * period. The sync never deletes or changes history, in Google or in the ICS file: a match
 * FOGIS stops listing after it was played keeps its event (reports, expenses, mileage).
 *
 * The grace covers what a scheduled end does not: a late kickoff, extra time, a match
 * postponed on the evening itself. Three hours after the scheduled end nothing about the
 * evening's match is still news.
 *
 * The same window bounds the Google listing (`timeMin`, spec §5.4/§5.5): one constant for
 * lookup and orphan detection, so the two can never disagree (spec §7, #40).
 */
export const PAST_GRACE_MINUTES = 180;
const GRACE_MS = PAST_GRACE_MINUTES * 60_000;

/** Events that end at or before this instant are history. Also Google's `timeMin` (it filters on the event's end). */
export function windowStartMs(nowMs: number): number {
  return nowMs - GRACE_MS;
}

/** True when an event ending at `endMs` is history. Unknown ends are not (the pre-window behaviour). */
export function hasEnded(endMs: number | null | undefined, nowMs: number): boolean {
  return typeof endMs === 'number' && Number.isFinite(endMs) && endMs <= windowStartMs(nowMs);
}
