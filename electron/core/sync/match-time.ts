/** Kickoff times: the project's one time module (shared/fogis-time.ts), re-exported for the sync code. */
export { formatLocalShort, formatZonedDateTime, parseMatchTime, wallClock, zonedWallTimeToInstant, zoneOffsetMinutes, type WallClock } from '../../../shared/fogis-time';
