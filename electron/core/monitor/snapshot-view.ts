import type { AppConfig } from '../../../shared/config';
import { maskConfig } from '../../../shared/config';
import { emptyContactsState } from '../../../shared/contacts';
import type { ConnectionInfo, Counters, Snapshot } from '../../../shared/state';
import { computeStatus, type Status } from '../../../shared/status';
import { APP_VERSION } from '../app-version';
import type { CalendarSink } from '../sync/calendar-sink';
import type { AlertBook } from './alert-book';
import type { ConnectionState } from './connection-state';
import type { SnapshotKey } from './event-batcher';
import type { MatchListState } from './match-list-state';
import type { MessageLog } from './message-log';
import type { ContactsPart } from './monitor-deps';
import type { ProcessorCycles } from './processor-cycles';
import type { WatchHistory } from './watch-history';

const SNAPSHOT_KEYS: readonly SnapshotKey[] = ['version', 'now', 'uptimeSeconds', 'connection', 'counters', 'processor', 'alerts', 'matches', 'rejected', 'calendar', 'contacts', 'config', 'envFixed', 'storageError', 'mutedUntil', 'status', 'history'];

/** The monitor's parts, as the snapshot reads them. */
export interface SnapshotSources {
  now: () => Date;
  startedAt: Date;
  demo: boolean;
  config: () => AppConfig;
  counters: () => Counters;
  cycles: ProcessorCycles;
  alerts: AlertBook;
  matches: MatchListState;
  messageLog: MessageLog;
  connection: ConnectionState;
  sink: Pick<CalendarSink, 'getState'>;
  contacts: Pick<ContactsPart, 'getState'> | null;
  envFixed: Readonly<Record<string, string>>;
  storageError: () => string | null;
  mutedUntil: () => string | null;
  watchHistory: WatchHistory;
}

/**
 * The snapshot (shared/state.ts) the dashboard, tray and HTTP read, part by part, and the
 * one honest status of this moment (shared/status.ts).
 */
export class SnapshotView {
  /** Pushes the status again when it changes by itself (the end of the connection grace period). */
  private recheckTimer: NodeJS.Timeout | null = null;
  private recheckAt: string | null = null;

  constructor(
    private readonly src: SnapshotSources,
    /** The status will have changed by itself: mark it for the next push. */
    private readonly onRecheck: () => void,
  ) {}

  connectionInfo(): ConnectionInfo {
    return this.src.connection.info(this.src.counters().reconnect_count);
  }

  /**
   * When the status will change by itself (the grace period of an outage ends), a push is
   * scheduled for then, so the header and the tray turn red without waiting for another event.
   */
  status(): Status {
    const s = this.src;
    const now = s.now();
    const st = computeStatus(
      {
        now: now.toISOString(),
        connection: this.connectionInfo(),
        counters: s.counters(),
        processor: s.cycles.info,
        alerts: { items: s.alerts.toArray() },
        matches: { receivedAt: s.matches.receivedAt, list: s.matches.list },
        calendar: s.sink.getState(),
        storageError: s.storageError(),
        config: s.config(),
      },
      { demo: s.demo },
    );
    if (st.recheckAt !== this.recheckAt) {
      this.recheckAt = st.recheckAt;
      this.clearTimer();
      if (st.recheckAt) {
        this.recheckTimer = setTimeout(() => {
          this.recheckTimer = null;
          this.recheckAt = null;
          this.onRecheck();
        }, Math.max(0, Date.parse(st.recheckAt) - now.getTime()));
        this.recheckTimer.unref?.();
      }
    }
    return st;
  }

  part<K extends SnapshotKey>(key: K): Snapshot[K] {
    const s = this.src;
    const parts: { [P in SnapshotKey]: () => Snapshot[P] } = {
      version: () => APP_VERSION,
      now: () => s.now().toISOString(),
      uptimeSeconds: () => Math.round((s.now().getTime() - s.startedAt.getTime()) / 1000),
      connection: () => this.connectionInfo(),
      counters: () => structuredClone(s.counters()),
      processor: () => structuredClone(s.cycles.info),
      alerts: () => ({ items: s.alerts.newest(), total: s.alerts.total, cap: s.alerts.cap }),
      matches: () => s.matches.state(),
      rejected: () => ({ items: s.messageLog.rejected.newest(), total: s.messageLog.rejected.total, cap: s.messageLog.rejected.cap }),
      calendar: () => s.sink.getState(),
      contacts: () => s.contacts?.getState() ?? emptyContactsState(),
      config: () => maskConfig(s.config()),
      envFixed: () => ({ ...s.envFixed }),
      storageError: () => s.storageError(),
      mutedUntil: () => {
        const until = s.mutedUntil();
        return until && Date.parse(until) > s.now().getTime() ? until : null;
      },
      status: () => this.status(),
      history: () => s.watchHistory.timeline(20),
    };
    return parts[key]();
  }

  snapshot(): Snapshot {
    return Object.fromEntries(SNAPSHOT_KEYS.map((k) => [k, this.part(k)])) as Snapshot;
  }

  dispose(): void {
    this.clearTimer();
  }

  private clearTimer(): void {
    if (this.recheckTimer) clearTimeout(this.recheckTimer);
    this.recheckTimer = null;
  }
}
