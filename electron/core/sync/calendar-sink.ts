import type { FaultReporter } from '../containment';
import type { TextRef } from '../../../shared/text-ref';
import type { AppConfig } from '../../../shared/config';
import type { FogisMatch } from '../../../shared/messages';
import type { CalendarState, MatchChange, TakeoverPreview } from '../../../shared/state';
import type { SyncReport } from '../../../shared/api';
import type { Logger } from '../log';
import { emptyCalendarState } from '../../../shared/empty-snapshot';

/** Which list a diff was taken against. */
export interface ListBasis {
  messageId: string;
  receivedAt: string;
}

/** What the monitor hands the calendar for one accepted full match list. */
export interface MatchListInput {
  matches: FogisMatch[];
  /** Changes the monitor derived against its stored list (never MLP's detailed_changes). */
  changes: MatchChange[];
  /** Matches whose data changed only in fields no one shows (match-diff.ts `diffMatchList`). */
  quiet?: string[];
  /**
   * The list `changes` and `quiet` were derived against (null: there was none). With it, the
   * calendar plans only what changed (one change pass); without it, it compares every match.
   */
  basis?: ListBasis | null;
  messageId: string;
  receivedAt: string;
}

export interface AppAlertInput {
  alertType: string;
  severity: 'info' | 'warning' | 'error';
  /** English (logs, `/api/state` readers without a catalogue). */
  message: string;
  details?: Record<string, unknown>;
  /** The same text as a catalogue key (`appAlert.*`), said in the user's language. */
  text?: TextRef;
}

export interface SinkContext {
  dataDir: string;
  log: Logger;
  /** Raise an app alert (shown in the alert list, tray, notifications). */
  raiseAlert(alert: AppAlertInput): void;
  /** The cause of these app alerts is gone: mark them resolved (DESIGN rule 8). */
  resolveAlerts?(alertType: string): void;
  /** Base URL of the local server, e.g. http://127.0.0.1:5003, for the ICS subscribe link. */
  publicBaseUrl(): string;
  /** The last line of defence: an exception that escaped a calendar handler (containment.ts). */
  internalError?: FaultReporter;
}

/**
 * The calendar side of the app (DESIGN rule 3): the monitor calls `onMatchList` and returns
 * at once; the sink persists what to write (outbox) and writes in the background.
 */
export interface CalendarSink {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Must not block reception: enqueue and return. */
  onMatchList(input: MatchListInput): void;
  /** Sync these matches (manual sync) or, with null, reconcile the last list; resolves when done. */
  sync(matches: FogisMatch[] | null): Promise<SyncReport>;
  /** Carry out deletions that the safety guard held back. */
  confirmDeletions(): Promise<SyncReport>;
  /** First contact with a calendar holding FOGIS events: what taking it over does (null: nothing waits). */
  getTakeover?(): TakeoverPreview | null;
  /** Carry out the takeover exactly as previewed. */
  confirmTakeover?(): Promise<SyncReport>;
  getState(): CalendarState;
  /** Called whenever getState() would return something new. */
  onStateChange(listener: () => void): () => void;
  updateConfig(calendar: AppConfig['calendar']): void;
}

// The empty state is part of the one empty snapshot (shared/empty-snapshot.ts).
export { emptyCalendarState };

export function summarizeReport(r: Omit<SyncReport, 'summary' | 'success'>): string {
  const parts = [`${r.inserted} added`, `${r.updated} updated`, `${r.deleted} deleted`, `${r.failed} failed`];
  if (r.held > 0) parts.push(`${r.held} deletions held back`);
  if (r.cancelled) parts.push(`${r.cancelled} cancelled (no event)`);
  if (r.past) parts.push(`${r.past} played (left as they are)`);
  return parts.join(', ');
}
