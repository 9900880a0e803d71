import type { Logger } from '../log';
import type { ExecOutcome, MatchRecord, OutboxJob } from './types';

/** An event as the calendar holds it, seen by reconcile. */
export interface RemoteEvent {
  eventId: string;
  matchId: string | null;
  calendarHash: string | null;
  summary: string;
  created: string | null;
  /** When the event ends (ms), null when unreadable. */
  endMs: number | null;
}

/** An event with our private properties, under any sync tag (first contact: takeover.ts). */
export interface TaggedEvent extends RemoteEvent {
  syncTag: string | null;
}

export interface BackendInfo {
  /** "ok", "sign-in needed", "error: …" */
  status: string;
  signedIn: boolean | null;
  subscribeUrl: string | null;
}

export interface BackendContext {
  log: Logger;
  countApiCall(): void;
  /** The backend's blocked state or info changed (sign-in needed/done). */
  changed(): void;
}

/** Where the outbox's jobs land: the ICS file or Google Calendar. */
export interface CalendarBackend {
  readonly kind: 'ics' | 'google';
  /** Jobs applied before one `flush()`: the ICS file is written once per batch. */
  readonly batchSize: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Carry out one job. Throws SyncError (classified) on failure. Must be idempotent. */
  execute(job: OutboxJob, record: MatchRecord | null): Promise<ExecOutcome>;
  flush(): Promise<void>;
  /** Why writes cannot happen now ("sign-in needed"), or null. */
  blockedReason(): string | null;
  info(): BackendInfo;
  /** Every event carrying our syncTag that has not yet ended (Google: spec §5.5, timeMin = change-window.ts, all pages). */
  listOwnEvents?(): Promise<RemoteEvent[]>;
  /**
   * Every event with our private properties under any sync tag, past ones too (first contact
   * with a calendar: the takeover preview, takeover.ts). No time window: it is read once.
   */
  listTaggedEvents?(): Promise<TaggedEvent[]>;
  /** While blocked: look for what heals it by itself (Google: a newer token.json). */
  recheck?(): Promise<void>;
  /** The id this backend gives a match's event when it creates one. */
  eventIdFor(matchId: string): string;
}
