import type { LastChange, MatchSnapshot, PlannedEvent } from './event-builder';

/** What we last wrote for one match: the committed calendar state, persisted. */
export interface MatchRecord {
  matchId: string;
  /** An event for this match exists in the calendar (written or adopted by us). */
  present: boolean;
  /** Google event id or ICS UID. Kept after deletion: a re-listed match revives the same id. */
  eventId: string | null;
  calendarHash: string | null;
  /** null: adopted from the calendar (reconcile) and not yet compared with a match. */
  renderKey: string | null;
  /** Fast path: identity of the raw match + options that produced `renderKey`. */
  sourceKey: string | null;
  summary: string | null;
  snapshot: MatchSnapshot | null;
  lastChange: LastChange | null;
  title: string;
  updatedAt: string;
  /** When the event ends (ms); with the grace period it decides whether the event is history (change-window.ts). */
  endMs: number | null;
}

export type JobReason = 'new' | 'changed' | 'cancelled' | 'removed' | 'duplicate';

/** One pending calendar write (the outbox's unit), persisted before it is attempted. */
export interface OutboxJob {
  /** The match id; `dup:<eventId>` for the removal of a duplicate event. */
  key: string;
  matchId: string;
  kind: 'upsert' | 'delete';
  reason: JobReason;
  /** What an upsert writes (null for a delete). */
  event: PlannedEvent | null;
  renderKey: string | null;
  sourceKey: string | null;
  snapshot: MatchSnapshot | null;
  lastChange: LastChange | null;
  title: string;
  /** Only for duplicate removal: the exact event to delete. */
  eventId: string | null;
  attempts: number;
  nextAttemptAt: number;
  enqueuedAt: string;
  lastError: string | null;
  seq: number;
}

export interface HeldDeletion {
  matchId: string;
  reason: 'removed' | 'cancelled';
  title: string;
}

export interface PlanOptions {
  syncTag: string;
  durationMinutes: number;
  timeZone: string;
  keepCancelled: boolean;
  maxDeleteFraction: number;
}

/** What a backend did for one job. */
export interface ExecOutcome {
  action: 'inserted' | 'updated' | 'deleted' | 'noop';
  eventId: string | null;
}

/**
 * retryable: this job again later; permanent: this job failed; auth: every write waits for
 * sign-in; calendar: every write waits until the calendar is there and writable again.
 */
export type ErrorClass = 'retryable' | 'permanent' | 'auth' | 'calendar';

/** Why the calendar as a whole cannot be written (its own status and alert). */
export type CalendarBlock = 'calendar-not-found' | 'no-write-access';

/** A write failure, classified so the outbox knows whether to retry, fail or wait for sign-in. */
export class SyncError extends Error {
  constructor(
    message: string,
    readonly kind: ErrorClass,
    readonly status: number | null = null,
    readonly reason: string | null = null,
    /** The server's Retry-After (429/503), in ms. */
    readonly retryAfterMs: number | null = null,
    readonly block: CalendarBlock | null = null,
  ) {
    super(message);
    this.name = 'SyncError';
  }
}
