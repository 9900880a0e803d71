import type { AppConfig } from '../../../shared/config';
import { emptyCounters } from '../../../shared/empty-snapshot';
import type { Counters } from '../../../shared/state';
import type { FaultReporter } from '../containment';
import type { AppAlertInput } from '../sync/calendar-sink';
import { AlertBook, englishText } from './alert-book';
import { ConnectionState } from './connection-state';
import { EventBatcher, type SnapshotKey } from './event-batcher';
import { MatchListState } from './match-list-state';
import { MessageLog } from './message-log';
import type { MonitorDeps } from './monitor-deps';
import { MonitorStore } from './monitor-store';
import { ProcessorCycles } from './processor-cycles';
import { SnapshotView } from './snapshot-view';
import { WatchHistory } from './watch-history';

/** Snapshot parts that state.json keeps: a change schedules a write. */
const SAVED_PARTS: ReadonlySet<SnapshotKey> = new Set<SnapshotKey>(['matches', 'alerts', 'counters']);

/** The monitor's state, one part per job; monitor.ts runs messages through them. */
export interface MonitorParts {
  /** Mutated in place (counters.ts); restored with Object.assign, so every reader keeps it. */
  readonly counters: Counters;
  readonly cycles: ProcessorCycles;
  readonly alerts: AlertBook;
  readonly messageLog: MessageLog;
  readonly matches: MatchListState;
  readonly connection: ConnectionState;
  readonly watchHistory: WatchHistory;
  readonly store: MonitorStore;
  readonly events: EventBatcher;
  readonly view: SnapshotView;
  /** A part of the snapshot changed: listeners hear of it, and state.json is saved if it keeps it. */
  changed(key: SnapshotKey): void;
}

/** What the parts call back into the monitor for. */
export interface MonitorHooks {
  config(): AppConfig;
  mutedUntil(): string | null;
  internalError: FaultReporter;
  raiseAppAlert(input: AppAlertInput): void;
}

/** Builds the parts and wires them to each other: events, saving, the snapshot. */
export function createMonitorParts(config: AppConfig, deps: MonitorDeps, now: () => Date, hooks: MonitorHooks): MonitorParts {
  const startedAt = now();
  const l = config.limits;
  const counters = emptyCounters(startedAt.toISOString());
  const cycles = new ProcessorCycles();
  const messageLog = new MessageLog(l);
  const matches = new MatchListState(l.changeHistory);
  const connection = new ConnectionState(startedAt.toISOString());
  const changed = (key: SnapshotKey): void => {
    events.dirty(key);
    if (SAVED_PARTS.has(key)) store.schedule();
  };
  const alerts = new AlertBook(
    l.alertLog,
    {
      added: (alert) => {
        events.alert(alert);
        changed('alerts');
      },
      replaced: (alert) => {
        events.alertReplaced(alert);
        changed('alerts');
      },
      changed: () => changed('alerts'),
    },
    now,
  );
  const store: MonitorStore = new MonitorStore({
    dataDir: deps.dataDir,
    log: deps.log,
    serialise: () => ({ version: 1, savedAt: now().toISOString(), counters, ...matches.persisted(), alerts: alerts.toArray(), alertsTotal: alerts.total }),
    fault: hooks.internalError,
    onError: (error, began) => {
      changed('storageError');
      // One alert when saving starts failing (not one per retry): the tray and notifications show it.
      if (began) {
        const text = { key: 'appAlert.storage', params: { error: error ?? '' } };
        hooks.raiseAppAlert({ alertType: 'storage', severity: 'error', message: englishText(text), text });
      }
    },
  });
  const watchHistory = new WatchHistory({
    dataDir: deps.dataDir,
    log: deps.log,
    now,
    ...(deps.historyCapBytes !== undefined ? { capBytes: deps.historyCapBytes } : {}),
    onError: store.historyWriteError,
  });
  const view = new SnapshotView(
    {
      now,
      startedAt,
      demo: deps.demo ?? false,
      config: hooks.config,
      counters: () => counters,
      cycles,
      alerts,
      matches,
      messageLog,
      connection,
      sink: deps.sink,
      contacts: deps.contacts ?? null,
      envFixed: { ...(deps.envFixed ?? {}) },
      storageError: () => store.error,
      mutedUntil: hooks.mutedUntil,
      watchHistory,
    },
    () => changed('status'),
  );
  const events: EventBatcher = new EventBatcher({ part: (key) => view.part(key), messagesTotal: () => messageLog.total }, hooks.internalError);
  deps.sink.onStateChange(() => changed('calendar'));
  deps.contacts?.onStateChange(() => changed('contacts'));
  return { counters, cycles, alerts, messageLog, matches, connection, watchHistory, store, events, view, changed };
}
