import type { ContactsState } from '../../../shared/contacts';
import type { Logger } from '../log';
import type { CalendarSink, MatchListInput } from '../sync/calendar-sink';

export interface MonitorDeps {
  log: Logger;
  dataDir: string;
  sink: CalendarSink;
  /** The referee phonebook; it gets every accepted list, beside (not through) the calendar. */
  contacts?: ContactsPart;
  /** Settings fixed by environment variables (they never change while running). */
  envFixed?: Record<string, string>;
  /** Clock, for tests. */
  now?: () => Date;
  /** `npm run demo`: the status says so everywhere it shows. */
  demo?: boolean;
  /** history.json's size cap (tests). */
  historyCapBytes?: number;
  /**
   * Parse, validate and diff messages on the ingest worker thread (the app); without it they
   * are handled inline, before `ingest` returns (tools, unit tests).
   */
  ingestWorker?: boolean;
  /** The ingest cap was reached (true) or drained to half (false): the source should stop or resume reading. */
  onIngestPressure?(paused: boolean): void;
}

/** What the monitor needs of the phonebook (electron/core/contacts). */
export interface ContactsPart {
  onMatchList(input: MatchListInput): void;
  getState(): ContactsState;
  onStateChange(listener: () => void): () => void;
}
