import type { AppConfig } from './config';
import { emptyContactsState } from './contacts';
import { emptyHistory } from './history';
import { MESSAGE_TYPES, REJECT_REASONS } from './messages';
import type { CalendarState, ConnectionInfo, Counters, ProcessorInfo, Snapshot } from './state';
import { withStatus } from './status';

/**
 * The state before anything happened, part by part and whole: what the core starts from,
 * what the demo page and the tests build on. One place, so a new snapshot field is added once.
 */

export function emptyCounters(startedAt: string): Counters {
  return {
    messages_received: 0,
    messages_processed: 0,
    errors: 0,
    reconnect_count: 0,
    duplicates: 0,
    internal_errors: 0,
    by_type: Object.fromEntries([...MESSAGE_TYPES, 'unknown'].map((t) => [t, 0])) as Counters['by_type'],
    by_channel: {},
    by_generation: { g1: 0, g2: 0, g3: 0, enhanced_v2: 0, legacy_v1: 0 },
    rejected_by_reason: Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Counters['rejected_by_reason'],
    schema_version_stats: { v2_messages: 0, v1_messages: 0, unknown_messages: 0, preferred_schema: '2.0' },
    last_message_time: null,
    started_at: startedAt,
  };
}

export function emptyProcessor(): ProcessorInfo {
  return { lastStarted: null, lastCompleted: null, lastFailed: null, last: null, lastDurationMs: null, cycles: 0 };
}

export function emptyCalendarState(backend: CalendarState['backend']): CalendarState {
  return {
    backend,
    status: 'ok',
    lastSyncAt: null,
    pending: 0,
    failed: 0,
    heldDeletions: 0,
    counters: {},
    perMatch: {},
    subscribeUrl: null,
    signedIn: null,
  };
}

/** Not connected, not trying: the subscription before it starts. */
export function emptyConnection(since: string): ConnectionInfo {
  return {
    state: 'stopped',
    stateSince: since,
    reason: null,
    reasonCode: null,
    connected: false,
    subscribed: false,
    channels: [],
    reconnectCount: 0,
    attempt: 0,
    nextRetryAt: null,
    lastPingMs: null,
    possiblyStale: false,
    staleSince: null,
    endpoint: '',
  };
}

/** A whole snapshot of an app that has just started with `config` and received nothing. */
export function emptySnapshot(config: AppConfig, nowMs: number, version: string): Snapshot {
  const now = new Date(nowMs).toISOString();
  return withStatus({
    version,
    now,
    uptimeSeconds: 0,
    connection: emptyConnection(now),
    counters: emptyCounters(now),
    processor: emptyProcessor(),
    alerts: { items: [], total: 0, cap: config.limits.alertLog },
    matches: { list: [], receivedAt: null, messageId: null, generation: null, history: [], historyTotal: 0 },
    rejected: { items: [], total: 0, cap: config.limits.rejectedLog },
    calendar: emptyCalendarState(config.calendar.backend),
    contacts: emptyContactsState(),
    config,
    envFixed: {},
    storageError: null,
    mutedUntil: null,
    history: emptyHistory(nowMs),
  });
}
